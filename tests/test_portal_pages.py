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
    assert '<a href="http://tb.localhost/">测试乙局</a>' in html  # the unit sites' list, rendered into the cache
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


# --- browsing: lists, 更多, validity, sitemap and robots (issue 15) ------------------------


def _notice(content, unit, *, column: int, title: str, day: dt.date) -> int:
    from django_tenants.utils import schema_context
    from wagtail.models import Page
    from wagtail.rich_text import RichText

    from sitepages.models import NoticePage

    with content.capture(execute=True), schema_context(unit.schema_name):
        page = Page.objects.get(id=column).add_child(
            instance=NoticePage(
                title=title,
                slug=f"notice{NoticePage.objects.count() + 1}",
                issuing_body="珠海市测试甲局",
                publish_date=day,
                body=[("paragraph", RichText("<p>公示内容。</p>"))],
            )
        )
        page.save_revision().publish()
        return page.id


def _policy(content, unit, *, column: int, title: str, validity: str, day: dt.date, kind: str = "gov_document") -> int:
    from django_tenants.utils import schema_context
    from wagtail.models import Page
    from wagtail.rich_text import RichText

    from sitepages.models import PolicyDocumentPage

    with content.capture(execute=True), schema_context(unit.schema_name):
        number = PolicyDocumentPage.objects.count() + 1
        page = Page.objects.get(id=column).add_child(
            instance=PolicyDocumentPage(
                title=title,
                slug=f"policy{number}",
                document_kind=kind,
                doc_number=f"珠测甲〔{day.year}〕{number}号",
                issuing_body="珠海市测试甲局",
                subject_words="测试",
                validity=validity,
                publish_date=day,
                body=[("paragraph", RichText("<p>正文。</p>"))],
            )
        )
        page.save_revision().publish()
        return page.id


def _text(response) -> str:
    from django.utils.html import strip_tags

    return strip_tags(response.content.decode())


def test_every_more_link_of_the_home_page_lists_its_items(client, unit_a, unit_b, content):
    import re

    news = content.column(unit_a)
    notices = content.column(unit_b, title="通知公告", item_type="notice")
    documents = content.column(unit_a, title="政府文件", item_type="policy_document")
    content.news(unit_a, column=news, title="甲局召开年度工作会议", body="正文")
    _notice(content, unit_b, column=notices, title="乙局政府采购项目公示", day=dt.date(2026, 9, 1))
    _policy(content, unit_a, column=documents, title="关于印发测试实施方案的通知", validity="valid", day=dt.date(2026, 8, 1))
    home = get(client, "/").content.decode()
    more = re.findall(r'<a href="([^"]+)" aria-label="更多([^"]+)">更多</a>', home)
    assert [title for _, title in more] == ["珠海动态", "公告公示", "政府文件"]
    expected = {"珠海动态": "甲局召开年度工作会议", "公告公示": "乙局政府采购项目公示", "政府文件": "关于印发测试实施方案的通知"}
    for url, title in more:
        response = client.get(url, HTTP_HOST="localhost")
        page = _text(response)
        assert response.status_code == 200 and f"<h1>{title}</h1>" in response.content.decode(), url
        assert expected[title] in page and "共 1 条信息" in page, url
    # The links the homepage had before lists existed still list the items.
    old = get(client, "/search/", type="news", order="date")
    assert old.status_code == 200 and "请输入检索词" not in _text(old) and "甲局召开年度工作会议" in _text(old)


def test_lists_are_newest_first_paginated_and_filtered_by_unit_category_year_and_validity(client, unit_a, unit_b, content):
    news_a = content.column(unit_a, categories="工作动态")
    news_b = content.column(unit_b, categories="政务要闻")
    for n in range(12):
        content.news(unit_a, column=news_a, title=f"甲局动态第{n:02d}期", body="正文", day=dt.date(2025 + n // 6, 1, n + 1))
    content.news(unit_b, column=news_b, title="乙局动态", body="正文", day=dt.date(2026, 12, 1))
    first = get(client, "/list/news/")
    page = _text(first)
    assert first.status_code == 200 and "共 13 条信息" in page
    assert page.index("乙局动态") < page.index("甲局动态第11期") < page.index("甲局动态第03期")
    assert "甲局动态第01期" not in page
    second = _text(get(client, "/list/news/", page="2"))
    assert "甲局动态第01期" in second and "甲局动态第00期" in second and "乙局动态" not in second
    assert 'href="/list/news/?unit=tb"' in first.content.decode()
    by_unit = _text(get(client, "/list/news/", unit="tb"))
    assert "共 1 条信息" in by_unit and "乙局动态" in by_unit
    by_year = _text(get(client, "/list/news/", year="2025"))
    assert "共 6 条信息" in by_year and "甲局动态第05期" in by_year and "甲局动态第06期" not in by_year
    by_category = _text(get(client, "/list/news/", category="政务要闻"))
    assert "共 1 条信息" in by_category and "乙局动态" in by_category
    # The search page with filters and no words is the same list.
    api = get(client, "/api/v1/documents/", type="news", unit="ta", year="2026").json()
    same = get(client, "/search/", type="news", unit="ta", year="2026").content.decode()
    assert [r["id"] for r in api["results"]] == [c.split('"', 1)[0] for c in same.split('data-key="')[1:]]
    assert get(client, "/list/no-such-type/").status_code == 404


def test_validity_is_marked_filtered_and_the_home_block_shows_documents_in_force(client, unit_a, content):
    documents = content.column(unit_a, title="政府文件", item_type="policy_document")
    normative = content.column(unit_a, title="规范性文件", item_type="policy_document")
    _policy(content, unit_a, column=documents, title="珠海市现行有效的管理办法", validity="valid", day=dt.date(2026, 3, 1))
    _policy(content, unit_a, column=documents, title="珠海市二〇〇九年的旧办法", validity="repealed", day=dt.date(2009, 6, 1))
    _policy(content, unit_a, column=documents, title="珠海市已到期的临时办法", validity="expired", day=dt.date(2020, 6, 1))
    _policy(
        content,
        unit_a,
        column=normative,
        title="珠海市规范性文件示例",
        validity="valid",
        day=dt.date(2026, 4, 1),
        kind="normative_document",
    )
    home = get(client, "/").content.decode()
    block = home[home.index('id="section-policy_document"') :]
    block = block[: block.index("</section>")]
    assert "珠海市现行有效的管理办法" in block
    assert "二〇〇九年的旧办法" not in block and "已到期的临时办法" not in block
    listing = get(client, "/list/policy_document/").content.decode()
    assert '<span class="validity validity-repealed"><span class="visually-hidden">有效性：</span>废止</span>' in listing
    assert '<span class="validity validity-valid"><span class="visually-hidden">有效性：</span>有效</span>' in listing
    assert '<span class="validity validity-expired"><span class="visually-hidden">有效性：</span>失效</span>' in listing
    assert "规范性文件示例" not in listing
    assert "共 3 条信息" in _text(get(client, "/list/policy_document/"))
    assert "珠海市规范性文件示例" in _text(get(client, "/list/normative_document/"))
    facet = listing[listing.index("<h2>有效性</h2>") :]
    assert 'href="/list/policy_document/?validity=repealed">废止</a> <span class="facet-count">1</span>' in facet
    repealed = _text(get(client, "/list/policy_document/", validity="repealed"))
    assert "共 1 条信息" in repealed and "二〇〇九年的旧办法" in repealed
    results = get(client, "/search/", q="办法").content.decode()
    assert results.count('class="validity validity-') == 3
    assert all(f"validity-{key}" in results for key in ("valid", "repealed", "expired"))
    api = get(client, "/api/v1/search/", q="办法", validity="expired").json()
    assert [r["title"] for r in api["results"]] == ["珠海市已到期的临时办法"] and api["results"][0]["validity"] == "expired"
    assert {b["value"]: b["count"] for b in get(client, "/api/v1/search/", q="办法").json()["facets"]["validity"]} == {
        "valid": 1,
        "repealed": 1,
        "expired": 1,
    }


def test_portal_sitemap_index_points_to_every_unit_and_robots_to_the_index(client, unit_a, unit_b):
    index = get(client, "/sitemap.xml")
    assert index.status_code == 200 and index["Content-Type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(index.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    locations = [loc.text for loc in root.findall("s:sitemap/s:loc", ns)]
    assert "http://ta.localhost/sitemap.xml" in locations and "http://tb.localhost/sitemap.xml" in locations
    own = next(loc for loc in locations if loc.endswith("/sitemap-portal.xml"))
    portal = client.get(own.split("localhost", 1)[1], HTTP_HOST="localhost")
    pages = [loc.text for loc in ET.fromstring(portal.content).findall("s:url/s:loc", ns)]
    assert "http://localhost/" in pages and "http://localhost/list/news/" in pages and "http://localhost/hudong/" in pages
    unit_sitemap = client.get("/sitemap.xml", HTTP_HOST="ta.localhost")
    assert unit_sitemap.status_code == 200
    robots = get(client, "/robots.txt")
    lines = robots.content.decode().splitlines()
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    assert {"User-agent: *", "Allow: /", "Disallow: /admin/", "Sitemap: http://localhost/sitemap.xml"} <= set(lines)


def test_public_catalogue_lists_neither_restricted_columns_nor_splits_bracketed_categories(client, unit_a, content):
    from django_tenants.utils import schema_context
    from wagtail.models import Page, PageViewRestriction, Site

    from sitepages.models import DisclosureCataloguePage

    approval = "行政审批(含行政许可、非行政许可审批事项)"
    content.column(unit_a, title="办事指南", item_type="service_guide", categories=f"{approval}、便民服务")
    hidden = content.column(unit_a, title="内部通讯录栏目", categories="机构职能")
    with content.capture(execute=True), schema_context(unit_a.schema_name):
        PageViewRestriction.objects.create(page=Page.objects.get(id=hidden), restriction_type=PageViewRestriction.LOGIN)
        catalogue = Site.objects.get().root_page.add_child(
            instance=DisclosureCataloguePage(title="政府信息公开目录", slug="mulu")
        )
        catalogue.save_revision().publish()
        url = catalogue.relative_url(Site.objects.get())
    page = client.get(url, HTTP_HOST="ta.localhost").content.decode()
    assert f"<h2>{approval}</h2>" in page and "<h2>便民服务</h2>" in page
    assert "<h2>行政审批(含行政许可</h2>" not in page and "<h2>非行政许可审批事项)</h2>" not in page
    assert "内部通讯录栏目" not in page and "<h2>机构职能</h2>" not in page
