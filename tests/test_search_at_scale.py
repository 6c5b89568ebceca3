"""What keeps portal search fast at a million documents (search/backends/postgres.py), at a size a test can hold:
the counting sample (a very common word's total and facets estimated from one document in SAMPLE_SHARDS, and
said to be estimates; the hits never sampled), and the recency window (the newest matches looked for among
the newest documents first), which must give exactly the results of a search without it.

The thresholds are lowered so that a few hundred documents behave as a million do."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.core.cache import caches

from pagecache.local import forget_everything
from search.backends import postgres
from search.backends.base import PortalDoc, SearchQuery
from search.backends.postgres import PostgresBackend, in_sample
from tests.support.portal import portal_doc, portal_search

UNITS = [("sa", "抽样甲局"), ("sb", "抽样乙局"), ("sc", "抽样丙局"), ("sd", "抽样丁局")]
WORDS = ["营商环境", "乡村振兴", "垃圾分类", "养老服务", "城市更新"]


def corpus(n: int = 320) -> list[PortalDoc]:
    rng = random.Random(20261202)
    docs = []
    for i in range(n):
        code, name = UNITS[i % len(UNITS)]
        page_type = ("news", "notice", "policy_document")[i % 3]
        word, other = rng.sample(WORDS, 2)
        # Every document says 政务; a third of them have it in the title.
        title = f"{word}政务工作简报第{i}期" if i % 3 == 0 else f"{word}工作简报第{i}期"
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2400))
        docs.append(
            portal_doc(
                unit=code,
                unit_name=name,
                page_id=i + 1,
                title=title,
                body=f"推进{word}和{other}，加强政务公开。",
                summary=f"推进{word}和{other}。",
                day=day,
                published_at=dt.datetime.combine(day, dt.time(9, i % 60), tzinfo=dt.UTC),
                page_type=page_type,
            )
        )
    return docs


@pytest.fixture
def index(db, monkeypatch):
    monkeypatch.setattr(postgres, "SAMPLE_SHARDS", 4)
    backend = PostgresBackend()
    backend.reset()
    docs = corpus()
    backend.upsert(docs)
    return backend, docs


def exact(monkeypatch) -> None:
    monkeypatch.setattr(postgres, "EXACT_UP_TO", 10**9)


def sampling(monkeypatch) -> None:
    monkeypatch.setattr(postgres, "EXACT_UP_TO", 40)


def hit_keys(result) -> list[str]:
    return [hit.key for hit in result.hits]


def test_a_very_common_word_is_counted_on_the_sample_and_says_so(index, monkeypatch):
    backend, docs = index
    exact(monkeypatch)
    truth = backend.search(SearchQuery(text="政务"))
    assert not truth.approximate and truth.total == len(docs)
    sampling(monkeypatch)
    estimate = backend.search(SearchQuery(text="政务"))
    assert estimate.approximate
    in_the_sample = sum(in_sample(doc.key) for doc in docs)
    assert estimate.total == in_the_sample * postgres.SAMPLE_SHARDS
    assert abs(estimate.total - truth.total) < truth.total * 0.5
    units = {bucket.value: bucket.count for bucket in estimate.facets["unit"]}
    assert sum(units.values()) == estimate.total and all(count % postgres.SAMPLE_SHARDS == 0 for count in units.values())
    assert set(units) == {code for code, _ in UNITS}


@pytest.mark.parametrize("order", ["relevance", "date"])
def test_the_hits_are_never_sampled(index, monkeypatch, order):
    backend, _ = index
    exact(monkeypatch)
    pages = [backend.search(SearchQuery(text="政务", order=order, page=page)) for page in (1, 2, 5)]
    sampling(monkeypatch)
    for page, truth in zip((1, 2, 5), pages, strict=True):
        estimate = backend.search(SearchQuery(text="政务", order=order, page=page))
        assert estimate.approximate and hit_keys(estimate) == hit_keys(truth) != []


def test_a_search_with_few_matches_is_counted_exactly(index, monkeypatch):
    backend, docs = index
    sampling(monkeypatch)
    result = backend.search(SearchQuery(text="营商环境", unit="sa"))
    expected = [doc for doc in docs if doc.unit_code == "sa" and "营商环境" in doc.body]
    assert not result.approximate and result.total == len(expected)


def test_the_tiers_of_a_query_with_optional_words_are_sampled_alike(index, monkeypatch):
    backend, _ = index
    exact(monkeypatch)
    truth = backend.search(SearchQuery(text="2024 政务"))
    sampling(monkeypatch)
    estimate = backend.search(SearchQuery(text="2024 政务"))
    assert estimate.approximate and hit_keys(estimate) == hit_keys(truth)


def test_the_portal_page_and_the_api_say_the_counts_are_estimates(client, index, monkeypatch):
    sampling(monkeypatch)
    html = portal_search(client, q="政务").content.decode()
    assert "共找到约" in html and "条数与分类计数为抽样估计" in html and '<span class="facet-count">约 ' in html
    assert client.get("/api/v1/search/", {"q": "政务"}, HTTP_HOST="localhost").json()["approximate"] is True
    exact(monkeypatch)
    # The page is in the page cache: nothing in the index changed, only how it is counted.
    caches["pagecache"].clear()
    forget_everything()
    html = portal_search(client, q="政务").content.decode()
    assert "共找到约" not in html and "抽样估计" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"text": "政务"},
        {"text": "政务", "order": "date"},
        {"text": "营商环境"},
        {"text": "营商环境", "order": "date"},
        {"text": "营商环境", "page_type": "notice"},
        {"text": "乡村振兴 政务", "unit": "sb"},
        {"text": "2024 养老服务"},
    ],
)
def test_the_recency_window_gives_exactly_the_results_without_it(index, monkeypatch, query):
    backend, _ = index
    # Few candidates, so that the window often holds enough of them; windows from none to all of the index.
    monkeypatch.setattr(postgres, "RANK_CANDIDATES", 8)
    results = {}
    for window in (10**9, 0, 5, 40, 160):
        monkeypatch.setattr(postgres, "RECENT_WINDOW", window)
        monkeypatch.setattr(postgres, "_recent_from", (0.0, None))
        results[window] = [(hit_keys(r), r.total) for r in (backend.search(SearchQuery(**query, page=p)) for p in (1, 2, 4))]
    without = results.pop(10**9)
    assert without[0][0], query
    for window, pages in results.items():
        assert pages == without, (query, window)


# --- filters as lexemes (search.backends.postgres.FILTER_PREFIX) -----------------------------------------------

# Categories as a 责任分解表 may spell them: brackets, and characters that mean something in tsquery input.
CATEGORIES = ["工作动态", "行政审批(含行政许可、非行政许可审批事项)", "O'Brien\\备案", "A & B | !C:*"]
VALIDITIES = ["", "有效", "废止"]


def filtered_corpus() -> list[PortalDoc]:
    docs = []
    for n, doc in enumerate(corpus(96)):
        doc.categories = [CATEGORIES[n % 4]] + ([CATEGORIES[(n + 1) % 4]] if n % 5 == 0 else [])
        doc.validity = VALIDITIES[n % 3] if doc.page_type == "policy_document" else ""
        if "政务" not in doc.title:
            # Ranked on the words alone these would come before the title matches; the title decides.
            doc.body += "政务公开、政务服务、政务数据、政务新媒体、政务热线。" * 3
        docs.append(doc)
    return docs


def passes(doc: PortalDoc, query: SearchQuery) -> bool:
    return (
        (not query.unit or doc.unit_code == query.unit)
        and (not query.page_type or doc.page_type == query.page_type)
        and (not query.year or doc.year == query.year)
        and (not query.category or query.category in doc.categories)
        and (not query.validity or doc.validity == query.validity_label)
    )


def every_key(backend: PostgresBackend, query: SearchQuery) -> tuple[list[str], int]:
    first = backend.search(query)
    keys = hit_keys(first)
    for page in range(2, -(-first.total // query.per_page) + 1):
        keys += hit_keys(backend.search(dataclasses.replace(query, page=page)))
    return keys, first.total


@pytest.fixture
def filtered_index(db, monkeypatch):
    """filtered_corpus() indexed, counted exactly."""
    exact(monkeypatch)
    backend = PostgresBackend()
    backend.reset()
    docs = filtered_corpus()
    backend.upsert(docs)
    return backend, docs


FILTERS = [
    {"unit": "sb"},
    {"page_type": "notice"},
    {"year": 2022},
    *({"category": category} for category in CATEGORIES),
    {"validity": "valid"},
    {"validity": "repealed", "unit": "sa"},
    {"unit": "sc", "page_type": "policy_document", "category": CATEGORIES[2]},
    {"unit": "nobody"},
    {"validity": "no-such-key"},
]


@pytest.mark.parametrize("order", ["relevance", "date"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_a_filter_with_words_finds_exactly_the_documents_that_pass_it(filtered_index, filters, order):
    backend, docs = filtered_index
    # Every document says 政务, and 乡村振兴 only some: the words' matches are the filter's whole input or a part.
    by_key = {doc.key: doc for doc in docs}
    for text, matches in (("政务", lambda doc: True), ("乡村振兴", lambda doc: "乡村振兴" in doc.body)):
        query = SearchQuery(text=text, order=order, per_page=20, **filters)
        expected = {doc.key for doc in docs if matches(doc) and passes(doc, query)}
        keys, total = every_key(backend, query)
        assert sorted(keys) == sorted(expected), (text, filters)
        assert total == len(expected) == backend.count(query)
        # In the order of the search without the filter (fewer matches than RANK_CANDIDATES: all are ranked).
        unfiltered, _ = every_key(backend, SearchQuery(text=text, order=order, per_page=20))
        assert keys == [key for key in unfiltered if passes(by_key[key], query)], (text, filters)
    # The same filter without words selects them through the facet cells.
    listed, total = every_key(backend, SearchQuery(order="date", per_page=20, **filters))
    assert sorted(listed) == sorted(doc.key for doc in docs if passes(doc, SearchQuery(**filters))) and total == len(listed)


def test_the_tiers_of_a_query_with_optional_words_are_filtered_alike(filtered_index):
    backend, docs = filtered_index
    unfiltered, _ = every_key(backend, SearchQuery(text="2024 政务", per_page=20))
    query = SearchQuery(text="2024 政务", unit="sd", category=CATEGORIES[0], per_page=20)
    assert backend.plan(query).has_optional
    keys, total = every_key(backend, query)
    by_key = {doc.key: doc for doc in docs}
    # The unfiltered order, with the documents that do not pass left out.
    assert keys == [key for key in unfiltered if passes(by_key[key], query)]
    assert total == len(keys) > 0


def test_no_query_words_reach_the_filter_lexemes(filtered_index):
    backend, _ = filtered_index
    for text in ("portal type notice", "portal unit sa", "portal", "'portal unit sa'", "portal sample"):
        assert backend.search(SearchQuery(text=text)).total == 0, text


def test_the_migration_rewrites_rows_indexed_before_as_they_are_written_now(filtered_index, monkeypatch):
    """Migration 0010: filter lexemes added, the sample a column instead of migration 0009's lexeme."""
    import importlib

    from django.apps import apps
    from django.db import connection

    backend, _ = filtered_index
    query = SearchQuery(text="政务", unit="sd", category=CATEGORIES[3])
    expected = backend.search(query).total
    assert expected > 0
    rows = "SELECT key, search_vector::text, title_vector::text, in_sample FROM portalsearch_portalmatch ORDER BY key"
    with connection.cursor() as cursor:
        cursor.execute(rows)
        written = cursor.fetchall()
        assert any(row[3] for row in written) and not all(row[3] for row in written)
        # As migration 0009 left the index: no filter lexemes, the sample a lexeme.
        for column in ("search_vector", "title_vector"):
            cursor.execute(
                f"UPDATE portalsearch_portalmatch SET {column} = ts_delete({column}, "
                f"ARRAY(SELECT lexeme FROM unnest({column}) WHERE lexeme LIKE 'portal %%'))"
            )
        cursor.execute(
            "UPDATE portalsearch_portalmatch SET in_sample = false, "
            "search_vector = search_vector || CASE WHEN in_sample THEN 'portal\\ sample'::tsvector ELSE '' END"
        )
    assert backend.search(query).total == 0
    migration = importlib.import_module("search.migrations.0010_filter_lexemes_and_sample_index")
    monkeypatch.setattr(migration, "BATCH", 7)
    editor = type("Editor", (), {"connection": connection})()
    # Run twice (a migration re-applied by hand), the rows are the same.
    for _ in range(2):
        migration.rewrite_match_rows(apps, editor)
        with connection.cursor() as cursor:
            cursor.execute(rows)
            assert cursor.fetchall() == written
    assert backend.search(query).total == expected
