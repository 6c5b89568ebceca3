"""The Elasticsearch backend against a real cluster (ELASTICSEARCH_URL); never faked."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid

import pytest

from search.backends.base import PortalDoc, SearchQuery
from tests.support.portal import portal_doc

pytestmark = pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"), reason="未设置 ELASTICSEARCH_URL：跳过 Elasticsearch 集群测试"
)


def doc(page_id: int, *, title: str, body: str, unit: str = "ta", page_type: str = "news", year: int = 2026) -> PortalDoc:
    return portal_doc(
        unit=unit,
        unit_name=f"测试{unit}局",
        page_id=page_id,
        title=title,
        body=body,
        day=dt.date(year, 5, page_id % 27 + 1),
        published_at=dt.datetime(year, 5, 1, tzinfo=dt.UTC),
        page_type=page_type,
    )


@pytest.fixture
def backend():
    from elasticsearch import NotFoundError

    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(
        url=os.environ["ELASTICSEARCH_URL"],
        index=f"govportal-test-{uuid.uuid4().hex[:8]}",
        analyzer=os.environ.get("ELASTICSEARCH_ANALYZER", "cjk"),
        refresh="wait_for",
    )
    yield backend
    for index in backend._aliased_indices():
        backend.client.indices.delete(index=index, ignore_unavailable=True)
    with contextlib.suppress(NotFoundError):
        backend.client.indices.delete_index_template(name=backend.template_name)


def test_upsert_is_idempotent_and_delete_removes(backend):
    docs = [
        doc(1, title="珠海市国民经济发展规划纲要", body="全文见附件"),
        doc(2, title="会议纪要", body="研究国民经济发展规划编制"),
    ]
    backend.upsert(docs)
    backend.upsert(docs)
    assert backend.count_by_unit() == {"ta": 2}
    result = backend.search(SearchQuery(text="发展规划"))
    assert [h.key for h in result.hits] == ["unit_ta:1", "unit_ta:2"]
    assert "<mark>" in result.hits[0].title_html
    backend.delete(["unit_ta:1", "unit_ta:404"])
    assert backend.keys_of_unit("ta") == {"unit_ta:2"}


def test_facets_filters_and_date_order(backend):
    backend.upsert(
        [
            doc(1, title="智慧城市建设推进会", body="智慧城市", year=2025),
            doc(2, title="智慧城市实施意见", body="智慧城市", page_type="policy_document"),
            doc(3, title="乙局智慧城市会议", body="智慧城市", unit="tb"),
        ]
    )
    result = backend.search(SearchQuery(text="智慧城市"))
    facets = {name: {b.value: b.count for b in buckets} for name, buckets in result.facets.items()}
    assert result.total == 3
    assert facets["unit"] == {"ta": 2, "tb": 1}
    assert facets["type"] == {"news": 2, "policy_document": 1}
    assert facets["year"] == {"2026": 2, "2025": 1}
    assert [h.key for h in backend.search(SearchQuery(text="智慧城市", unit="ta", year=2025)).hits] == ["unit_ta:1"]
    latest = backend.search(SearchQuery(order="date", with_facets=False))
    assert latest.hits[-1].key == "unit_ta:1"


def test_rebuild_swaps_the_alias_to_a_new_versioned_index(backend):
    backend.upsert([doc(1, title="旧索引中的文档", body="正文")])
    before = backend._aliased_indices()
    backend.rebuild([doc(2, title="新索引中的文档", body="正文")])
    after = backend._aliased_indices()
    assert len(after) == 1 and after != before and after[0].startswith(f"{backend.template_name}-")
    assert backend.keys_of_unit("ta") == {"unit_ta:2"}
    assert not backend.client.indices.exists(index=before[0])
