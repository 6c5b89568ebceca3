"""Portal home page, aggregated feeds and the JSON API read the portal index."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    """These tests exercise the default PostgreSQL index even when a cluster is configured."""
    settings.ELASTICSEARCH_URL = ""


def get(client, path, **params):
    return client.get(path, params, HTTP_HOST="localhost")


def test_home_aggregates_latest_news_notices_and_documents_of_all_units(client, unit_a, unit_b, content):
    news_a = content.column(unit_a)
    news_b = content.column(unit_b)
    policy_a = content.column(unit_a, title="政府文件", item_type="policy_document")
    content.news(unit_a, column=news_a, title="甲局较早的动态", body="正文", day=dt.date(2026, 1, 5))
    content.news(unit_b, column=news_b, title="乙局最新的动态", body="正文", day=dt.date(2026, 6, 5))
    content.policy(unit_a, column=policy_a, title="关于优化营商环境的若干措施", body="正文", doc_number="珠测甲〔2026〕3号")
    html = get(client, "/").content.decode()
    assert html.index("乙局最新的动态") < html.index("甲局较早的动态")
    assert "关于优化营商环境的若干措施" in html and "珠海动态" in html and "公告公示" in html
    assert "测试乙局" in html
    assert get(client, "/units/").status_code == 200


def test_feeds_aggregate_units_and_drop_withdrawn_pages(client, unit_a, unit_b, content):
    column_a = content.column(unit_a)
    column_b = content.column(unit_b)
    kept = content.news(unit_a, column=column_a, title="甲局订阅测试", body="正文")
    content.news(unit_b, column=column_b, title="乙局订阅测试", body="正文")
    withdrawn = content.news(unit_b, column=column_b, title="乙局已撤回的稿件", body="正文")
    content.unpublish(unit_b, withdrawn)
    rss = get(client, "/feeds/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    titles = [item.findtext("title") for item in ET.fromstring(rss.content).iter("item")]
    assert sorted(titles) == ["【测试乙局】乙局订阅测试", "【测试甲局】甲局订阅测试"]
    atom = get(client, "/feeds/atom/")
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2
    assert any(e.find("{http://www.w3.org/2005/Atom}link").get("href").startswith("http://ta.localhost") for e in entries)
    assert kept


def test_api_returns_what_the_search_page_shows(client, unit_a, unit_b, content):
    column_a = content.column(unit_a, categories="工作动态")
    column_b = content.column(unit_b)
    for n in range(7):
        content.news(unit_a, column=column_a, title=f"甲局人才引进政策宣讲{n}", body="人才引进", day=dt.date(2026, 2, n + 1))
        content.news(unit_b, column=column_b, title=f"乙局人才工作{n}", body="做好人才引进工作", day=dt.date(2026, 3, n + 1))
    for params in (
        {"q": "人才引进"},
        {"q": "人才引进", "page": "2"},
        {"q": "人才引进", "order": "date"},
        {"q": "人才引进", "unit": "ta"},
    ):
        page = get(client, "/search/", **params).content.decode()
        api = get(client, "/api/v1/search/", **params)
        assert api.status_code == 200
        data = api.json()
        shown = [chunk.split('"', 1)[0] for chunk in page.split('data-key="')[1:]]
        assert [r["id"] for r in data["results"]] == shown and shown
        assert f"共找到 {data['total']} 条结果" in page
    assert get(client, "/api/v1/search/", q="人才引进").json()["results"][0]["title"].startswith("甲局")
    facets = get(client, "/api/v1/search/", q="人才引进").json()["facets"]
    assert {b["value"]: b["count"] for b in facets["unit"]} == {"ta": 7, "tb": 7}
    listing = get(client, "/api/v1/documents/", type="news", unit="tb").json()
    assert listing["total"] == 7 and listing["results"][0]["title"] == "乙局人才工作6"
    error = get(client, "/api/v1/search/", q="")
    assert error.status_code == 400 and "请输入检索词" in error.json()["detail"]
    assert get(client, "/api/v1/search/", q="字" * 101).status_code == 400


def test_openapi_description_and_docs_page(client, db):
    response = get(client, "/api/v1/openapi.json")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/search/", "/api/v1/documents/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert {"q", "unit", "type", "category", "year", "order", "page"} <= params
    docs = get(client, "/api/docs")
    assert docs.status_code == 200 and "/api/v1/search/" in docs.content.decode() and "全文检索" in docs.content.decode()
