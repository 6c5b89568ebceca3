"""An editor's whole publish chain in the Wagtail admin, in Chromium: the 信息员 logs in, writes a
news item in 部门动态 and submits it; the 审核员 approves it; the item is on the portal."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests_browser.conftest import DEMO_STAFF_PASSWORD, screenshot, unit_url

TITLE = "市发展改革局召开浏览器测试专题会议"


def _news_column_id() -> int:
    from django_tenants.utils import schema_context

    from sitepages.models import ColumnListingPage
    from tenants.models import Unit

    with schema_context(Unit.objects.get(code="fgj").schema_name):
        return ColumnListingPage.objects.filter(item_type="news").order_by("path").values_list("id", flat=True).first()


def _page_id(title: str) -> int:
    from django_tenants.utils import schema_context

    from sitepages.models import NewsPage
    from tenants.models import Unit

    with schema_context(Unit.objects.get(code="fgj").schema_name):
        return NewsPage.objects.get(title=title).pk


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _footer_button(page, selector: str):
    """A button of the editor's footer menu, opening the menu first when the button is in it."""
    button = page.locator(f"footer {selector}").first
    if not button.is_visible():
        page.locator("footer .w-dropdown__toggle").last.click()
    return button


def _footer_action(page, name: str) -> None:
    _footer_button(page, f'button[name="{name}"]').click()


def test_editor_writes_submits_reviewer_approves_and_the_portal_shows_it(browser, site_server):
    base = unit_url(site_server, "fgj")
    column_id = _news_column_id()

    editor_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 1000})
    editor_context.set_default_timeout(30_000)
    editor = editor_context.new_page()
    _log_in(editor, base, "fgj_editor")
    editor.goto(f"{base}/admin/pages/add/sitepages/newspage/{column_id}/")
    editor.locator("#id_title").fill(TITLE)
    editor.locator("#id_author").fill("林晓")
    editor.locator("#id_source").fill("本局")
    editor.locator("#id_publish_date").fill(time.strftime("%Y-%m-%d"))
    editor.keyboard.press("Escape")
    editor.locator("#panel-child-content-body-content .c-sf-add-button, [data-contentpath=body] .c-sf-add-button").first.click()
    editor.get_by_role("option", name="正文段落").click()
    body = editor.locator("[data-contentpath=body] [contenteditable=true]").first
    body.click()
    # Typed key by key, as a person does, so that Draftail's React state (and the hidden input) follow.
    editor.keyboard.type("会议研究部署了重点项目建设和营商环境优化工作，要求各科室按时完成。", delay=15)
    editor.locator("#id_title").click()
    editor.wait_for_timeout(500)
    screenshot(editor, "editor-new-news")
    _footer_action(editor, "action-submit")
    editor.wait_for_load_state()
    errors = [t.strip() for t in editor.locator(".error-message, [id$='-errors']").all_inner_texts() if t.strip()]
    assert not errors, errors
    expect(editor.locator(".messages")).to_contain_text(re.compile("提交|已提交"))
    page_id = _page_id(TITLE)
    screenshot(editor, "editor-submitted")
    editor_context.close()

    reviewer_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 1000})
    reviewer_context.set_default_timeout(30_000)
    reviewer = reviewer_context.new_page()
    _log_in(reviewer, base, "fgj_reviewer")
    expect(reviewer.locator("main")).to_contain_text(TITLE)
    screenshot(reviewer, "reviewer-dashboard")
    reviewer.goto(f"{base}/admin/pages/{page_id}/edit/")
    # 通过 (without a comment) when the task offers it, else 通过并附意见 in Wagtail's modal.
    plain = reviewer.locator('footer button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    if plain.count():
        _footer_button(reviewer, 'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])').click()
    else:
        _footer_button(reviewer, 'button[data-workflow-action-name="approve"]').click()
        dialog = reviewer.locator(".modal.show, [role=dialog]:visible").first
        dialog.locator("textarea").first.fill("同意发布")
        dialog.locator("button[type=submit]").first.click()
    reviewer.wait_for_load_state()
    screenshot(reviewer, "reviewer-after-approve")
    errors = [
        t.strip()
        for t in reviewer.locator(".error-message, .w-field__errors, .help-critical, [id$='-errors']").all_inner_texts()
        if t.strip()
    ]
    assert not errors, errors
    expect(reviewer.locator(".messages")).to_contain_text(re.compile("通过|已发布|已被更新"))
    screenshot(reviewer, "reviewer-approved")
    reviewer_context.close()

    citizen = browser.new_context(locale="zh-CN").new_page()
    citizen.goto(f"{site_server}/search/?q={TITLE}")
    expect(citizen.locator(".results")).to_contain_text(TITLE)
    citizen.locator(".results h3 a", has_text=TITLE).first.click()
    expect(citizen.locator("h1")).to_contain_text(TITLE)
    screenshot(citizen, "portal-new-news")
