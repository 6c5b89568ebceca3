"""Wagtail's PostgreSQL search backend, made to find Chinese words.

PostgreSQL does not segment Chinese: an unspaced sentence is one lexeme, so
发展规划 would not find 国民经济发展规划. Indexed text is segmented with jieba
(rjieba) before it reaches to_tsvector, and queries are segmented the same way,
both normalised first (繁体 to 简体, 文号 tokens: search.segmentation).

Every admin search goes through here: the page search and the page chooser of
both admins, the document and image listings and choosers, the model listings.
A query is cleaned before it is compiled: control characters (NUL) removed, at
most MAX_QUERY_CHARS characters and MAX_QUERY_TERMS words, so a long query can
no longer nest Wagtail's lexeme tree past Python's recursion limit.
search.middleware tells the user in Chinese when a query was shortened.
"""

from __future__ import annotations

from modelsearch.backends.database.postgres import postgres as pg_backend
from wagtail.search.query import And, Not, Or, Phrase, PlainText

from search.normalize import MAX_QUERY_CHARS, MAX_QUERY_TERMS, clean_input
from search.segmentation import segment_for_index, segment_query


class ChineseObjectIndexer(pg_backend.ObjectIndexer):
    def prepare_value(self, value):
        return segment_for_index(super().prepare_value(value))


# PostgresIndex.add_items instantiates the module-level ObjectIndexer by name
# and offers no hook for another class; this backend is the only PostgreSQL
# search backend the platform configures, so swapping the name is contained.
pg_backend.ObjectIndexer = ChineseObjectIndexer


def safe_words(text: str) -> str:
    """The query's words for the index: cleaned, cut by jieba, at most MAX_QUERY_TERMS of them."""
    return " ".join(segment_query(clean_input(text)[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_TERMS])


def safe_query(query):
    """The search query with every text cleaned and capped; None when nothing searchable is left."""
    if isinstance(query, PlainText):
        words = safe_words(query.query_string)
        return PlainText(words, operator=query.operator) if words else None
    if isinstance(query, Phrase):
        text = clean_input(query.query_string)[:MAX_QUERY_CHARS]
        return Phrase(text) if text else None
    if isinstance(query, (And, Or)):
        parts = [part for part in (safe_query(sub) for sub in query.subqueries[:MAX_QUERY_TERMS]) if part is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else type(query)(parts)
    if isinstance(query, Not):
        inner = safe_query(query.subquery)
        return Not(inner) if inner is not None else None
    return query


class _SafeQueryMixin:
    def __init__(self, queryset, query, *args, **kwargs):
        super().__init__(queryset, query, *args, **kwargs)
        cleaned = safe_query(self.query)
        self._nothing_left = cleaned is None
        if cleaned is not None:
            self.query = cleaned

    def search(self, config, start, stop, score_field=None, backend=None):
        if self._nothing_left:
            return self.queryset.none()
        return super().search(config, start, stop, score_field=score_field, backend=backend)


class ChineseQueryCompiler(_SafeQueryMixin, pg_backend.PostgresSearchQueryCompiler):
    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, PlainText):
            query = PlainText(segment_query(query.query_string), operator=query.operator)
        return super().build_tsquery_content(query, config=config, invert=invert)


class ChineseAutocompleteQueryCompiler(_SafeQueryMixin, pg_backend.PostgresAutocompleteQueryCompiler):
    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, PlainText):
            query = PlainText(segment_query(query.query_string), operator=query.operator)
        return super().build_tsquery_content(query, config=config, invert=invert)


class ChineseDatabaseSearchBackend(pg_backend.PostgresSearchBackend):
    query_compiler_class = ChineseQueryCompiler
    autocomplete_query_compiler_class = ChineseAutocompleteQueryCompiler

    def __init__(self, params):
        super().__init__({"SEARCH_CONFIG": "simple", **params})


SearchBackend = ChineseDatabaseSearchBackend
