"""An editor and a reviewer in the real Wagtail admin over HTTPS, each with the second factor production
requires, publish a news item; the stack's workers bring it to portal search within 10 seconds."""

from __future__ import annotations

import base64
import re
import time
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests_stack.conftest import STAFF_PASSWORD, get, https_url, screenshot, stack, unit_host, wait_for

TITLE = f"市发展改革局生产环境端到端测试会议{time.strftime('%m%d%H%M%S')}"


def _totp(secret_text: str) -> str:
    from django_otp.oath import totp

    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def _log_in_with_second_factor(page, *, base: str, username: str, name: str) -> None:
    """Password, then enrolment (first login: production requires a second factor) or the code."""
    page.goto(base + "/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/otp/enrol/" in page.url:
        expect(page.locator("h1, h2").first).to_contain_text("绑定身份验证器")
        screenshot(page, f"{name}-otp-enrol")
        page.get_by_label("验证码").fill(_totp(page.locator(".otp-secret").inner_text()))
        page.get_by_role("button", name="完成绑定").click()
        expect(page.locator(".backup-codes li")).to_have_count(10)
        page.get_by_role("link", name="我已保存，继续").click()
    else:
        pytest.fail(f"{username} 首次登录应先绑定身份验证器，实际到了 {page.url}")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _verify_again(page, *, base: str, username: str) -> None:
    """A second login of an enrolled user asks for the code and accepts the authenticator's."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.context import schema_named
    from tenants.models import Unit

    page.goto(base + "/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/otp/verify/"))
    with schema_named(Unit.objects.get(code="fgj").schema_name):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    # A code is accepted once (django-otp refuses a replay): wait for the authenticator's next one.
    wait_for(lambda: int(time.time()) // device.step > device.last_t, seconds=device.step + 1, step=0.5)
    page.get_by_label("验证码").fill(_totp(base64.b32encode(device.bin_key).decode()))
    page.get_by_role("button", name="验证并进入后台").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _footer_button(page, selector: str):
    button = page.locator(f"footer {selector}").first
    if not button.is_visible():
        page.locator("footer .w-dropdown__toggle").last.click()
    return button


def _news_column_id() -> int:
    from sitepages.models import ColumnListingPage
    from tenants.context import schema_named
    from tenants.models import Unit

    with schema_named(Unit.objects.get(code="fgj").schema_name):
        return ColumnListingPage.objects.filter(item_type="news").order_by("path").values_list("id", flat=True).first()


def _page_id(title: str) -> int:
    from sitepages.models import NewsPage
    from tenants.context import schema_named
    from tenants.models import Unit

    with schema_named(Unit.objects.get(code="fgj").schema_name):
        return NewsPage.objects.get(title=title).pk


def _fresh_staff(username: str) -> None:
    """The test enrols from scratch: an authenticator left by an earlier run of the stack is removed."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.context import schema_named
    from tenants.models import Unit

    with schema_named(Unit.objects.get(code="fgj").schema_name):
        TOTPDevice.objects.filter(user__username=username).delete()
        StaticDevice.objects.filter(user__username=username).delete()


def test_editor_and_reviewer_with_the_second_factor_publish_and_portal_search_has_it_within_10_s(browser):
    base = https_url(unit_host("fgj"), "")
    for username in ("fgj_editor", "fgj_reviewer"):
        _fresh_staff(username)
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1400, "height": 1000}}

    editor_context = browser.new_context(ignore_https_errors=True, **options)
    editor_context.set_default_timeout(30_000)
    editor = editor_context.new_page()
    _log_in_with_second_factor(editor, base=base, username="fgj_editor", name="editor")
    editor.goto(f"{base}/admin/pages/add/sitepages/newspage/{_news_column_id()}/")
    editor.locator("#id_title").fill(TITLE)
    editor.locator("#id_author").fill("林晓")
    editor.locator("#id_source").fill("本局")
    editor.locator("#id_publish_date").fill(time.strftime("%Y-%m-%d"))
    editor.keyboard.press("Escape")
    editor.locator("[data-contentpath=body] .c-sf-add-button").first.click()
    editor.get_by_role("option", name="正文段落").click()
    editor.locator("[data-contentpath=body] [contenteditable=true]").first.click()
    editor.keyboard.type("会议研究部署了生产环境的端到端检查工作。", delay=15)
    editor.locator("#id_title").click()
    editor.wait_for_timeout(500)
    _footer_button(editor, 'button[name="action-submit"]').click()
    editor.wait_for_load_state()
    expect(editor.locator(".messages")).to_contain_text(re.compile("提交|已提交"))
    screenshot(editor, "editor-submitted")
    editor_context.close()

    reviewer_context = browser.new_context(ignore_https_errors=True, **options)
    reviewer_context.set_default_timeout(30_000)
    reviewer = reviewer_context.new_page()
    _log_in_with_second_factor(reviewer, base=base, username="fgj_reviewer", name="reviewer")
    reviewer_context.clear_cookies()
    _verify_again(reviewer, base=base, username="fgj_reviewer")
    reviewer.goto(f"{base}/admin/pages/{_page_id(TITLE)}/edit/")
    plain = 'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    if reviewer.locator(f"footer {plain}").count():
        _footer_button(reviewer, plain).click()
    else:
        _footer_button(reviewer, 'button[data-workflow-action-name="approve"]').click()
        dialog = reviewer.locator(".modal.show, [role=dialog]:visible").first
        dialog.locator("textarea").first.fill("同意发布")
        dialog.locator("button[type=submit]").first.click()
    reviewer.wait_for_load_state()
    approved_at = time.monotonic()
    expect(reviewer.locator(".messages")).to_contain_text(re.compile("通过|已发布|已被更新"))
    screenshot(reviewer, "reviewer-approved")
    reviewer_context.close()

    query = "/search/?" + urllib.parse.urlencode({"q": TITLE})
    found = wait_for(lambda: TITLE in get(query)[1].decode(), seconds=10, step=0.25)
    elapsed = time.monotonic() - approved_at
    assert found, f"发布 10 秒后门户检索仍查不到《{TITLE}》"
    print(f"publish → portal search: {elapsed:.1f} s")

    citizen = browser.new_context(ignore_https_errors=True, locale="zh-CN").new_page()
    citizen.goto(https_url(stack.DOMAIN, query))
    expect(citizen.locator(".results")).to_contain_text(TITLE)
    citizen.locator(".results h3 a", has_text=TITLE).first.click()
    expect(citizen.locator("h1")).to_contain_text(TITLE)
    screenshot(citizen, "citizen-found-it")
