"""The portal index in PostgreSQL: one table in the public schema, jieba-segmented tsvector.

Weights: A title, B metadata (文号, 发布机构, 主题词, 索引号), C summary and body,
D unit and column names. Ranking is ts_rank_cd normalised into [0, 1) plus 1
when every query word is in the title, so a title match always ranks above a
body-only match.

Search runs in two stages so that a common word (a sixth of the index)
stays fast: the GIN index selects the matches, which are ordered cheaply by
(title match, newest first) with the title test answered by a second GIN
index on title_vector, and only the first RANK_CANDIDATES of them are ranked
with ts_rank_cd, which has to read the out-of-line search_vector. Past that
set results continue in the cheap order (score None), so title matches still
come first and pages never overlap. The same single scan of the matches also
feeds the facets and the total.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from django.db import DatabaseError, connection, transaction
from psycopg2.extras import execute_values

from search.highlight import highlight, snippet
from search.models import PortalDocument
from search.segmentation import highlight_terms, tsquery_text, tsvector_literal

from .base import FacetBucket, Hit, Order, PortalDoc, PortalSearchBackend, SearchQuery, SearchResult, metadata_of

TABLE = PortalDocument._meta.db_table
_COLUMNS = (
    "key", "schema_name", "page_id", "unit_code", "unit_name", "column_path", "column_title", "page_type",
    "categories", "publish_date", "written_date", "year", "published_at", "url", "title", "summary", "body",
    "doc_number", "issuing_body", "subject_words", "index_number", "validity",
)
_UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}, search_vector, title_vector, indexed_at) VALUES %s "
    f"ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_COLUMNS[1:], "search_vector", "title_vector", "indexed_at"))
)
_TEMPLATE = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ", %s::tsvector, %s::tsvector, now())"
_HIT_COLUMNS = (
    "key, unit_code, unit_name, column_path, column_title, page_type, categories, publish_date, written_date, "
    "published_at, url, title, summary, doc_number, issuing_body, subject_words, index_number, validity"
)
BATCH = 500
# How many matches (title matches first, then newest) are ranked by ts_rank_cd.
RANK_CANDIDATES = 200
# Sorting and hashing tens of thousands of matches must stay in memory; JIT
# compilation costs more than these queries themselves.
_QUERY_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; "
_DATE_ORDER = "publish_date DESC NULLS LAST, published_at DESC NULLS LAST, key"


def _row(doc: PortalDoc) -> tuple[Any, ...]:
    values = doc.as_dict()
    return (
        *(values[c] for c in _COLUMNS),
        tsvector_literal(
            [
                (doc.title, "A"),
                (doc.metadata_text(), "B"),
                # The summary is usually the body's first sentences: do not count them twice.
                ("" if doc.body.startswith(doc.summary) else doc.summary, "C"),
                (doc.body, "C"),
                (" ".join([doc.unit_name, *doc.column_path]), "D"),
            ]
        ),
        tsvector_literal([(doc.title, "A")]),
    )


def _rows(docs: list[PortalDoc]) -> list[tuple[Any, ...]]:
    return [_row(doc) for doc in docs]


def _page_type_labels() -> dict[str, str]:
    from search.documents import page_type_labels

    return page_type_labels()


class PostgresBackend(PortalSearchBackend):
    name = "postgres"
    transient_errors = (DatabaseError,)

    def upsert(self, docs: Iterable[PortalDoc]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        chunks = [docs[start:start + BATCH] for start in range(0, len(docs), BATCH)]
        # Segmenting the next chunk overlaps with PostgreSQL writing this one
        # (psycopg2 releases the GIL while the server works).
        with ThreadPoolExecutor(max_workers=1) as segmenter, transaction.atomic(), connection.cursor() as cursor:
            pending = segmenter.submit(_rows, chunks[0])
            for index in range(len(chunks)):
                rows = pending.result()
                if index + 1 < len(chunks):
                    pending = segmenter.submit(_rows, chunks[index + 1])
                execute_values(cursor.cursor, _UPSERT, rows, template=_TEMPLATE, page_size=BATCH)
        return len(docs)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE key = ANY(%s)", [keys])
            return cursor.rowcount

    def count_by_unit(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT unit_code, count(*) FROM {TABLE} GROUP BY unit_code ORDER BY unit_code")
            return dict(cursor.fetchall())

    def keys_of_unit(self, unit_code: str) -> set[str]:
        return set(PortalDocument.objects.filter(unit_code=unit_code).values_list("key", flat=True))

    def reset(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

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

    def _where(self, query: SearchQuery, tsquery: str) -> tuple[str, dict[str, Any]]:
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if tsquery:
            clauses.append("search_vector @@ %(tsquery)s::tsquery")
            params["tsquery"] = tsquery
        if query.unit:
            clauses.append("unit_code = %(unit)s")
            params["unit"] = query.unit
        if query.page_type:
            clauses.append("page_type = %(page_type)s")
            params["page_type"] = query.page_type
        if query.category:
            clauses.append("categories @> ARRAY[%(category)s]::varchar[]")
            params["category"] = query.category
        if query.year:
            clauses.append("year = %(year)s")
            params["year"] = query.year
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        tsquery = tsquery_text(query.text) if query.text else ""
        if query.text and not tsquery:
            return SearchResult(query=query, hits=[], total=0, took_ms=0.0)
        where, params = self._where(query, tsquery)
        params.update(limit=query.per_page, offset=query.offset, candidates=RANK_CANDIDATES)
        terms = highlight_terms(query.text) if query.text else []
        with transaction.atomic(), connection.cursor() as cursor:
            if query.with_facets:
                rows, facet_rows = self._page_and_facets(cursor, query, where, params)
                facets, total = self._facets(facet_rows)
            else:
                self._page_only(cursor, query, where, params)
                rows = _dicts(cursor)
                cursor.execute(f"SELECT count(*) FROM {TABLE}{where}", params)
                facets, total = {}, cursor.fetchone()[0]
        hits = [self._hit(row, terms, row["body"] if terms else "") for row in rows]
        return SearchResult(
            query=query, hits=hits, total=total, facets=facets, took_ms=(time.perf_counter() - started) * 1000
        )

    def _page_sql(self, query: SearchQuery, matches: str) -> str:
        """The page of hits as SQL over `matches` (a relation of matching keys with their order columns)."""
        hit_columns = ", ".join(f"d.{column.strip()}" for column in _HIT_COLUMNS.split(",")) + ", d.body"
        page = "LIMIT %(limit)s OFFSET %(offset)s"
        if query.effective_order != Order.RELEVANCE:
            return (
                f"SELECT {hit_columns}, NULL::float AS score FROM (SELECT key FROM {matches} "
                f"ORDER BY {_DATE_ORDER} {page}) AS p JOIN {TABLE} AS d ON d.key = p.key "
                "ORDER BY d.publish_date DESC NULLS LAST, d.published_at DESC NULLS LAST, d.key"
            )
        cheap_order = f"in_title DESC, {_DATE_ORDER}"
        if query.offset + query.per_page > RANK_CANDIDATES:
            # Beyond the ranked set the order is the cheap one, which is also
            # how that set was chosen, so this page follows the ranked ones.
            return (
                f"SELECT {hit_columns}, NULL::float AS score FROM (SELECT key, in_title FROM {matches} "
                f"ORDER BY {cheap_order} {page}) AS p JOIN {TABLE} AS d ON d.key = p.key "
                "ORDER BY p.in_title DESC, d.publish_date DESC NULLS LAST, d.published_at DESC NULLS LAST, d.key"
            )
        return (
            f"SELECT {hit_columns}, "
            "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d.search_vector, %(tsquery)s::tsquery, 32)"
            " + CASE WHEN c.in_title THEN 1 ELSE 0 END AS score "
            f"FROM (SELECT key, in_title FROM {matches} ORDER BY {cheap_order} LIMIT %(candidates)s) AS c "
            f"JOIN {TABLE} AS d ON d.key = c.key "
            "ORDER BY score DESC, d.publish_date DESC NULLS LAST, d.published_at DESC NULLS LAST, d.key "
            f"{page}"
        )

    def _in_title(self, query: SearchQuery) -> str:
        if query.effective_order != Order.RELEVANCE:
            return "NULL::boolean"
        # A hashed subplan over the title GIN index: title_vector is stored
        # out of line, so testing it row by row would read the TOAST table.
        return f"key IN (SELECT key FROM {TABLE} WHERE title_vector @@ %(tsquery)s::tsquery)"

    def _page_only(self, cursor, query: SearchQuery, where: str, params: dict[str, Any]) -> None:
        """The page of hits without facets (home page, feeds: newest first)."""
        if query.effective_order != Order.RELEVANCE:
            cursor.execute(
                f"{_QUERY_SETTINGS}SELECT {_HIT_COLUMNS}, body, NULL::float AS score FROM {TABLE}{where} "
                f"ORDER BY {_DATE_ORDER} LIMIT %(limit)s OFFSET %(offset)s",
                params,
            )
            return
        matches = (
            f"(SELECT key, {self._in_title(query)} AS in_title, publish_date, published_at FROM {TABLE}{where}) AS m"
        )
        cursor.execute(f"{_QUERY_SETTINGS}{self._page_sql(query, matches)}", params)

    def _page_and_facets(
        self, cursor, query: SearchQuery, where: str, params: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[tuple[str, str | None, str | None, int]]]:
        # One statement, one bitmap heap scan: the matches are read once into
        # m, which feeds both the page of hits and every facet with the total.
        # Facets are one GROUPING SETS pass over m; categories are grouped as
        # whole arrays (a column has one set) and only then unnested. Hit rows
        # and facet rows share one result; `facet` tells them apart, and
        # `position` keeps the page's order (page is materialised in order).
        hit_names = [column.strip() for column in _HIT_COLUMNS.split(",")] + ["body", "score"]
        nulls = ", ".join("NULL" for _ in hit_names)
        cursor.execute(
            f"{_QUERY_SETTINGS}WITH m AS MATERIALIZED (SELECT key, {self._in_title(query)} AS in_title, "
            f"publish_date, published_at, unit_code, unit_name, page_type, year, categories FROM {TABLE}{where}), "
            f"page AS MATERIALIZED ({self._page_sql(query, 'm')}), "
            "f AS MATERIALIZED (SELECT CASE WHEN GROUPING(unit_code) = 0 THEN 'unit' "
            "WHEN GROUPING(page_type) = 0 THEN 'type' WHEN GROUPING(year) = 0 THEN 'year' "
            "WHEN GROUPING(categories) = 0 THEN 'categories' ELSE 'total' END AS facet, "
            "coalesce(unit_code, page_type, year::text) AS value, "
            "CASE WHEN GROUPING(unit_code) = 0 THEN min(unit_name) END AS label, count(*) AS n, categories "
            "FROM m GROUP BY GROUPING SETS ((unit_code), (page_type), (year), (categories), ())) "
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
                hits.append((row[4], dict(zip(hit_names, row[5:]))))
            else:
                facet_rows.append(row[:4])
        return [hit for _, hit in sorted(hits, key=lambda item: item[0])], facet_rows

    def _hit(self, row: dict[str, Any], terms: list[str], body: str) -> Hit:
        text = body or row["summary"]
        return Hit(
            key=row["key"],
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            title=row["title"],
            title_html=highlight(row["title"], terms),
            snippet_html=snippet(text, terms) if terms else snippet(row["summary"], []),
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
        facets: dict[str, list[FacetBucket]] = {"unit": [], "type": [], "category": [], "year": []}
        total = 0
        for facet, value, label, count in rows:
            if facet == "total":
                total = count
            elif facet == "year" and value is None:
                # Documents without a year count towards the total only.
                continue
            elif facet == "type":
                facets[facet].append(FacetBucket(value=value, label=labels.get(value, value), count=count))
            else:
                facets[facet].append(FacetBucket(value=value, label=label or value, count=count))
        for facet in ("unit", "type", "category"):
            facets[facet].sort(key=lambda b: (-b.count, b.value))
        facets["year"].sort(key=lambda b: b.value, reverse=True)
        return facets, total


def _dicts(cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
