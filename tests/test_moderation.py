"""审核发布 end to end through the admin: workflows, secrecy review, 会签, duties, audit."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import ModelLogEntry, Page, PageLogEntry, TaskState, WorkflowState

from moderation.models import ConfirmationRequest, SecrecyOverride, SensitiveWord
from sitepages.models import ColumnListingPage, PolicyDocumentPage
from sitepages.publishing import PublishBlocked
from tenants.roles import UnitRole
from tests.support.clients import centre_client
from tests.support.moderation import (
    CLEAN_BODY,
    act,
    build_policy_page,
    client_for,
    current_task_state,
    edit_form_data,
    edit_url,
    is_live,
    luhn_card,
    make_user,
    page_actions,
    pdf_with_text,
    valid_resident_id,
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def people_a(unit_a, host_a):
    users = {
        "editor": make_user(unit_a, "ta_editor", UnitRole.EDITOR),
        "reviewer": make_user(unit_a, "ta_reviewer", UnitRole.REVIEWER),
        "leader": make_user(unit_a, "ta_leader", UnitRole.LEADER),
    }
    return users


# --- workflows --------------------------------------------------------------


def test_provisioning_creates_both_workflows(unit_a):
    from wagtail.models import Site, WorkflowPage

    with schema_context(unit_a.schema_name):
        home = Site.objects.get().root_page
        workflow = WorkflowPage.objects.get(page=home).workflow
        assert workflow.name == "审核发布"
        assert [t.name for t in workflow.tasks] == ["保密审查", "审核", "会签确认"]
        column = home.add_child(instance=ColumnListingPage(title="通知公告", slug="tzgg", item_type="notice"))
        leader_workflow = WorkflowPage.objects.get(page=column).workflow
        assert leader_workflow.name == "审核发布（含领导审批）"
        assert [t.name for t in leader_workflow.tasks] == ["保密审查", "审核", "会签确认", "分管领导审批"]
        news = home.add_child(instance=ColumnListingPage(title="工作动态", slug="gzdt", item_type="news"))
        assert news.get_workflow() == workflow
        reviewers = Group.objects.get(name=UnitRole.REVIEWER)
        assert reviewers.permissions.filter(codename="override_secrecy").exists()


def test_draft_travels_the_whole_chain(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    response = editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    assert response.status_code == 302
    state, task_state = current_task_state(unit_a, page)
    # The secrecy review passed the clean page on its own; the reviewer is next.
    assert task_state.task.name == "审核"
    assert [m.to for m in mail.outbox] == [["ta_reviewer@example.gov.cn"]]
    assert "ta.localhost" in mail.outbox[0].body

    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    assert act(reviewer, unit_a, page, "approve").status_code == 302
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "分管领导审批"
    assert not is_live(unit_a, page)

    leader = client_for(unit_a, host_a, "ta_leader")
    response = act(leader, unit_a, page, "approve", "同意发布")
    assert response.status_code == 302, response.content[:3000]
    state, task_state = current_task_state(unit_a, page)
    assert state.status == WorkflowState.STATUS_APPROVED, (task_state.task.name, task_state.status, page_actions(unit_a, page))
    assert is_live(unit_a, page)
    actions = page_actions(unit_a, page)
    assert actions.count("wagtail.workflow.approve") == 4
    assert "wagtail.workflow.start" in actions and "wagtail.publish" in actions
    with schema_context(unit_a.schema_name):
        approval = PageLogEntry.objects.filter(
            page_id=page.pk, action="wagtail.workflow.approve", user__username="ta_leader"
        ).get()
        assert approval.data["comment"] == "同意发布"


def test_rejection_returns_page_to_author_with_comment(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    mail.outbox.clear()
    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    act(reviewer, unit_a, page, "reject", "请补充文件依据")
    state, task_state = current_task_state(unit_a, page)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert task_state.comment == "请补充文件依据"
    assert mail.outbox[0].to == ["ta_editor@example.gov.cn"]
    assert "请补充文件依据" in mail.outbox[0].body
    assert f"http://ta.localhost/admin/pages/{page.pk}/edit/" in mail.outbox[0].body
    with schema_context(unit_a.schema_name):
        entry = PageLogEntry.objects.get(page_id=page.pk, action="wagtail.workflow.reject")
        assert entry.user.username == "ta_reviewer" and entry.data["comment"] == "请补充文件依据"
    assert not is_live(unit_a, page)


def test_editor_cannot_publish(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    with schema_context(unit_a.schema_name):
        assert not Page.objects.get(pk=page.pk).permissions_for_user(people_a["editor"]).can_publish()
    editor = client_for(unit_a, host_a, "ta_editor")
    editor.post(edit_url(page), edit_form_data(unit_a, page, publish="发布"))
    assert not is_live(unit_a, page)
    assert "wagtail.publish" not in page_actions(unit_a, page)


def test_unit_admin_may_publish_a_clean_page(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(edit_url(page), edit_form_data(unit_a, page, publish="发布"))
    assert response.status_code == 302
    assert is_live(unit_a, page)


# --- secrecy review ---------------------------------------------------------


@pytest.mark.parametrize(
    "body, label",
    [(f"联系人身份证号{valid_resident_id()}，请核对。", "居民身份证号"), ("机密★1年 本文件仅限内部传达。", "密级标志")],
)
def test_findings_hold_the_page_until_a_reviewer_overrides(unit_a, host_a, people_a, body, label):
    page = build_policy_page(unit_a, owner=people_a["editor"], body=body)
    editor = client_for(unit_a, host_a, "ta_editor")
    editor.post(edit_url(page), edit_form_data(unit_a, page, body=body, submit="提交审核"))
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "保密审查"
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert label in {f["label"] for f in task_state.findings}
    assert any(f["field"] == "正文" and f["excerpt"] for f in task_state.findings)
    assert valid_resident_id() not in str(task_state.findings)  # stored masked
    assert mail.outbox and mail.outbox[-1].to == ["ta_reviewer@example.gov.cn"]

    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    findings_page = reviewer.get(reverse("moderation:page_secrecy", args=[page.pk]))
    assert label in findings_page.content.decode()
    # The editor has no override action; a reason is mandatory for the reviewer.
    refused = editor.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "override", task_state.pk]), {"comment": "x"}
    )
    assert refused.status_code == 302 and refused.url == "/admin/"  # Wagtail's answer to PermissionDenied
    act(reviewer, unit_a, page, "override", "")
    assert current_task_state(unit_a, page)[1].task.name == "保密审查"
    with schema_context(unit_a.schema_name):
        assert not SecrecyOverride.objects.filter(page_id=page.pk).exists()
    act(reviewer, unit_a, page, "override", "已核实为公开信息，经单位领导同意公开")
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "审核"
    with schema_context(unit_a.schema_name):
        record = SecrecyOverride.objects.get(page_id=page.pk)
        assert record.user.username == "ta_reviewer" and record.findings
        entry = PageLogEntry.objects.get(page_id=page.pk, action="moderation.secrecy_override")
        assert entry.data["reason"] == "已核实为公开信息，经单位领导同意公开"
        assert str(entry.message) == "审核员对保密审查发现的问题人工放行"
    act(reviewer, unit_a, page, "approve")
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "approve")
    assert is_live(unit_a, page)


def test_bank_card_in_attached_pdf_is_found(unit_a, host_a, people_a, media):
    from wagtail.documents.models import Document

    with schema_context(unit_a.schema_name):
        document = Document.objects.create(
            title="附件1", file=ContentFile(pdf_with_text(f"Account {luhn_card()}"), name="fj1.pdf")
        )
    page = build_policy_page(unit_a, owner=people_a["editor"], documents=[document])
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(edit_url(page), edit_form_data(unit_a, page, publish="发布"), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "未发布" in content and "银行卡号" in content and "附件《附件1》" in content
    assert not is_live(unit_a, page)

    reviewer = client_for(unit_a, host_a, "ta_reviewer")
    reviewer.post(reverse("moderation:page_secrecy", args=[page.pk]), {"reason": "测试卡号，非真实账户"})
    response = admin.post(edit_url(page), edit_form_data(unit_a, page, publish="发布"))
    assert response.status_code == 302
    assert is_live(unit_a, page)


def test_no_publish_path_skips_the_guard(unit_a, host_a, people_a):
    body = f"身份证号{valid_resident_id()}"
    page = build_policy_page(unit_a, owner=people_a["editor"], body=body)
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(edit_url(page), edit_form_data(unit_a, page, body=body, publish="发布"))
    assert response.status_code == 302 and response.url == edit_url(page)
    assert not is_live(unit_a, page)

    with schema_context(unit_a.schema_name):
        revision = Page.objects.get(pk=page.pk).get_latest_revision()
        with pytest.raises(PublishBlocked) as blocked:
            revision.publish()
        assert "保密审查" in str(blocked.value)

        past = timezone.now() - timedelta(hours=1)
        specific = PolicyDocumentPage.objects.get(pk=page.pk)
        specific.go_live_at = past
        scheduled = specific.save_revision(approved_go_live_at=past)
        with pytest.raises(PublishBlocked):
            call_command("publish_scheduled")
        assert not Page.objects.get(pk=page.pk).live

        # An override for exactly this content lets every path through again.
        SecrecyOverride.objects.create(
            page_id=page.pk, revision=scheduled, content_hash="", user=people_a["reviewer"], reason="已核实", findings=[]
        )
        call_command("publish_scheduled")
        assert Page.objects.get(pk=page.pk).live


def test_sensitive_words_come_from_the_public_dictionary(unit_a, host_a, people_a):
    centre = centre_client()
    response = centre.post(reverse("sensitive_words:add"), {"word": "测试禁词", "note": "示例"})
    assert response.status_code == 302
    with schema_context("public"):
        assert SensitiveWord.objects.get(word="测试禁词").created_by.username == "centre"
    page = build_policy_page(unit_a, owner=people_a["editor"], body="其中含有测试禁词一处。")
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    response = admin.post(
        edit_url(page), edit_form_data(unit_a, page, body="其中含有测试禁词一处。", publish="发布"), follow=True
    )
    assert "敏感词" in response.content.decode()
    assert not is_live(unit_a, page)
    # The dictionary is managed only in the information centre's admin.
    assert admin.get(reverse("sensitive_words:index")).status_code in (302, 403)
    assert "敏感词库" not in admin.get("/admin/").content.decode()


# --- cross-unit confirmation --------------------------------------------------


def test_cross_unit_confirmation_between_two_units(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    response = editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": ["tb"]})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
        act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "approve")
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "会签确认"
    with schema_context("public"):
        request = ConfirmationRequest.objects.get(source_unit_code="ta", page_id=page.pk)
    assert request.status == "pending" and request.target_unit_code == "tb"
    assert any(m.to == ["tb_reviewer@example.gov.cn"] and "http://tb.localhost/admin/" in m.body for m in mail.outbox), [
        (m.to, m.body) for m in mail.outbox
    ]

    # Publishing by any path waits for the confirmation.
    with schema_context(unit_a.schema_name), pytest.raises(PublishBlocked):
        Page.objects.get(pk=page.pk).get_latest_revision().publish()

    tb = client_for(unit_b, host_b, "tb_reviewer")
    dashboard = tb.get("/admin/").content.decode()
    assert page.title in dashboard
    detail = tb.get(reverse("moderation:confirmation_detail", args=[request.pk]))
    assert CLEAN_BODY in detail.content.decode()
    # The other unit of the platform cannot open it, and ta cannot answer for tb.
    ta_reviewer = client_for(unit_a, host_a, "ta_reviewer")
    refused = ta_reviewer.post(reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm"})
    assert refused.status_code == 302 and refused.url == "/admin/"
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = tb.post(
            reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "confirm", "comment": "无意见"}
        )
    assert response.status_code == 302
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "confirmed" and request.decided_by == "tb_reviewer"
    _, task_state = current_task_state(unit_a, page)
    assert task_state.task.name == "分管领导审批"
    act(client_for(unit_a, host_a, "ta_leader"), unit_a, page, "approve")
    assert is_live(unit_a, page)

    assert "moderation.confirmation_requested" in page_actions(unit_a, page)
    assert "moderation.confirmation_confirmed" in page_actions(unit_a, page)
    with schema_context(unit_b.schema_name):
        tb_actions = set(ModelLogEntry.objects.filter(object_id=str(request.pk)).values_list("action", flat=True))
        assert {"moderation.confirmation_received", "moderation.confirmation_confirmed"} <= tb_actions
        assert not PageLogEntry.objects.filter(page_id=page.pk, action__startswith="moderation.").exists()


def test_objection_returns_page_and_withdrawal(unit_a, unit_b, host_a, host_b, people_a, django_capture_on_commit_callbacks):
    make_user(unit_b, "tb_reviewer", UnitRole.REVIEWER)
    page = build_policy_page(unit_a, owner=people_a["editor"])
    editor = client_for(unit_a, host_a, "ta_editor")
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": ["tb"], "send": "1"})
    with schema_context("public"):
        request = ConfirmationRequest.objects.get(source_unit_code="ta", page_id=page.pk)
    tb = client_for(unit_b, host_b, "tb_reviewer")
    assert tb.post(reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "object"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        tb.post(reverse("moderation:confirmation_detail", args=[request.pk]), {"decision": "object", "comment": "数据口径有误"})
    with schema_context("public"):
        request.refresh_from_db()
    assert request.status == "objected" and request.comment == "数据口径有误"
    assert any("数据口径有误" in m.body and m.to == ["ta_editor@example.gov.cn"] for m in mail.outbox)

    # A new request for changed content can be withdrawn by the source unit.
    with schema_context(unit_a.schema_name):
        specific = PolicyDocumentPage.objects.get(pk=page.pk)
        specific.summary = "修改后的摘要"
        specific.save_revision(user=people_a["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("moderation:page_targets", args=[page.pk]), {"units": ["tb"], "send": "1"})
    with schema_context("public"):
        second = ConfirmationRequest.objects.filter(page_id=page.pk, source_unit_code="ta").order_by("-id").first()
    assert second.pk != request.pk and second.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("moderation:confirmation_detail", args=[second.pk]), {"withdraw": "1"})
    with schema_context("public"):
        second.refresh_from_db()
    assert second.status == "withdrawn"
    assert "moderation.confirmation_withdrawn" in page_actions(unit_a, page)
    with schema_context(unit_b.schema_name):
        assert ModelLogEntry.objects.filter(object_id=str(second.pk), action="moderation.confirmation_withdrawn").exists()


# --- duties -----------------------------------------------------------------


def test_duty_flags_appear_and_clear(unit_a, unit_b, host_a):
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    dashboard = admin.get("/admin/").content.decode()
    assert "未明确第一责任人" in dashboard and "未明确信息员" in dashboard
    centre = centre_client()
    overview = centre.get(reverse("moderation:duty_overview")).content.decode()
    assert "测试甲局" in overview and "未明确分管领导" in overview

    make_user(unit_a, "ta_head", UnitRole.HEAD)
    make_user(unit_a, "ta_lead", UnitRole.LEADER)
    for index in range(3):
        make_user(unit_a, f"ta_ed{index}", UnitRole.EDITOR)
    dashboard = admin.get("/admin/").content.decode()
    assert "信息员超过 2 名" in dashboard
    with schema_context(unit_a.schema_name):
        get_user_model().objects.filter(username="ta_ed2").update(is_active=False)
    dashboard = admin.get("/admin/").content.decode()
    assert "第一责任人、分管领导、信息员均已明确" in dashboard
    overview = centre.get(reverse("moderation:duty_overview")).content.decode()
    assert overview.count("已落实") == 1  # 甲局 now complete, 乙局 still flagged


# --- audit ------------------------------------------------------------------


def test_audit_export_csv_and_xlsx(unit_a, host_a, people_a):
    page = build_policy_page(unit_a, owner=people_a["editor"])
    client_for(unit_a, host_a, "ta_editor").post(edit_url(page), edit_form_data(unit_a, page, submit="提交审核"))
    act(client_for(unit_a, host_a, "ta_reviewer"), unit_a, page, "reject", "格式不规范")
    admin = client_for(unit_a, host_a, "ta_admin", "pw-ta-12345")
    today = timezone.localdate().isoformat()
    response = admin.get(reverse("moderation:audit_export"), {"start": today, "end": today, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "单位"
    assert any(row[2] == "ta_reviewer" and row[7] == "格式不规范" for row in rows[1:])

    from openpyxl import load_workbook

    response = admin.get(reverse("moderation:audit_export"), {"start": today, "end": today, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(row[7] == "格式不规范" for row in sheet.iter_rows(min_row=2, values_only=True))
    # Editors may not export the audit trail.
    assert client_for(unit_a, host_a, "ta_editor").get(reverse("moderation:audit_export")).status_code in (302, 403)

    centre = centre_client()
    response = centre.get(reverse("moderation:platform_audit_export"), {"start": today, "end": today, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(row[0] == "测试甲局" and row[7] == "格式不规范" for row in rows[1:])
