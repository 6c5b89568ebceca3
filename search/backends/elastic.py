"""The portal index in Elasticsearch (elasticsearch.dsl, writes through helpers.bulk).

Searches and writes go through an alias (settings.ELASTICSEARCH_INDEX). Concrete
indices are named `<alias>-v<VERSION>-<timestamp>` and get their settings from
the versioned index template `<alias>-v<VERSION>`; a rebuild fills a new index
and swaps the alias in one atomic update_aliases call, then drops the old one.

Search forgives as in PostgreSQL (search.segmentation's QueryPlan): the text is
matched in normalised copies (`*_norm`: 繁体 to 简体, half-width), 文号 through
their exact tokens (`doc_tokens`: the canonical 文号, its issuer and suffixes,
the year), synonyms as alternatives; the plan's required groups must match and
its optional ones (single characters, years, numbers) only raise the score.
Titles and snippets are highlighted by search.highlight, as in PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.dsl import Index, Q, Search
from elasticsearch.dsl.field import Boolean, Date, Integer, Keyword, Text
from elasticsearch.helpers import BulkIndexError, bulk, scan

from search.documents import page_type_labels
from search.highlight import highlight, snippet
from search.normalize import doc_number_tokens, normalise
from search.segmentation import QueryGroup, QueryPlan, plan_query
from search.synonyms import synonym_map

from .base import (
    VALIDITY_KEYS,
    DocumentRejected,
    FacetBucket,
    Hit,
    Order,
    PortalDoc,
    PortalSearchBackend,
    SearchBackendError,
    SearchQuery,
    SearchResult,
    metadata_of,
)

# 2: the normalised copies and doc_tokens (older indices get them by a mapping update and a reindex).
INDEX_VERSION = 2
# Index analyzer and search analyzer per setting: "cjk" is built in (bigrams);
# "smartcn" and "ik" need their plugins on every node.
ANALYZERS = {
    "cjk": ("cjk", "cjk"),
    "smartcn": ("smartcn", "smartcn"),
    "ik": ("ik_max_word", "ik_smart"),
}
# Item statuses of a bulk response worth retrying later (the cluster was busy
# or failing); any other refusal is about the document itself.
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Fields added to the mapping after INDEX_VERSION 1 indices were created: an
# additive mapping update, made once per process on the aliased index.
_ADDED_FIELDS: dict[str, dict[str, Any]] = {
    "truncated": {"type": "boolean"},
    "truncation_note": {"type": "keyword", "index": False, "doc_values": False},
    "doc_tokens": {"type": "keyword"},
}
# Normalised copies of the text fields, searched instead of the originals (which are displayed).
_NORM_FIELDS = ("title_norm", "meta_norm", "text_norm")
_mapping_updated: set[tuple[str, str]] = set()
_TEXT_FIELDS = {"title_norm": 10.0, "meta_norm": 3.0, "text_norm": 1.0}
_TAGS = re.compile(r"</?mark>")


@lru_cache(maxsize=4)
def _client(url: str) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=10, retry_on_timeout=True, max_retries=2)


class ElasticsearchBackend(PortalSearchBackend):
    name = "elasticsearch"
    transient_errors = (ApiError, TransportError, BulkIndexError, SearchBackendError)

    def __init__(self, *, url: str, index: str, analyzer: str = "cjk", refresh: bool | str = False) -> None:
        if analyzer not in ANALYZERS:
            raise SearchBackendError(f"不支持的 Elasticsearch 分词器：{analyzer}（可选 {', '.join(ANALYZERS)}）")
        self.client = _client(url)
        self.settings_key = url
        self.alias = index
        self.analyzer = analyzer
        # Tests ask for "wait_for" so that a write is searchable when upsert returns.
        self.refresh = refresh

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        return cls(
            url=settings.ELASTICSEARCH_URL,
            index=getattr(settings, "ELASTICSEARCH_INDEX", "govportal"),
            analyzer=getattr(settings, "ELASTICSEARCH_ANALYZER", "cjk"),
            refresh=settings.ELASTICSEARCH_REFRESH,
        )

    # --- index management ---------------------------------------------------

    @property
    def template_name(self) -> str:
        return f"{self.alias}-v{INDEX_VERSION}"

    def _index_definition(self, name: str) -> Index:
        index_analyzer, search_analyzer = ANALYZERS[self.analyzer]
        index = Index(name, using=self.client)
        index.settings(number_of_shards=1, number_of_replicas=settings.ELASTICSEARCH_REPLICAS)
        text = {"analyzer": index_analyzer, "search_analyzer": search_analyzer}
        mapping = {
            "key": Keyword(),
            "schema_name": Keyword(),
            "page_id": Integer(),
            "unit_code": Keyword(),
            "unit_name": Keyword(),
            "column_path": Keyword(),
            "column_title": Keyword(),
            "page_type": Keyword(),
            "categories": Keyword(),
            "publish_date": Date(),
            "written_date": Date(),
            "year": Integer(),
            "published_at": Date(),
            "url": Keyword(index=False),
            "title": Text(**text, fields={"raw": Keyword()}),
            "summary": Text(**text),
            "body": Text(**text),
            "doc_number": Text(**text, fields={"raw": Keyword()}),
            "issuing_body": Text(**text),
            "subject_words": Text(**text),
            "index_number": Text(**text, fields={"raw": Keyword()}),
            "validity": Keyword(),
            "truncated": Boolean(),
            "truncation_note": Keyword(index=False, doc_values=False),
            "title_norm": Text(**text),
            "meta_norm": Text(**text),
            "text_norm": Text(**text),
            "doc_tokens": Keyword(),
        }
        for field_name, field in mapping.items():
            index.get_or_create_mapping().field(field_name, field)
        index.get_or_create_mapping().meta("dynamic", "strict")
        return index

    def ensure_template(self) -> None:
        template = self._index_definition(f"{self.template_name}-*").as_composable_template(
            self.template_name, pattern=f"{self.template_name}-*", priority=100
        )
        template.save()

    def _new_index(self) -> str:
        self.ensure_template()
        name = f"{self.template_name}-{timezone.now():%Y%m%d%H%M%S%f}"
        # Settings and mappings come from the template matching the name.
        self.client.indices.create(index=name)
        return name

    def ensure_index(self) -> None:
        if not self.client.indices.exists_alias(name=self.alias):
            name = self._new_index()
            self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias, "is_write_index": True}}])
        elif (self.settings_key, self.alias) not in _mapping_updated:
            index_analyzer, search_analyzer = ANALYZERS[self.analyzer]
            text = {"type": "text", "analyzer": index_analyzer, "search_analyzer": search_analyzer}
            self.client.indices.put_mapping(index=self.alias, properties={**_ADDED_FIELDS, **dict.fromkeys(_NORM_FIELDS, text)})
        _mapping_updated.add((self.settings_key, self.alias))

    def _aliased_indices(self) -> list[str]:
        try:
            return list(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    # --- writes ---------------------------------------------------------------

    def _bulk(self, actions: Iterable[dict[str, Any]], *, ignore_status: tuple[int, ...] = ()) -> int:
        """helpers.bulk, its errors as DocumentRejected (the documents were refused) or SearchBackendError (retry)."""
        try:
            ok, _ = bulk(self.client, actions, refresh=self.refresh, ignore_status=ignore_status, chunk_size=500)
        except BulkIndexError as error:
            items = [next(iter(item.values()), {}) for item in error.errors]
            statuses = {item.get("status", 500) for item in items}
            # Only the error's type and reason: the item also carries the whole document.
            first = items[0].get("error", {}) if items else {}
            reason = first.get("reason", "") if isinstance(first, dict) else str(first)
            kind = first.get("type", "") if isinstance(first, dict) else ""
            message = (
                f"Elasticsearch 拒绝写入 {len(items)} 条（HTTP {'/'.join(map(str, sorted(statuses)))} {kind}：{reason[:500]}）"
            )
            if statuses <= _RETRY_STATUSES:
                raise SearchBackendError(message) from error
            raise DocumentRejected(message) from error
        except ApiError as error:
            message = f"Elasticsearch 拒绝批量请求（HTTP {error.status_code}）：{str(error)[:500]}"
            if error.status_code in (400, 413):
                # A malformed or too large request: the documents in it.
                raise DocumentRejected(message) from error
            raise SearchBackendError(message) from error
        except TransportError as error:
            raise SearchBackendError(f"无法连接 Elasticsearch：{error}") from error
        return ok

    @staticmethod
    def _source(doc: PortalDoc) -> dict[str, Any]:
        source = doc.as_dict()
        source["truncated"] = bool(doc.truncation_note)
        title, meta = normalise(doc.title), normalise(doc.metadata_text())
        body = normalise(doc.body if doc.body.startswith(doc.summary) else f"{doc.summary}\n{doc.body}")
        source.update(
            title_norm=title,
            meta_norm=meta,
            text_norm=body,
            doc_tokens=sorted({*doc_number_tokens(title), *doc_number_tokens(meta), *doc_number_tokens(body)}),
        )
        for name in ("publish_date", "written_date", "published_at"):
            source[name] = source[name].isoformat() if source[name] else None
        return source

    def _index_actions(self, docs: Iterable[PortalDoc], index: str) -> Iterable[dict[str, Any]]:
        for doc in docs:
            yield {"_op_type": "index", "_index": index, "_id": doc.key, "_source": self._source(doc)}

    def upsert(self, docs: Iterable[PortalDoc]) -> int:
        self.ensure_index()
        return self._bulk(self._index_actions(docs, self.alias))

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        self.ensure_index()
        return self._bulk(({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys), ignore_status=(404,))

    def reset(self) -> None:
        self.ensure_index()
        self.client.delete_by_query(index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed")

    def rebuild(self, docs: Iterable[PortalDoc]) -> int:
        """Fill a new versioned index, then point the alias at it atomically: no search sees a partial index."""
        old = self._aliased_indices()
        name = self._new_index()
        try:
            count = self._bulk(self._index_actions(docs, name))
            self.client.indices.refresh(index=name)
        except self.transient_errors:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        actions.append({"add": {"index": name, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(actions=actions)
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)
        return count

    # --- reads ----------------------------------------------------------------

    def count_by_unit(self) -> dict[str, int]:
        self.ensure_index()
        search = Search(using=self.client, index=self.alias).extra(size=0)
        search.aggs.bucket("units", "terms", field="unit_code", size=10000)
        response = search.execute()
        return {b.key: b.doc_count for b in response.aggregations.units.buckets}

    def keys_of_unit(self, unit_code: str) -> set[str]:
        self.ensure_index()
        hits = scan(self.client, index=self.alias, query={"query": {"term": {"unit_code": unit_code}}, "_source": False})
        return {hit["_id"] for hit in hits}

    @staticmethod
    def _group_query(group: QueryGroup) -> Q:
        """One group of the plan: any of its alternatives with all its words, or one of its exact tokens."""
        fields = [f"{name}^{boost}" for name, boost in _TEXT_FIELDS.items()]
        options = [
            Q("multi_match", query=text, fields=fields, type="cross_fields", operator="and") for text in group.alternatives
        ]
        if group.exact_tokens:
            options.append(Q("terms", doc_tokens=list(group.exact_tokens), boost=4.0))
        return options[0] if len(options) == 1 else Q("bool", should=options, minimum_should_match=1)

    def _text_query(self, plan: QueryPlan) -> Q:
        must = [self._group_query(group) for group in plan.required_groups()]
        # Optional words (single characters, years, numbers) raise the score of the matches that have them.
        should = [self._group_query(group) for group in plan.optional_groups()]
        # Every word typed in the title ranks the page above body-only matches.
        should.append(Q("match", title_norm={"query": plan.text, "operator": "and", "boost": 50}))
        should.append(Q("match_phrase", title_norm={"query": plan.text, "boost": 20}))
        return Q("bool", must=must, should=should)

    def _search(self, query: SearchQuery, plan: QueryPlan | None) -> Search:
        search = Search(using=self.client, index=self.alias).extra(track_total_hits=True)
        if plan is not None:
            search = search.query(self._text_query(plan))
        for field_name, value in (
            ("unit_code", query.unit),
            ("page_type", query.page_type),
            ("categories", query.category),
            ("year", query.year),
            ("validity", query.validity_label if query.validity else ""),
        ):
            if value:
                search = search.filter("term", **{field_name: value})
        if query.effective_order == Order.RELEVANCE:
            search = search.sort("_score", {"publish_date": {"order": "desc", "missing": "_last"}}, {"key": "asc"})
        else:
            search = search.sort(
                {"publish_date": {"order": "desc", "missing": "_last"}},
                {"published_at": {"order": "desc", "missing": "_last"}},
                {"key": "asc"},
            )
        search = search.source(excludes=["body", *_NORM_FIELDS, "doc_tokens"])
        if plan is not None:
            # Only the body's best fragment: search.highlight marks it (and the title) as PostgreSQL's hits are marked.
            words = " ".join(alternative for group in plan.groups for alternative in group.alternatives) or plan.text
            search = search.highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
            search = search.highlight(
                "body",
                fragment_size=120,
                number_of_fragments=1,
                highlight_query=Q("match", body={"query": words}).to_dict(),
            )
        if query.with_facets:
            search.aggs.bucket("unit", "terms", field="unit_code", size=500).bucket("name", "terms", field="unit_name", size=1)
            search.aggs.bucket("type", "terms", field="page_type", size=50)
            search.aggs.bucket("category", "terms", field="categories", size=100)
            search.aggs.bucket("year", "terms", field="year", size=100, order={"_key": "desc"})
            search.aggs.bucket("validity", "terms", field="validity", size=10)
        return search[query.offset : query.offset + query.per_page]

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        self.ensure_index()
        plan = plan_query(query.text, synonyms=synonym_map()) if query.text else None
        if plan is not None and not plan.groups:
            return SearchResult(query=query, hits=[], total=0, took_ms=0.0)
        try:
            response = self._search(query, plan).execute()
        except (ApiError, TransportError) as error:
            raise SearchBackendError(f"Elasticsearch 检索失败：{error}") from error
        terms = plan.highlight_terms() if plan else []
        patterns = plan.highlight_patterns() if plan else []
        hits = [self._hit(hit, terms, patterns) for hit in response.hits]
        facets: dict[str, list[FacetBucket]] = {}
        if query.with_facets:
            labels = page_type_labels()
            aggs = response.aggregations
            facets["unit"] = [
                FacetBucket(value=b.key, label=b.name.buckets[0].key if b.name.buckets else b.key, count=b.doc_count)
                for b in aggs.unit.buckets
            ]
            facets["type"] = [
                FacetBucket(value=b.key, label=labels.get(b.key, b.key), count=b.doc_count) for b in aggs.type.buckets
            ]
            facets["category"] = [FacetBucket(value=b.key, label=b.key, count=b.doc_count) for b in aggs.category.buckets]
            facets["year"] = [FacetBucket(value=str(b.key), label=str(b.key), count=b.doc_count) for b in aggs.year.buckets]
            facets["validity"] = [
                FacetBucket(value=VALIDITY_KEYS.get(b.key, b.key), label=b.key, count=b.doc_count)
                for b in aggs.validity.buckets
                if b.key
            ]
        return SearchResult(
            query=query,
            hits=hits,
            total=response.hits.total.value,
            facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def count(self, query: SearchQuery) -> int:
        self.ensure_index()
        plan = plan_query(query.text, synonyms=synonym_map()) if query.text else None
        if plan is not None and not plan.groups:
            return 0
        search = self._search(replace(query, page=1, per_page=1, with_facets=False), plan).extra(size=0)
        try:
            return search.count()
        except (ApiError, TransportError) as error:
            raise SearchBackendError(f"Elasticsearch 检索失败：{error}") from error

    @staticmethod
    def _hit(hit: Any, terms: list[str], patterns: list[str]) -> Hit:
        source = hit.to_dict()
        fragments = getattr(hit.meta, "highlight", None)
        body_fragments = list(getattr(fragments, "body", []) or []) if fragments else []
        # ES marks analyzer tokens (bigrams for cjk, which mark parts of words); the
        # fragment's text is marked again with the query's whole words instead.
        fragment = html.unescape(_TAGS.sub("", body_fragments[0])) if body_fragments else ""
        title_html = highlight(source["title"], terms, patterns)
        snippet_html = snippet(fragment or source.get("summary", ""), terms, patterns=patterns)
        return Hit(
            key=hit.meta.id,
            unit_code=source["unit_code"],
            unit_name=source["unit_name"],
            title=source["title"],
            title_html=str(title_html),
            snippet_html=str(snippet_html),
            url=source["url"],
            page_type=source["page_type"],
            column_title=source.get("column_title", ""),
            column_path=list(source.get("column_path") or []),
            categories=list(source.get("categories") or []),
            publish_date=_date(source.get("publish_date")),
            written_date=_date(source.get("written_date")),
            published_at=_datetime(source.get("published_at")),
            summary=source.get("summary", ""),
            metadata=metadata_of(
                {k: source.get(k, "") for k in ("doc_number", "issuing_body", "subject_words", "index_number", "validity")}
            ),
            score=hit.meta.score,
        )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
