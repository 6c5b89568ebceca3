"""The portal index in PostgreSQL: one table in the public schema, jieba-segmented tsvector.

Weights: A title, B metadata (文号, 发布机构, 主题词, 索引号), C summary and body,
D unit and column names. Ranking is ts_rank_cd normalised into [0, 1) plus 1
when every query word is in the title, so a title match always ranks above a
body-only match.
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
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}, search_vector, indexed_at) VALUES %s "
    f"ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_COLUMNS[1:], "search_vector", "indexed_at"))
)
_TEMPLATE = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ", %s::tsvector, now())"
_HIT_COLUMNS = (
    "key, unit_code, unit_name, column_path, column_title, page_type, categories, publish_date, written_date, "
    "published_at, url, title, summary, doc_number, issuing_body, subject_words, index_number, validity"
)
BATCH = 500


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
        params.update(limit=query.per_page, offset=query.offset)
        if query.effective_order == Order.RELEVANCE:
            params["title_tsquery"] = tsquery_text(query.text, weight="A")
            score = (
                "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', search_vector, %(tsquery)s::tsquery, 32)"
                " + CASE WHEN search_vector @@ %(title_tsquery)s::tsquery THEN 1 ELSE 0 END"
            )
            order_by = "score DESC, publish_date DESC NULLS LAST, published_at DESC NULLS LAST, key"
        else:
            score = "NULL::float"
            order_by = "publish_date DESC NULLS LAST, published_at DESC NULLS LAST, key"
        terms = highlight_terms(query.text) if query.text else []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_HIT_COLUMNS}, ({score}) AS score FROM {TABLE}{where} "
                f"ORDER BY {order_by} LIMIT %(limit)s OFFSET %(offset)s",
                params,
            )
            rows = _dicts(cursor)
            bodies = self._bodies([r["key"] for r in rows]) if terms else {}
            facets, total = self._facets(cursor, where, params) if query.with_facets else ({}, None)
            if total is None:
                cursor.execute(f"SELECT count(*) FROM {TABLE}{where}", params)
                total = cursor.fetchone()[0]
        hits = [self._hit(row, terms, bodies.get(row["key"], "")) for row in rows]
        return SearchResult(
            query=query, hits=hits, total=total, facets=facets, took_ms=(time.perf_counter() - started) * 1000
        )

    def _bodies(self, keys: list[str]) -> dict[str, str]:
        # Bodies are wide: read them only for the page of hits being shown.
        return dict(PortalDocument.objects.filter(key__in=keys).values_list("key", "body"))

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

    def _facets(self, cursor, where: str, params: dict[str, Any]) -> tuple[dict[str, list[FacetBucket]], int]:
        # One pass over the matches feeds every facet and the total.
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT unit_code, unit_name, page_type, year, categories FROM {TABLE}{where}) "
            "SELECT 'unit', unit_code, min(unit_name), count(*) FROM m GROUP BY unit_code "
            "UNION ALL SELECT 'type', page_type, NULL, count(*) FROM m GROUP BY page_type "
            "UNION ALL SELECT 'year', year::text, NULL, count(*) FROM m WHERE year IS NOT NULL GROUP BY year "
            "UNION ALL SELECT 'category', c, NULL, count(*) FROM m, unnest(m.categories) AS c GROUP BY c "
            "UNION ALL SELECT 'total', NULL, NULL, count(*) FROM m",
            params,
        )
        labels = _page_type_labels()
        facets: dict[str, list[FacetBucket]] = {"unit": [], "type": [], "category": [], "year": []}
        total = 0
        for facet, value, label, count in cursor.fetchall():
            if facet == "total":
                total = count
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
