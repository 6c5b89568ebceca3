"""What the reviewers approved is exactly what goes live: each route someone could use to get text past them.

Every test drives the real admin views (or the real service a worker runs) in real unit schemas.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page, TaskState, WorkflowState

from moderation.models import ConfirmationRequest
from moderation.services import check_confirmation_deadlines
from sitepages.models import PolicyDocumentPage
from tenants.models import Unit
from tenants.roles import UnitRole
from tests.support.moderation import (
    CLEAN_BODY,
    act,
    build_policy_page,
    client_for,
    current_task_state,
    edit_form_data,
    edit_url,
    is_live,
    make_user,
    page_actions,
)

NEW_TEXT = "未经审核擅自加入的内容。"


@pytest.fixture
def people_a(unit_a):
    return {
        "editor": make_user(unit_a, "ta_editor", UnitRole.EDITOR),
        "reviewer": make_user(unit_a, "ta_reviewer", UnitRole.REVIEWER),
        "reviewer2": make_user(unit_a, "ta_reviewer2", UnitRole.REVIEWER),
        "leader": make_user(unit_a, "ta_leader", UnitRole.LEADER),
    }


def live_body(unit, page) -> str:
    with schema_context(unit.schema_name):
        live = PolicyDocumentPage.objects.get(pk=page.pk)
        return "".join(block.value.source for block in live.body if block.block_type == "paragraph")


def submit_to_confirmation(unit_a, host_a, people_a, capture, *, target="tb"):
    """Editor names the other unit and submits; a reviewer approves: the page waits at 会签确认."""
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    assert editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": [target]}).status_code == 302
    with capture(execute=True):
        editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
        act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "approve")
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "会签确认"
    with schema_context("public"):
        request = ConfirmationRequest.objects.get(source_unit_code="ta", page_id=page.pk, status="pending")
    return page, editor, request


# --- 1. edit during 会签 ---------------------------------------------------------


def test_edit_during_confirmation_never_goes_live(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    page, editor, request = submit_to_confirmation(unit_a, host_a, people_a, capture)

    # The page is locked at 会签: neither the editor nor the unit administrator can save new text.
    for client in (editor, client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")):
        client.post(edit_url(page), edit_form_data(unit_a, page, body=NEW_TEXT))
    with schema_context(unit_a.schema_name):
        latest = Page.objects.get(pk=page.pk).get_latest_revision().as_object()
        assert NEW_TEXT not in str(latest.body)
    # Removing the unit that has not confirmed yet is refused while the workflow runs.
    response = editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": []}, follow=True)
    assert "页面正在审核" in response.content.decode()
    # So is withdrawing its request.
    response = editor.post(reverse("moderation:confirmation_detail", args=[request.pk]), {"withdraw": "1"}, follow=True)
    assert "不能撤回会签请求" in response.content.decode()
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "pending"

    # Any other path that saves content (code, an import, autosave) sends the page back to the first task.
    with schema_context(unit_a.schema_name):
        draft = PolicyDocumentPage.objects.get(pk=page.pk).get_latest_revision_as_object()
        draft.body = [("paragraph", f"<p>{NEW_TEXT}</p>")]
        draft.save_revision(user=people_a["editor"])
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核"  # 保密审查 passed the clean text again, a reviewer is next
    assert "moderation.workflow_restarted" in page_actions(unit_a, page)

    # The other unit confirms what it was shown; nothing goes live without the reviewers seeing the new text.
    with capture(execute=True):
        client_for(unit_b, host_b, "tb_reviewer").post(
            reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm", "comment": "同意"}
        )
    assert not is_live(unit_a, page)
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核"


def test_published_revision_is_the_approved_one(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    page, _editor, request = submit_to_confirmation(unit_a, host_a, people_a, capture)
    with capture(execute=True):
        client_for(unit_b, host_b, "tb_reviewer").post(
            reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm", "comment": "同意"}
        )
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "分管领导审批"
    approved_revision = task_state.revision_id
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "approve", "同意")
    assert is_live(unit_a, page)
    with schema_context(unit_a.schema_name):
        assert Page.objects.get(pk=page.pk).live_revision_id == approved_revision
    assert CLEAN_BODY in live_body(unit_a, page)


def test_resubmission_after_rejection_starts_from_the_first_task(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "approve")
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "reject", "请修改")
    secret = "本文件机密★1年，仅限内部传达。"
    editor.post(edit_url(page), edit_form_data(unit_a, page, body=secret, submit="提交审核"))
    # Wagtail would resume at the leader's step, keeping the approvals given for the old text.
    state, task_state = current_task_state(unit_a, page)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert task_state.task.name == "保密审查" and task_state.status == TaskState.STATUS_IN_PROGRESS
    assert any(f["label"] == "密级标志" for f in task_state.findings)
    assert not is_live(unit_a, page)


# --- 2. separation of duties ----------------------------------------------------


def test_reviewer_cannot_approve_own_writing(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["reviewer"])
    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    reviewer.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核"
    with schema_context(unit_a.schema_name):
        specific = task_state.task.specific
        assert "approve" not in [name for name, *_ in specific.get_actions(Page.objects.get(pk=page.pk), people_a["reviewer"])]
    refused = act(reviewer, unit_a, page, "approve")
    assert refused.status_code == 302 and refused.url == "/admin/"
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核" and task_state.status == TaskState.STATUS_IN_PROGRESS

    # Another reviewer may; the leader then finishes it.
    act(client_for(unit_a, host_a, "ta_reviewer2"), unit_a, page, "approve")
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "approve")
    assert is_live(unit_a, page)


def test_reviewer_who_edits_during_review_cannot_approve_it(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    client_for(unit_a, host_a, "ta_editor").post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    # Reviewers may edit at their own step: the change restarts the chain and makes them a writer.
    assert reviewer.post(edit_url(page), edit_form_data(unit_a, page, body="审核员改写的正文。")).status_code == 302
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核"
    assert act(reviewer, unit_a, page, "approve").url == "/admin/"
    _, task_state = current_task_state(unit_a, page)
    assert task_state.status == TaskState.STATUS_IN_PROGRESS


def test_writer_cannot_release_own_secrecy_findings(unit_a, host_a, people_a):
    body = "机密★1年 本文件仅限内部传达。"
    page = build_policy_page(unit_a, owner=people_a["reviewer"], body=body)
    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    reviewer.post(edit_url(page), edit_form_data(unit_a, page, body=body, submit="提交审核"))
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "保密审查"
    act(reviewer, unit_a, page, "override", "本人认为可以公开")
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "保密审查" and task_state.status == TaskState.STATUS_IN_PROGRESS
    act(client_for(unit_a, host_a, "ta_reviewer2"), unit_a, page, "override", "经核实可以公开")
    assert current_task_state(unit_a, page)[1].task.name == "审核"


def test_unit_minimum_of_distinct_people(unit_a, host_a, people_a):
    with schema_context("public"):
        Unit.objects.filter(pk=unit_a.pk).update(min_distinct_people=3)
    # A unit administrator publishing an editor's page directly: two people, the unit wants three.
    page = build_policy_page(unit_a, owner=people_a["editor"])
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(edit_url(page), edit_form_data(unit_a, page, publish="发布"), follow=True)
    assert "至少须经 3 名不同人员" in response.content.decode()
    assert not is_live(unit_a, page)
    # The duties panel says so.
    assert "至少经过 3 名不同人员" in admin.get("/admin/").content.decode()

    # Editor, reviewer and leader are three: the workflow publishes.
    client_for(unit_a, host_a, "ta_editor").post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "approve")
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "approve")
    assert is_live(unit_a, page)


def test_admin_cannot_publish_own_edit_directly(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(
        edit_url(page), edit_form_data(unit_a, page, body="管理员改写后直接发布。", publish="发布"), follow=True
    )
    assert "不能由本人直接发布" in response.content.decode()
    assert not is_live(unit_a, page)


# --- 9. 会签 that cannot hang ---------------------------------------------------


def test_confirmation_deadline_reminder_and_escalation(
    unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    make_user(unit_b, "tb_leader", UnitRole.LEADER)
    _page, editor, request = submit_to_confirmation(unit_a, host_a, people_a, capture)
    assert request.deadline is not None
    # Three working days, never a Saturday or Sunday.
    assert timezone.localtime(request.deadline).weekday() < 5
    assert timedelta(days=3) <= request.deadline - request.created_at <= timedelta(days=5)

    mail.outbox.clear()
    with capture(execute=True):
        assert check_confirmation_deadlines(now=request.created_at + timedelta(hours=1)) == {"reminded": 0, "escalated": 0}
        half = request.created_at + (request.deadline - request.created_at) / 2 + timedelta(minutes=1)
        assert check_confirmation_deadlines(now=half) == {"reminded": 1, "escalated": 0}
        assert check_confirmation_deadlines(now=half + timedelta(minutes=15)) == {"reminded": 0, "escalated": 0}
    reminders = [m for m in mail.outbox if "会签催办" in m.subject]
    assert [m.to for m in reminders] == [["tb_reviewer@example.gov.cn"]]
    assert "http://tb.localhost/admin/" in reminders[0].body

    mail.outbox.clear()
    with capture(execute=True):
        late = request.deadline + timedelta(minutes=1)
        assert check_confirmation_deadlines(now=late) == {"reminded": 0, "escalated": 1}
        assert check_confirmation_deadlines(now=late + timedelta(hours=1)) == {"reminded": 0, "escalated": 0}
    overdue = {tuple(m.to) for m in mail.outbox if "会签超期" in m.subject}
    assert ("tb_leader@example.gov.cn",) in overdue and ("ta_leader@example.gov.cn",) in overdue
    with schema_context("public"):
        request.refresh_from_db()
    assert "已超过答复期限" in request.state_display
    listing = editor.get(reverse("moderation:confirmations")).content.decode()
    assert "已超过答复期限，已通知双方分管领导" in listing


def test_deadline_is_set_per_request(unit_a, host_a, people_a, django_capture_on_commit_callbacks):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": ["tb"], "working_days": "10", "send": "1"})
    with schema_context("public"):
        request = ConfirmationRequest.objects.get(source_unit_code="ta", page_id=page.pk)
    assert timedelta(days=13, hours=23) <= request.deadline - request.created_at <= timedelta(days=16)


def test_failing_apply_is_parked_and_reported(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    """The workflow cannot finish (the unit wants three people, the standard workflow has two):
    the confirmation is recorded, the error is parked on the request, the reviewers are told, nothing loops."""
    capture = django_capture_on_commit_callbacks
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    page = build_policy_page(unit_a, owner=people_a["editor"], item_type="news")
    editor = client_for(unit_a, host_a, "ta_editor")
    editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": ["tb"]})
    with capture(execute=True):
        editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
        act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "approve")
    with schema_context("public"):
        Unit.objects.filter(pk=unit_a.pk).update(min_distinct_people=3)
        request = ConfirmationRequest.objects.get(source_unit_code="ta", page_id=page.pk, status="pending")
    mail.outbox.clear()
    with capture(execute=True):
        response = client_for(unit_b, host_b, "tb_reviewer").post(
            reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm", "comment": "同意"}
        )
    assert response.status_code == 302
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "confirmed" and request.apply_attempts == 1
    assert "至少须经 3 名不同人员" in request.apply_error
    assert "发起单位处理失败" in request.state_display
    assert any("会签结果处理失败" in m.subject and m.to == ["ta_reviewer@example.gov.cn"] for m in mail.outbox)
    assert not is_live(unit_a, page)
    # Running the task again (a retry) changes nothing and raises nothing.
    from moderation.services import apply_confirmation_decision

    with schema_context(unit_a.schema_name):
        apply_confirmation_decision(request_id=request.pk)
    with schema_context("public"):
        request.refresh_from_db()
    assert request.apply_attempts == 1


def test_author_cannot_confirm_for_the_other_unit(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    """The same person with an account in both units (same e-mail) cannot confirm their own page."""
    from django.contrib.auth import get_user_model

    with schema_context(unit_b.schema_name):
        twin = make_user(unit_b, "tb_twin", UnitRole.REVIEWER)
        get_user_model().objects.filter(pk=twin.pk).update(email="ta_editor@example.gov.cn")
    _page, _editor, request = submit_to_confirmation(unit_a, host_a, people_a, django_capture_on_commit_callbacks)
    response = client_for(unit_b, host_b, "tb_twin").post(
        reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm", "comment": "同意"}, follow=True
    )
    assert "不能代表会签单位确认" in response.content.decode()
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "pending"


def test_cancelling_the_workflow_withdraws_pending_requests(unit_a, host_a, people_a, django_capture_on_commit_callbacks):
    page, _editor, request = submit_to_confirmation(unit_a, host_a, people_a, django_capture_on_commit_callbacks)
    with schema_context(unit_a.schema_name):
        state = WorkflowState.objects.for_instance(Page.objects.get(pk=page.pk)).get(status="in_progress")
        with django_capture_on_commit_callbacks(execute=True):
            state.cancel(user=people_a["editor"])
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "withdrawn"


# --- 10. audit export --------------------------------------------------------------


def test_audit_export_escapes_formulas(unit_a, host_a, people_a):
    title = '=HYPERLINK("http://evil.example/","点击")'
    page = build_policy_page(unit_a, owner=people_a["editor"], title=title)
    client_for(unit_a, host_a, "ta_editor").post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    today = timezone.localdate().isoformat()
    response = admin.get(reverse("moderation:audit_export"), {"start": today, "end": today, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert cells and all(cell.startswith("'=") for cell in cells)

    from openpyxl import load_workbook

    response = admin.get(reverse("moderation:audit_export"), {"start": today, "end": today, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells and all(cell.data_type == "s" and str(cell.value).startswith("'=") for cell in cells)
