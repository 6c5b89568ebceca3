"""The portal index in PostgreSQL: tables in the public schema, jieba-segmented tsvector.

Weights: A title, B metadata (文号, 发布机构, 主题词, 索引号), C summary and body,
D unit and column names. Ranking is ts_rank_cd normalised into [0, 1) plus 1
when every query word is in the title, so a title match always ranks above a
body-only match.

Each document is two rows (search.models): the wide PortalDocument with what
a hit shows, and the narrow PortalMatch with what every match is filtered,
ordered and counted by. A common word matches a tenth of the index, and it
is the per-match work that decides how fast such a search is; the wide row
is read only for the page of hits.

Search runs in two stages so that a common word stays fast: the GIN index
selects the matches, which are ordered cheaply by (title match, newest
first), and only the first RANK_CANDIDATES of them are ranked with
ts_rank_cd, which has to read the out-of-line search_vector. The title
matches come newest first from a second GIN index, on title_vector, so no
match is tested row by row, and the other matches are sorted by date only
when the title matches are too few to fill the ranked set. Past that set
results continue in the cheap order (score None), so title matches still
come first and pages never overlap. The same single scan of the matches
also feeds the facets and the total, which count per facet cell
(PortalFacetCell) first and per value only over the cells.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg2
from django.db import DatabaseError, connection, transaction
from psycopg2.extras import execute_values

from search.highlight import highlight, snippet
from search.models import PortalDocument, PortalFacetCell, PortalMatch
from search.segmentation import QueryPlan, build_tsvector, plan_query, quote_lexeme
from search.synonyms import synonym_map

from .base import (
    VALIDITY_KEYS,
    DocumentRejected,
    FacetBucket,
    Hit,
    Order,
    PortalDoc,
    PortalSearchBackend,
    SearchQuery,
    SearchResult,
    metadata_of,
)

TABLE = PortalDocument._meta.db_table
MATCHES = PortalMatch._meta.db_table
CELLS = PortalFacetCell._meta.db_table
# Every table the index lives in (what to vacuum after a bulk load).
INDEX_TABLES = (TABLE, MATCHES, CELLS)
_COLUMNS = (
    "key",
    "schema_name",
    "page_id",
    "unit_code",
    "unit_name",
    "column_path",
    "column_title",
    "page_type",
    "categories",
    "publish_date",
    "written_date",
    "year",
    "published_at",
    "url",
    "title",
    "summary",
    "body",
    "doc_number",
    "issuing_body",
    "subject_words",
    "index_number",
    "validity",
    "truncated",
    "truncation_note",
)
_UPSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}, indexed_at) VALUES %s ON CONFLICT (key) DO UPDATE SET " + ", ".join(
    f"{c} = EXCLUDED.{c}" for c in (*_COLUMNS[1:], "indexed_at")
)
_TEMPLATE = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ", now())"
_MATCH_COLUMNS = ("key", "facet_cell", "publish_date", "published_at", "search_vector", "title_vector", "in_sample")
_UPSERT_MATCHES = f"INSERT INTO {MATCHES} ({', '.join(_MATCH_COLUMNS)}) VALUES %s ON CONFLICT (key) DO UPDATE SET " + ", ".join(
    f"{c} = EXCLUDED.{c}" for c in _MATCH_COLUMNS[1:]
)
_MATCH_TEMPLATE = "(%s, %s, %s, %s, %s::tsvector, %s::tsvector, %s)"
_CELL_COLUMNS = ("id", "unit_code", "unit_name", "page_type", "year", "categories", "validity")
_INSERT_CELLS = f"INSERT INTO {CELLS} ({', '.join(_CELL_COLUMNS)}) VALUES %s ON CONFLICT (id) DO NOTHING"
_HIT_COLUMNS = (
    "key, unit_code, unit_name, column_path, column_title, page_type, categories, publish_date, written_date, "
    "published_at, url, title, summary, doc_number, issuing_body, subject_words, index_number, validity"
)
BATCH = 500
# How many matches (title matches first, then newest) are ranked by ts_rank_cd.
RANK_CANDIDATES = 200
# A common word at a million documents has 150,000 matches, and counting each of them for the facets and the
# total is most of the search (about 1 ms per thousand matches even with every page in memory). One document in
# SAMPLE_SHARDS (chosen by a hash of its key, so evenly across units, types and years) is in_sample; a search
# whose sample has more than EXACT_UP_TO / SAMPLE_SHARDS matches counts the sample and scales it (the result
# says 约), every other search counts exactly. The sample has a GIN index of its own (portalmatch_sample_gin),
# SAMPLE_SHARDS times smaller, so finding the sample's matches costs that much less than finding all of them.
# Hits are never sampled: the page is always chosen from all matches.
SAMPLE_SHARDS = 16
EXACT_UP_TO = 10_000
# A search with words and a filter (unit, type, year, category, validity) finds its matches in one GIN scan:
# each filter value is a lexeme of both vectors ("portal type news"), ANDed with the words in the tsquery, so
# the GIN index intersects their posting lists. Through the facet cells' btree index a broad filter (a type, a
# year) read some 200,000 index entries at a million documents before the bitmaps were ANDed. The lexemes have a
# space in them, so no query word is ever equal to one. Without words a filter selects facet cells (the listings
# walk the date index and stop after the page).
FILTER_PREFIX = "portal "
# Sorting and hashing tens of thousands of matches must stay in memory; JIT
# compilation costs more than these queries themselves.
_QUERY_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; "
# With words, every plan that reads the matches' vectors row by row (a
# sequential scan tests each out-of-line search_vector) is far slower than the
# GIN index, whatever the planner estimates for a long tsquery of common
# words (synonyms, optional words) on a small table.
_TEXT_SETTINGS = "SET LOCAL enable_seqscan = off; "
_DATE_ORDER = "publish_date DESC NULLS LAST, published_at DESC NULLS LAST, key"
# Every facet and the total from g (matches counted per facet cell): one
# GROUPING SETS pass over the few cells the matches are in.
_FACETS_CTE = (
    "f AS MATERIALIZED (SELECT CASE WHEN GROUPING(cell.unit_code) = 0 THEN 'unit' "
    "WHEN GROUPING(cell.page_type) = 0 THEN 'type' WHEN GROUPING(cell.year) = 0 THEN 'year' "
    "WHEN GROUPING(cell.validity) = 0 THEN 'validity' "
    "WHEN GROUPING(cell.categories) = 0 THEN 'categories' ELSE 'total' END AS facet, "
    "coalesce(cell.unit_code, cell.page_type, cell.year::text, cell.validity) AS value, "
    # Byte order is enough to pick one of a unit's names, and cheaper.
    'CASE WHEN GROUPING(cell.unit_code) = 0 THEN min(cell.unit_name COLLATE "C") END AS label, '
    "coalesce(sum(g.n), 0)::bigint AS n, "
    # Each counted cell looked up by its id in the covering index, as many lookups as g has rows (OFFSET 0 keeps
    # PostgreSQL from turning it into a hash join, which reads all of the cell table, some 30,000 rows at
    # 1,000 units, by index since sequential scans are off for searches with words).
    f"cell.categories FROM g CROSS JOIN LATERAL (SELECT * FROM {CELLS} WHERE id = g.facet_cell OFFSET 0) AS cell "
    "GROUP BY GROUPING SETS ((cell.unit_code), (cell.page_type), (cell.year), (cell.validity), (cell.categories), ()))"
)
# What the page of hits is chosen by, for each match.
_MATCHED = "key, publish_date, published_at, search_vector"
# Whether the title matches among the newest documents (tw, see _page_ctes) include the newest RANK_CANDIDATES.
_RECENT_TITLE_MATCHES_SUFFICE = "(SELECT count(*) FROM tw) >= %(candidates)s"
# How many of the newest documents tw looks at, and how long a process keeps the date that starts them.
RECENT_WINDOW = 50_000
RECENT_FROM_SECONDS = 60
_recent_from: tuple[float, Any] = (0.0, None)


def recent_from():
    """The publish date of the RECENT_WINDOW-th newest document (None while the index has fewer).

    Remembered for RECENT_FROM_SECONDS: a date that has moved on only makes tw hold more or fewer documents,
    and _page_ctes never relies on tw unless it has enough of them, so its results are the same either way.
    """
    global _recent_from
    until, value = _recent_from
    if until > time.monotonic():
        return value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT publish_date FROM {MATCHES} ORDER BY publish_date DESC NULLS LAST, published_at DESC NULLS LAST, key "
            "OFFSET %s LIMIT 1",
            [RECENT_WINDOW],
        )
        row = cursor.fetchone()
    value = row[0] if row else None
    _recent_from = (time.monotonic() + RECENT_FROM_SECONDS, value)
    return value


# Whether the first RANK_CANDIDATES (or offset + limit) matches in the cheap
# order include matches without every word in the title (t: title matches).
_TOO_FEW_TITLE_MATCHES = "(SELECT count(*) FROM t) < %(candidates)s"


# SQLSTATE classes and codes that mean PostgreSQL refused the data written,
# not the connection or the schema: data exceptions (a value too long for its
# column, bad encoding), integrity violations, program limits (a lexeme or a
# tsvector too long) and a malformed tsvector literal.
_REJECTED_CLASSES = ("22", "23", "54")
_REJECTED_CODES = ("42601",)


def _rejected(error: DatabaseError) -> bool:
    cause = error.__cause__
    code = getattr(cause, "pgcode", None) or ""
    return isinstance(cause, psycopg2.Error) and (code[:2] in _REJECTED_CLASSES or code in _REJECTED_CODES)


def _execute_values(cursor, sql: str, rows: list[tuple[Any, ...]], template: str | None = None) -> None:
    """execute_values on the raw psycopg2 cursor, its errors turned into Django's and refusals into DocumentRejected.

    The raw cursor bypasses Django's error wrapping: without it a psycopg2
    error is no DatabaseError and escapes every handler of the outbox.
    """
    try:
        with connection.wrap_database_errors:
            execute_values(cursor.cursor, sql, rows, template=template, page_size=BATCH)
    except DatabaseError as error:
        if _rejected(error):
            raise DocumentRejected(f"{type(error.__cause__).__name__}: {error}".strip()) from error
        raise


def facet_cell_id(
    unit_code: str, unit_name: str, page_type: str, year: int | None, categories: Sequence[str], validity: str = ""
) -> int:
    """The id of a facet cell: the first 8 bytes of the MD5 of its values (migrations 0004 and 0007 compute it in SQL).

    The validity is appended only when there is one, so cells without it kept their ids.
    """
    text = "\x1f".join((unit_code, unit_name, page_type, "" if year is None else str(year), "\x1e".join(categories)))
    if validity:
        text += "\x1f" + validity
    return int.from_bytes(hashlib.md5(text.encode(), usedforsecurity=False).digest()[:8], "big", signed=True)


def in_sample(key: str) -> bool:
    """Whether the document `key` is in the counting sample (see SAMPLE_SHARDS)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % SAMPLE_SHARDS == 0


def _filter_lexeme(facet: str, value: object) -> str:
    return f"{FILTER_PREFIX}{facet} {value}"


def filter_lexemes(
    *, unit_code: str, page_type: str, year: int | None, categories: Sequence[str], validity: str = ""
) -> list[str]:
    """The lexemes a document carries for the filters it passes (see FILTER_PREFIX; migration 0010 builds the same
    in SQL from the facet cells)."""
    lexemes = [_filter_lexeme("unit", unit_code), _filter_lexeme("type", page_type)]
    if year is not None:
        lexemes.append(_filter_lexeme("year", year))
    lexemes += [_filter_lexeme("category", category) for category in categories]
    if validity:
        lexemes.append(_filter_lexeme("validity", validity))
    return lexemes


def _filter_tsquery(query: SearchQuery) -> str:
    """The query's filters as a tsquery of filter_lexemes ANDed ("" without filters)."""
    values = (
        ("unit", query.unit),
        ("type", query.page_type),
        ("year", query.year),
        ("category", query.category),
        ("validity", query.validity and query.validity_label),
    )
    return " & ".join(quote_lexeme(_filter_lexeme(facet, value)) for facet, value in values if value)


def _filtered(tsquery: str, filters: str) -> str:
    return f"({tsquery}) & {filters}" if filters else tsquery


def _rows(docs: list[PortalDoc]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows for the documents, their matches and (once each) their facet cells."""
    documents, matches, cells = [], [], {}
    for doc in docs:
        values = doc.as_dict()
        facets = (doc.unit_code, doc.unit_name, doc.page_type, doc.year, tuple(doc.categories), doc.validity or "")
        if facets not in cells:
            cells[facets] = facet_cell_id(*facets)
        vector = build_tsvector(
            [
                (doc.title, "A"),
                (doc.metadata_text(), "B"),
                # The summary is usually the body's first sentences: do not count them twice.
                ("" if doc.body.startswith(doc.summary) else doc.summary, "C"),
                (doc.body, "C"),
                (" ".join([doc.unit_name, *doc.column_path]), "D"),
            ]
        )
        filters = " ".join(
            quote_lexeme(lexeme)
            for lexeme in filter_lexemes(
                unit_code=doc.unit_code,
                page_type=doc.page_type,
                year=doc.year,
                categories=doc.categories,
                validity=doc.validity or "",
            )
        )
        note = "；".join(part for part in (doc.truncation_note, vector.note()) if part)
        values.update(truncated=bool(note), truncation_note=note)
        documents.append(tuple(values[c] for c in _COLUMNS))
        matches.append(
            (
                doc.key,
                cells[facets],
                doc.publish_date,
                doc.published_at,
                f"{vector.literal} {filters}".lstrip(),
                f"{build_tsvector([(doc.title, 'A')]).literal} {filters}".lstrip(),
                in_sample(doc.key),
            )
        )
    # A very short document's row stays under the TOAST threshold and keeps
    # its vectors in line (~1.5 kB). Written after the others, such rows fill
    # pages of their own, and the ~100-byte rows that most matches are stay
    # packed together for the scans that read every match.
    matches.sort(key=lambda row: len(row[4]), reverse=True)
    return documents, matches, [(cell, *facets[:4], list(facets[4]), facets[5]) for facets, cell in cells.items()]


def _page_type_labels() -> dict[str, str]:
    from search.documents import page_type_labels

    return page_type_labels()


class PostgresBackend(PortalSearchBackend):
    name = "postgres"
    # Refused data comes as DocumentRejected (_execute_values); what is left
    # is the connection or the server, worth retrying later.
    transient_errors = (DatabaseError,)

    def upsert(self, docs: Iterable[PortalDoc]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        chunks = [docs[start : start + BATCH] for start in range(0, len(docs), BATCH)]
        # Segmenting the next chunk overlaps with PostgreSQL writing this one
        # (psycopg2 releases the GIL while the server works).
        with ThreadPoolExecutor(max_workers=1) as segmenter, transaction.atomic(), connection.cursor() as cursor:
            pending = segmenter.submit(_rows, chunks[0])
            for index in range(len(chunks)):
                documents, matches, cells = pending.result()
                if index + 1 < len(chunks):
                    pending = segmenter.submit(_rows, chunks[index + 1])
                _execute_values(cursor, _INSERT_CELLS, cells)
                _execute_values(cursor, _UPSERT, documents, template=_TEMPLATE)
                _execute_values(cursor, _UPSERT_MATCHES, matches, template=_MATCH_TEMPLATE)
        return len(docs)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matches AS (DELETE FROM {MATCHES} WHERE key = ANY(%(keys)s)) "
                f"DELETE FROM {TABLE} WHERE key = ANY(%(keys)s)",
                {"keys": keys},
            )
            return cursor.rowcount

    def count_by_unit(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT unit_code, count(*) FROM {TABLE} GROUP BY unit_code ORDER BY unit_code")
            return dict(cursor.fetchall())

    def keys_of_unit(self, unit_code: str) -> set[str]:
        return set(PortalDocument.objects.filter(unit_code=unit_code).values_list("key", flat=True))

    def reset(self) -> None:
        # Facet cells stay: they are few, and an upsert running alongside may
        # rely on a cell it found already there.
        with connection.cursor() as cursor:
            cursor.execute(f"WITH matches AS (DELETE FROM {MATCHES}) DELETE FROM {TABLE}")

    def rebuild(self, docs: Iterable[PortalDoc]) -> int:
        # One transaction: until it commits, searches keep reading the old rows.
        count = 0
        with transaction.atomic():
            self.reset()
            chunk: list[PortalDoc] = []
            for doc in docs:
                chunk.append(doc)
                if len(chunk) >= BATCH:
                    count += self.upsert(chunk)
                    chunk = []
            count += self.upsert(chunk)
        return count

    # --- search -----------------------------------------------------------

    def _where(
        self, query: SearchQuery, tsquery: str, *, vector: str = "search_vector", exclude: str = ""
    ) -> tuple[str, dict[str, Any]]:
        """Conditions on PortalMatch rows; `vector` is the column the words must match.

        `exclude`: matches of this tsquery are left out (the second tier of a query
        with optional words: what has the required words but not all of them).
        """
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if tsquery:
            # The words and the filters in one tsquery (FILTER_PREFIX); ranking reads the words alone.
            filters = _filter_tsquery(query)
            clauses.append(f"{vector} @@ %(tsquery)s::tsquery")
            params.update(tsquery=_filtered(tsquery, filters), rank=tsquery)
            if exclude:
                # By key, against the GIN index's matches of `exclude` (a hashed subplan): testing each row's
                # own vector would read it out of line, row by row. Only the matches that pass the filters
                # can be excluded, so the subplan holds only those.
                clauses.append(f"key NOT IN (SELECT key FROM {MATCHES} WHERE search_vector @@ %(exclude)s::tsquery)")
                params["exclude"] = _filtered(exclude, filters)
            return " WHERE " + " AND ".join(clauses), params
        cells: list[str] = []
        if query.unit:
            cells.append("unit_code = %(unit)s")
            params["unit"] = query.unit
        if query.page_type:
            cells.append("page_type = %(page_type)s")
            params["page_type"] = query.page_type
        if query.category:
            cells.append("categories @> ARRAY[%(category)s]::varchar[]")
            params["category"] = query.category
        if query.year:
            cells.append("year = %(year)s")
            params["year"] = query.year
        if query.validity:
            cells.append("validity = %(validity)s")
            params["validity"] = query.validity_label
        if cells:
            # Without words a filter selects facet cells, looked up first and passed as an array the planner can
            # see (a subquery's array it would guess at, badly): the listings then walk the date index and
            # stop after the page.
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT array_agg(id) FROM {CELLS} WHERE {' AND '.join(cells)}", params)
                params["cells"] = _array_literal(cursor.fetchone()[0] or [])
            clauses.append("facet_cell = ANY(%(cells)s::bigint[])")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def plan(self, query: SearchQuery) -> QueryPlan | None:
        return plan_query(query.text, synonyms=synonym_map()) if query.text else None

    def search(self, query: SearchQuery) -> SearchResult:
        """Matches of the plan's required words; with optional words (2026年招生) those with all words come first."""
        started = time.perf_counter()
        plan = self.plan(query)
        required = plan.required if plan else ""
        if query.text and not required:
            return SearchResult(query=query, hits=[], total=0, took_ms=0.0)
        terms = plan.highlight_terms() if plan else []
        patterns = plan.highlight_patterns() if plan else []
        tiered = plan is not None and plan.has_optional and query.effective_order == Order.RELEVANCE
        approximate = False
        settings = _QUERY_SETTINGS + (_TEXT_SETTINGS if query.text else "")
        with transaction.atomic(), connection.cursor() as cursor:
            if tiered or not query.with_facets:
                cursor.execute(settings)
            if tiered:
                rows, facets, total, approximate = self._tiered(cursor, query, plan)
            else:
                where, params = self._where(query, required)
                self._page_params(query, params, offset=query.offset, limit=query.per_page)
                if query.with_facets:
                    # The settings go with the sample's count: one round trip.
                    sample = self._sample(cursor, where, params, settings=settings)
                    approximate = sample is not None
                    rows, facet_rows = self._page_and_facets(
                        cursor, query, where, {**params, **(sample or {})}, sampled=approximate
                    )
                    facets, total = self._facets(facet_rows)
                else:
                    self._page_only(cursor, query, where, params)
                    rows = _dicts(cursor)
                    cursor.execute(f"SELECT count(*) FROM {MATCHES}{where}", params)
                    facets, total = {}, cursor.fetchone()[0]
        hits = [self._hit(row, terms, patterns, row["body"] if terms else "") for row in rows]
        return SearchResult(
            query=query,
            hits=hits,
            total=total,
            facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
            approximate=approximate,
        )

    def count(self, query: SearchQuery) -> int:
        """How many documents match (suggestions weigh the words of a query that found nothing)."""
        plan = self.plan(query)
        required = plan.required if plan else ""
        if query.text and not required:
            return 0
        where, params = self._where(query, required)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_QUERY_SETTINGS + (_TEXT_SETTINGS if query.text else ""))
            cursor.execute(f"SELECT count(*) FROM {MATCHES}{where}", params)
            return cursor.fetchone()[0]

    @staticmethod
    def _page_params(query: SearchQuery, params: dict[str, Any], *, offset: int, limit: int) -> None:
        # Beyond the ranked set a page is cut from the first offset + limit
        # matches in the cheap order.
        params.update(limit=limit, offset=offset, candidates=max(RANK_CANDIDATES, offset + limit))
        params.setdefault("rank", "")

    @staticmethod
    def _sample_where(where: str) -> str:
        # As the partial index's predicate is written (search.models.PortalMatch), so the planner uses it.
        return _and(where) + "in_sample"

    def _sample(self, cursor, where: str, params: dict[str, Any], *, settings: str = "") -> dict[str, Any] | None:
        """The sample's matches counted per facet cell and scaled, when they pass EXACT_UP_TO; else None.

        As parameters of g (`_facet_counts`): the sample is read once. A search with few matches pays for one
        more GIN lookup only.
        """
        cursor.execute(
            f"{settings}SELECT facet_cell, count(*) FROM {MATCHES}{self._sample_where(where)} GROUP BY facet_cell",
            params,
        )
        rows = cursor.fetchall()
        if sum(n for _, n in rows) * SAMPLE_SHARDS <= EXACT_UP_TO:
            return None
        return {
            "sample_cells": _array_literal(cell for cell, _ in rows),
            "sample_counts": _array_literal(n * SAMPLE_SHARDS for _, n in rows),
        }

    def _facet_counts(self, where: str, *, sampled: bool) -> str:
        """g: the matches counted per facet cell, or the sample's (`_sample`)."""
        if sampled:
            return "SELECT * FROM unnest(%(sample_cells)s::bigint[], %(sample_counts)s::bigint[]) AS g(facet_cell, n)"
        return f"SELECT facet_cell, count(*) AS n FROM {MATCHES}{where} GROUP BY facet_cell"

    def _tiered(self, cursor, query: SearchQuery, plan: QueryPlan) -> tuple[list[dict[str, Any]], dict, int, bool]:
        """A query with optional words: first the matches with every word, then those with the required ones only.

        Each tier is ranked as a query of its own; the total and the facets count both.
        """
        where_all, params_all = self._where(query, plan.full)
        offset, limit = query.offset, query.per_page
        self._page_params(query, params_all, offset=offset, limit=limit)
        self._page_only(cursor, query, where_all, params_all)
        rows: list[dict[str, Any]] = _dicts(cursor)
        if len(rows) < limit:
            # The first tier ends before this page does: it has offset + len(rows) matches, unless it ends before
            # the page begins. Only then are they counted, up to the page's start: with a LIMIT the heap scan
            # stops there instead of reading every match of a common word (the total comes from the facets).
            # Materialised, so the LIMIT cannot make PostgreSQL test row after row's out-of-line vector instead.
            first_tier = offset + len(rows)
            if not rows and offset:
                cursor.execute(
                    f"WITH first_tier AS MATERIALIZED (SELECT FROM {MATCHES}{where_all}) "
                    "SELECT count(*) FROM (SELECT FROM first_tier LIMIT %(offset)s) AS page",
                    params_all,
                )
                first_tier = cursor.fetchone()[0]
            where_rest, params_rest = self._where(query, plan.required, exclude=plan.full)
            self._page_params(query, params_rest, offset=max(0, offset - first_tier), limit=limit - len(rows))
            self._page_only(cursor, query, where_rest, params_rest, exclude=plan.full)
            rows += _dicts(cursor)
        where, params = self._where(query, plan.required)
        approximate = False
        if query.with_facets:
            sample = self._sample(cursor, where, params)
            approximate = sample is not None
            facets, total = self._facets(self._facet_rows(cursor, where, {**params, **(sample or {})}, sampled=approximate))
        else:
            cursor.execute(f"SELECT count(*) FROM {MATCHES}{where}", params)
            facets, total = {}, cursor.fetchone()[0]
        return rows, facets, total, approximate

    def _page_ctes(self, query: SearchQuery, params: dict[str, Any], *, where: str, exclude: str = "") -> tuple[list[str], str]:
        """CTEs that end in `p`, the keys of the page of hits with their score, over the matches `m` (`where`).

        Also returns the order of `p`'s rows, for the join with the wide rows.

        With words, the newest matches are looked for among the newest documents first (mw: the matches
        published on or after recent_from, see tw below); m, all of the matches, is read only when mw has
        too few, or for the facets.
        """
        words = params.get("rank", "")
        page = "LIMIT %(limit)s OFFSET %(offset)s"
        if query.text:
            params["recent_from"] = recent_from()
            windowed = f"mw AS MATERIALIZED (SELECT {_MATCHED} FROM {MATCHES}{_and(where)}publish_date >= %(recent_from)s)"
        if query.effective_order != Order.RELEVANCE:
            if not query.text:
                newest = f"SELECT key, NULL::float AS score, publish_date, published_at FROM m ORDER BY {_DATE_ORDER} {page}"
                return [f"p AS ({newest})"], _date_order("p")
            newest = (
                f"SELECT key, NULL::float AS score, publish_date, published_at FROM {_newest('%(offset)s + %(limit)s')} "
                f"ORDER BY {_DATE_ORDER} {page}"
            )
            return [windowed, f"p AS ({newest})"], _date_order("p")
        title_where, _ = self._where(query, words, vector="title_vector", exclude=exclude)
        ctes = [
            windowed,
            # A title match is a match: titles are indexed in search_vector
            # too and queries only combine words with AND and OR (a second
            # tier's exclusion applies to both alike). The title
            # matches come from the title GIN index; materialised apart from
            # their ORDER BY … LIMIT, as otherwise PostgreSQL may walk the date
            # index instead and read title_vector out of line row by row.
            #
            # A common word has tens of thousands of title matches, and only the newest RANK_CANDIDATES are
            # wanted: they are looked for among the newest documents first (tw: title matches published on or
            # after recent_from, the date of the RECENT_WINDOW-th newest document). When tw has enough, they
            # are all of the newest title matches, since every title match outside tw is older than all of tw,
            # and tm is never read; otherwise tm has every title match.
            f"tw AS MATERIALIZED (SELECT {_MATCHED} FROM {MATCHES}{_and(title_where)}publish_date >= %(recent_from)s)",
            f"tm AS MATERIALIZED (SELECT {_MATCHED} FROM {MATCHES}{_and(title_where)}NOT {_RECENT_TITLE_MATCHES_SUFFICE})",
            f"t AS MATERIALIZED (SELECT {_MATCHED} FROM (SELECT {_MATCHED} FROM tw WHERE {_RECENT_TITLE_MATCHES_SUFFICE} "
            f"UNION ALL SELECT {_MATCHED} FROM tm) AS u ORDER BY {_DATE_ORDER} LIMIT %(candidates)s)",
            # The first matches in the cheap order: title matches newest first
            # (all of them when there are fewer than wanted), then the newest
            # of the others, which are among the newest matches of all. A
            # common word usually has enough title matches, and then m, the
            # matches with their order columns, is never read at all.
            f"c AS (SELECT in_title, {_MATCHED} FROM (SELECT true AS in_title, {_MATCHED} FROM t UNION ALL "
            f"SELECT false, {_MATCHED} FROM (SELECT {_MATCHED} FROM {_newest('%(candidates)s')} ORDER BY {_DATE_ORDER} "
            "LIMIT %(candidates)s) "
            f"AS recent WHERE {_TOO_FEW_TITLE_MATCHES} AND NOT EXISTS (SELECT FROM t WHERE t.key = recent.key)) AS u "
            f"ORDER BY in_title DESC, {_DATE_ORDER} LIMIT %(candidates)s)",
        ]
        if params["offset"] + params["limit"] > RANK_CANDIDATES:
            # Beyond the ranked set the order is the cheap one, which is also
            # how that set was chosen, so this page follows the ranked ones.
            ctes.append(
                "p AS (SELECT key, NULL::float AS score, in_title, publish_date, published_at FROM c "
                f"ORDER BY in_title DESC, {_DATE_ORDER} {page})"
            )
            return ctes, f"p.in_title DESC, {_date_order('p')}"
        # search_vector came along as a reference to its out-of-line value,
        # which only ts_rank_cd reads, for these few rows.
        ctes.append(
            "p AS (SELECT key, ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', search_vector, %(rank)s::tsquery, 32)"
            " + CASE WHEN in_title THEN 1 ELSE 0 END AS score, publish_date, published_at "
            f"FROM c ORDER BY score DESC, {_DATE_ORDER} {page})"
        )
        return ctes, f"p.score DESC, {_date_order('p')}"

    def _page_only(self, cursor, query: SearchQuery, where: str, params: dict[str, Any], *, exclude: str = "") -> None:
        """The page of hits without facets (home page, feeds: newest first; a tier of a query with optional words)."""
        # Without words m is planned into the query, so the home page walks the
        # date index and stops after the page. With words it is materialised:
        # under ORDER BY … LIMIT PostgreSQL might otherwise walk that index
        # and read every row's out-of-line search_vector to test it.
        ctes, order = self._page_ctes(query, params, where=where, exclude=exclude)
        materialized = "MATERIALIZED " if query.text else ""
        cursor.execute(
            f"WITH m AS {materialized}(SELECT {_MATCHED} FROM {MATCHES}{where}), "
            f"{', '.join(ctes)} SELECT {_hit_columns('d')}, d.body, p.score FROM p JOIN {TABLE} AS d ON d.key = p.key "
            f"ORDER BY {order}",
            params,
        )

    def _page_and_facets(
        self, cursor, query: SearchQuery, where: str, params: dict[str, Any], *, sampled: bool = False
    ) -> tuple[list[dict[str, Any]], list[tuple[str, str | None, str | None, int]]]:
        # One statement, one bitmap heap scan of the matches. Facets count the
        # matches per facet cell (one integer each), then one GROUPING SETS
        # pass over those few cells gives every facet and the total;
        # categories are grouped as whole arrays (a column has one set) and
        # only then unnested. When the page needs m (ordered by date, or too
        # few title matches: see _page_ctes) the matches are read once into m,
        # which feeds both; otherwise the facets count straight from the scan,
        # as storing every match to read it again is a good part of the cost.
        # Only one branch of g runs (the other's one-time filter is false).
        # Hit rows and facet rows share one result; `facet` tells them apart,
        # and `position` keeps the page's order (page is materialised in order).
        ctes, order = self._page_ctes(query, params, where=where)
        hit_names = [column.strip() for column in _HIT_COLUMNS.split(",")] + ["body", "score"]
        nulls = ", ".join("NULL" for _ in hit_names)
        if sampled:
            # Counted already, on the sample (see SAMPLE_SHARDS), whatever the page needs.
            counts = self._facet_counts(where, sampled=True)
        elif query.effective_order == Order.RELEVANCE:
            counts = (
                f"SELECT facet_cell, count(*) AS n FROM m WHERE {_TOO_FEW_TITLE_MATCHES} GROUP BY facet_cell "
                f"UNION ALL SELECT facet_cell, count(*) FROM {MATCHES}{where} AND NOT {_TOO_FEW_TITLE_MATCHES} "
                "GROUP BY facet_cell"
            )
        else:
            counts = "SELECT facet_cell, count(*) AS n FROM m GROUP BY facet_cell"
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT {_MATCHED}, facet_cell FROM {MATCHES}{where}), "
            f"{', '.join(ctes)}, "
            f"page AS MATERIALIZED (SELECT {_hit_columns('d')}, d.body, p.score FROM p JOIN {TABLE} AS d "
            f"ON d.key = p.key ORDER BY {order}), "
            f"g AS ({counts}), {_FACETS_CTE} "
            "SELECT NULL::text AS facet, NULL::text AS value, NULL::text AS label, NULL::bigint AS n, "
            "row_number() OVER () AS position, page.* FROM page "
            f"UNION ALL SELECT facet, value, label, n, NULL, {nulls} FROM f WHERE facet <> 'categories' "
            f"UNION ALL SELECT 'category', c, NULL, sum(n)::bigint, NULL, {nulls} "
            "FROM f, unnest(f.categories) AS c WHERE f.facet = 'categories' GROUP BY c",
            params,
        )
        hits: list[tuple[int, dict[str, Any]]] = []
        facet_rows = []
        for row in cursor.fetchall():
            if row[0] is None:
                hits.append((row[4], dict(zip(hit_names, row[5:], strict=False))))
            else:
                facet_rows.append(row[:4])
        return [hit for _, hit in sorted(hits, key=lambda item: item[0])], facet_rows

    def _facet_rows(
        self, cursor, where: str, params: dict[str, Any], *, sampled: bool = False
    ) -> list[tuple[str, str | None, str | None, int]]:
        """The facets and the total alone (the tiers of a query with optional words have their own pages)."""
        cursor.execute(
            f"WITH g AS ({self._facet_counts(where, sampled=sampled)}), {_FACETS_CTE} "
            "SELECT facet, value, label, n FROM f WHERE facet <> 'categories' "
            "UNION ALL SELECT 'category', c, NULL, sum(n)::bigint FROM f, unnest(f.categories) AS c "
            "WHERE f.facet = 'categories' GROUP BY c",
            params,
        )
        return cursor.fetchall()

    def _hit(self, row: dict[str, Any], terms: list[str], patterns: list[str], body: str) -> Hit:
        text = body or row["summary"]
        return Hit(
            key=row["key"],
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            title=row["title"],
            title_html=highlight(row["title"], terms, patterns),
            snippet_html=snippet(text, terms, patterns=patterns) if terms or patterns else snippet(row["summary"], []),
            url=row["url"],
            page_type=row["page_type"],
            column_title=row["column_title"],
            column_path=list(row["column_path"] or []),
            categories=list(row["categories"] or []),
            publish_date=row["publish_date"],
            written_date=row["written_date"],
            published_at=row["published_at"],
            summary=row["summary"],
            metadata=metadata_of(row),
            score=row["score"],
        )

    def _facets(self, rows: list[tuple[str, str | None, str | None, int]]) -> tuple[dict[str, list[FacetBucket]], int]:
        labels = _page_type_labels()
        facets: dict[str, list[FacetBucket]] = {"unit": [], "type": [], "category": [], "year": [], "validity": []}
        total = 0
        for facet, value, label, count in rows:
            if facet == "total":
                total = count
            elif facet in ("year", "validity") and not value:
                # Documents without a year or a validity count towards the total only.
                continue
            elif facet == "validity":
                facets[facet].append(FacetBucket(value=VALIDITY_KEYS.get(value, value), label=value, count=count))
            elif facet == "type":
                facets[facet].append(FacetBucket(value=value, label=labels.get(value, value), count=count))
            else:
                facets[facet].append(FacetBucket(value=value, label=label or value, count=count))
        for facet in ("unit", "type", "category", "validity"):
            facets[facet].sort(key=lambda b: (-b.count, b.value))
        facets["year"].sort(key=lambda b: b.value, reverse=True)
        return facets, total


def _and(where: str) -> str:
    """`where` continued by one more condition."""
    return f"{where} AND " if where else " WHERE "


def _newest(wanted: str) -> str:
    """The matches to take the newest `wanted` from: those of mw when it has that many (then they are all of the
    newest, since every other match is older than all of mw), else all of them (m, read only then)."""
    enough = f"(SELECT count(*) FROM mw) >= {wanted}"
    return f"(SELECT {_MATCHED} FROM mw WHERE {enough} UNION ALL SELECT {_MATCHED} FROM m WHERE NOT {enough}) AS newest"


def _array_literal(numbers: Iterable[int]) -> str:
    """An integer array as one text value ("{1,2,3}"): psycopg2 sends a list as ARRAY[1, 2, 3], thousands of
    constants for PostgreSQL to parse and plan one by one."""
    return "{" + ",".join(str(int(number)) for number in numbers) + "}"


def _dicts(cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def _date_order(alias: str) -> str:
    return f"{alias}.publish_date DESC NULLS LAST, {alias}.published_at DESC NULLS LAST, {alias}.key"


def _hit_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in _HIT_COLUMNS.split(","))
