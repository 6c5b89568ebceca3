"""Wagtail's PostgreSQL search backend, made to find Chinese words.

PostgreSQL does not segment Chinese: an unspaced sentence is one lexeme, so
发展规划 would not find 国民经济发展规划. Indexed text is segmented with jieba
(rjieba) before it reaches to_tsvector, and queries are segmented the same way.
"""

from __future__ import annotations

from modelsearch.backends.database.postgres import postgres as pg_backend
from wagtail.search.query import PlainText

from search.segmentation import segment_for_index, segment_query


class ChineseObjectIndexer(pg_backend.ObjectIndexer):
    def prepare_value(self, value):
        return segment_for_index(super().prepare_value(value))


# PostgresIndex.add_items instantiates the module-level ObjectIndexer by name
# and offers no hook for another class; this backend is the only PostgreSQL
# search backend the platform configures, so swapping the name is contained.
pg_backend.ObjectIndexer = ChineseObjectIndexer


class ChineseQueryCompiler(pg_backend.PostgresSearchQueryCompiler):
    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, PlainText):
            query = PlainText(segment_query(query.query_string), operator=query.operator)
        return super().build_tsquery_content(query, config=config, invert=invert)


class ChineseAutocompleteQueryCompiler(pg_backend.PostgresAutocompleteQueryCompiler):
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
