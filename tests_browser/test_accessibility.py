"""WCAG 2.1 AA in a real browser: axe-core (bundled by axe-playwright-python) on the portal's home,
search, a list, a document page and a unit's home, with 长者模式 off and on. The bar: no serious
or critical violation."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests_browser.conftest import ARTIFACTS, screenshot, unit_url

AXE_OPTIONS = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


def _first_document_path(base: str, page) -> str:
    page.goto(base + "/search/?type=policy_document")
    return page.locator(".results h3 a").first.get_attribute("href")


def _pages(site_server: str, page) -> dict[str, str]:
    return {
        "portal-home": site_server + "/",
        "portal-search": site_server + "/search/?q=营商环境",
        "portal-list": site_server + "/search/?type=news&order=date",
        "document": _first_document_path(site_server, page),
        "unit-home": unit_url(site_server, "fgj") + "/",
    }


def _serious(page) -> list[dict]:
    results = AXE.run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_main_pages_have_no_serious_accessibility_violation(page, site_server, elder):
    targets = _pages(site_server, page)
    if elder:
        # The preference is a cookie of each host: switch it on at every site the pages are on.
        from urllib.parse import urlsplit

        for origin in {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in targets.values()}:
            page.goto(origin + "/zhangzhe/?mode=elder&next=/")
    problems = {}
    for name, url in targets.items():
        page.goto(url)
        assert ("elder" in (page.locator("html").get_attribute("class") or "")) == elder, url
        violations = _serious(page)
        if violations:
            problems[name] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
                for v in violations
            ]
        screenshot(page, f"axe-{name}-{'elder' if elder else 'standard'}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{'elder' if elder else 'standard'}.json").write_text(
        json.dumps(problems, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=2)
