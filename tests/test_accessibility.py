"""长者模式 (适老化): a switch on every public page, portal and units alike, kept in a cookie."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessibility.preferences import ELDER_COOKIE
from tests.support.clients import PublicSchemaClient

A11Y_CSS = Path(__file__).resolve().parent.parent / "accessibility" / "static" / "accessibility" / "a11y.css"


@pytest.mark.parametrize("host", ["localhost", "ta.localhost"])
def test_the_switch_turns_elder_mode_on_and_off_and_returns_to_the_page(unit_a, host):
    client = PublicSchemaClient(HTTP_HOST=host)
    page = client.get("/").content.decode()
    assert 'action="/zhangzhe/"' in page and "长者模式（大字号）" in page
    assert 'class="elder"' not in page

    on = client.get("/zhangzhe/", {"mode": "elder", "next": "/?a=1"})
    assert on.status_code == 302 and on["Location"] == "/?a=1"
    assert on.cookies[ELDER_COOKIE].value == "1" and on["Cache-Control"] == "no-store"
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN" class="elder">' in page and "退出长者模式" in page

    off = client.get("/zhangzhe/", {"mode": "standard", "next": "/"})
    assert off.status_code == 302 and off.cookies[ELDER_COOKIE].value == ""
    assert 'class="elder"' not in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\x00", "javascript:alert(1)"])
def test_the_switch_never_redirects_off_the_site(db, target):
    response = PublicSchemaClient(HTTP_HOST="localhost").get("/zhangzhe/", {"mode": "elder", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switch_is_on_interaction_pages_too(unit_a):
    page = PublicSchemaClient(HTTP_HOST="localhost").get("/hudong/").content.decode()
    assert 'action="/zhangzhe/"' in page


def test_elder_styles_enlarge_text_and_targets_and_motion_is_reduced_on_request():
    css = A11Y_CSS.read_text(encoding="utf-8")
    assert "html.elder body{font-size:20px" in css
    assert "min-height:44px" in css
    assert "@media (prefers-reduced-motion:reduce)" in css
