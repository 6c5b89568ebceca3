"""The author is told when the 保密审查 holds a page: by mail (findings masked) and in the admin."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_tenants.utils import schema_context
from wagtail import hooks
from wagtail.models import Page, TaskState

from moderation.secrecy import notifications
from tenants.roles import UnitRole
from tests.support.moderation import (
    build_policy_page,
    client_for,
    current_task_state,
    edit_form_data,
    edit_url,
    make_user,
    valid_resident_id,
)


@pytest.fixture
def people(unit_a):
    return {
        "editor": make_user(unit_a, "tn_editor", UnitRole.EDITOR),
        "colleague": make_user(unit_a, "tn_colleague", UnitRole.EDITOR),
        "reviewer": make_user(unit_a, "tn_reviewer", UnitRole.REVIEWER),
    }


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def assert_no_full_number(number: str) -> None:
    for message in mail.outbox:
        assert number not in message.subject and number not in message.body, message.body


def test_author_is_mailed_the_masked_findings(unit_a, host_a, people) -> None:
    number = valid_resident_id()
    body = f"联系人身份证号{number}，请核对。"
    page = build_policy_page(unit_a, owner=people["editor"], body=body)
    editor = client_for(unit_a, host_a, "tn_editor")
    mail.outbox.clear()
    response = editor.post(edit_url(page), edit_form_data(unit_a, page, body=body, submit="提交审核"))
    assert response.status_code == 302
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "保密审查" and task_state.status == TaskState.STATUS_IN_PROGRESS

    (to_author,) = mails_to("tn_editor@example.gov.cn")
    assert "保密审查" in to_author.subject and page.title in to_author.subject
    assert "居民身份证号" in to_author.body and "正文" in to_author.body
    assert number[:4] + "*" * 10 + number[-4:] in to_author.body
    assert f"http://ta.localhost/admin/pages/{page.pk}/edit/" in to_author.body
    assert f"http://ta.localhost{reverse('moderation:page_secrecy', args=[page.pk])}" in to_author.body
    # The reviewers are told as before; nobody receives the number in full.
    assert mails_to("tn_reviewer@example.gov.cn")
    assert not mails_to("tn_colleague@example.gov.cn")
    assert_no_full_number(number)


def test_a_number_in_the_title_is_masked_in_every_mail(unit_a, host_a, people) -> None:
    number = valid_resident_id()
    title = f"关于{number}同志的公示"
    page = build_policy_page(unit_a, owner=people["editor"], title=title)
    mail.outbox.clear()
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(pk=page.pk).specific
        page.get_workflow().start(page, people["editor"])
    assert mails_to("tn_editor@example.gov.cn") and mails_to("tn_reviewer@example.gov.cn")
    assert_no_full_number(number)


def test_the_revisions_author_and_the_submitter_are_both_told(unit_a, people) -> None:
    page = build_policy_page(unit_a, owner=people["editor"], body="本文件内部资料，注意保存。")
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(pk=page.pk).specific
        page.save_revision(user=people["editor"])
        mail.outbox.clear()
        page.get_workflow().start(page, people["colleague"])
    assert len(mails_to("tn_editor@example.gov.cn")) == 1
    assert len(mails_to("tn_colleague@example.gov.cn")) == 1
    assert "内部信息标志" in mails_to("tn_colleague@example.gov.cn")[0].body


def test_a_clean_page_sends_the_author_nothing(unit_a, host_a, people) -> None:
    page = build_policy_page(unit_a, owner=people["editor"])
    editor = client_for(unit_a, host_a, "tn_editor")
    mail.outbox.clear()
    editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    assert not mails_to("tn_editor@example.gov.cn")


def test_after_submitting_the_author_sees_the_hold_in_the_admin(unit_a, host_a, people) -> None:
    number = valid_resident_id()
    body = f"联系人身份证号{number}，请核对。"
    page = build_policy_page(unit_a, owner=people["editor"], body=body)
    editor = client_for(unit_a, host_a, "tn_editor")

    def after_edit(request, page):
        notifications.warn_author_if_held(request=request, page=page)

    # wagtail_hooks registers the same call for after_edit_page and after_create_page.
    with hooks.register_temporarily("after_edit_page", after_edit):
        response = editor.post(edit_url(page), edit_form_data(unit_a, page, body=body, submit="提交审核"), follow=True)
    content = response.content.decode()
    # The 摘要 is filled from the body when the page is built: both hold the number.
    assert "保密审查发现 2 处需人工审查的内容：摘要第8字起" in content
    assert "居民身份证号" in content and number not in content
    assert reverse("moderation:page_secrecy", args=[page.pk]) in content


def test_no_admin_message_when_the_review_passed(unit_a, host_a, people, rf) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage

    page = build_policy_page(unit_a, owner=people["editor"])
    request = rf.get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(pk=page.pk).specific
        assert notifications.warn_author_if_held(request=request, page=page) is False
        page.get_workflow().start(page, people["editor"])
        assert notifications.warn_author_if_held(request=request, page=page) is False
    assert not list(request._messages)
