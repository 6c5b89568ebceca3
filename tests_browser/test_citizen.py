"""A citizen in Chromium: the portal's home, its 更多 lists, a document, search with facets, a unit's
site and 长者模式, on a desktop and on a phone. Screenshots of each page are kept as artifacts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests_browser.conftest import screenshot, unit_url


def test_home_more_list_and_a_document(page, site_server):
    page.goto(site_server + "/")
    expect(page.locator("h1, .site-title").first).to_contain_text("珠海")
    screenshot(page, "portal-home")
    section = page.locator("section", has=page.get_by_role("heading", name="珠海动态"))
    section.get_by_role("link", name=re.compile("更多")).click()
    rows = page.locator(".results li")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    screenshot(page, "portal-list-news")
    first_title = rows.first.locator("h3 a").inner_text().strip()
    rows.first.locator("h3 a").click()
    expect(page.locator("h1")).to_contain_text(first_title[:10])
    screenshot(page, "document-page")


def test_search_with_facets(page, site_server):
    page.goto(site_server + "/")
    page.get_by_role("search").get_by_role("searchbox").fill("营商环境")
    page.get_by_role("search").get_by_role("button", name="搜索").click()
    results = page.locator(".results li")
    expect(results.first).to_be_visible()
    total = results.count()
    screenshot(page, "search-results")
    facet = page.locator(".facet-list a").first
    facet_label = facet.inner_text()
    facet.click()
    expect(page.locator(".facet-list a[aria-current]").first).to_be_visible()
    assert page.locator(".results li").count() <= total, facet_label
    screenshot(page, "search-facet")


def test_a_search_counted_on_its_sample_says_the_counts_are_estimates(page, site_server, monkeypatch):
    """What a citizen sees when a search has too many matches to count (search.backends.postgres.SAMPLE_SHARDS):
    the threshold is lowered so the demo's few hundred documents are counted as a million are."""
    from search.backends import postgres

    monkeypatch.setattr(postgres, "EXACT_UP_TO", 0)
    page.goto(site_server + "/search/?q=" + "工作")
    heading = page.locator("#results-heading")
    expect(heading).to_contain_text("共找到约")
    expect(heading).to_contain_text("条数与分类计数为抽样估计")
    counts = page.locator(".facet-count")
    assert counts.count() > 0
    assert all(text.startswith("约 ") for text in counts.all_inner_texts())
    expect(page.locator(".results li").first).to_be_visible()
    screenshot(page, "search-estimated")


def test_a_unit_site_on_a_phone(phone, site_server):
    phone.goto(unit_url(site_server, "fgj") + "/")
    expect(phone.locator(".site-title")).to_contain_text("发展")
    nav_links = phone.locator(".site-nav a")
    assert nav_links.count() >= 3
    # Nothing wider than the phone's screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    screenshot(phone, "unit-home-phone")


def _body_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def test_elder_mode_on_and_off_across_portal_and_unit(page, site_server):
    page.goto(site_server + "/search/?type=news")
    assert _body_font_px(page) < 18
    page.get_by_role("button", name=re.compile("长者模式")).click()
    expect(page.locator("html")).to_have_class(re.compile("elder"))
    assert page.url.endswith("/search/?type=news")
    assert _body_font_px(page) >= 18
    screenshot(page, "portal-list-elder")
    # The same reader on a unit's site: the cookie is the host's own, so the switch is there too.
    page.goto(unit_url(site_server, "fgj") + "/")
    page.get_by_role("button", name=re.compile("长者模式")).click()
    assert _body_font_px(page) >= 18
    screenshot(page, "unit-home-elder")
    page.get_by_role("button", name="退出长者模式").click()
    expect(page.locator("html")).not_to_have_class(re.compile("elder"))
    assert _body_font_px(page) < 18
