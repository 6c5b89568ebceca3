"""E-mail to whoever must act next, with links on the unit's own host."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from smtplib import SMTPException

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from tenants.hosts import unit_base_url
from tenants.services import UnitRole

from .secrecy import mask_personal_numbers

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【政府网站群】"


def _unit_url(path: str) -> str:
    from .selectors import current_unit

    unit = current_unit()
    # Each unit has its own admin host; the global WAGTAILADMIN_BASE_URL would send people to the wrong site.
    return f"{unit_base_url(unit)}{path}" if unit is not None else path


def page_edit_url(page) -> str:
    return _unit_url(reverse("wagtailadmin_pages:edit", args=[page.pk]))


def send_to_users(*, users, subject: str, body: str) -> int:
    sent = 0
    for user in {u for u in users if u is not None and u.is_active and u.email}:
        name = (user.get_full_name() or "").strip() or user.get_username()
        try:
            sent += send_mail(f"{SUBJECT_PREFIX}{subject}", f"{name}，您好：\n\n{body}\n", None, [user.email])
        except (SMTPException, OSError):
            # A mail server outage must not roll back the moderation step that triggered the mail.
            logger.exception("发送通知邮件失败：%s → %s", subject, user.email)
    return sent


def _group_members(*names: str):
    return get_user_model().objects.filter(groups__name__in=names, is_active=True).distinct()


def notify_task_waiting(*, task_state) -> int:
    task = task_state.task.specific
    groups = getattr(task, "groups", None)
    if groups is None:
        return 0
    page = task_state.workflow_state.content_object.specific
    users = get_user_model().objects.filter(groups__in=groups.all(), is_active=True).distinct()
    body = f"页面《{page.title}》已提交到“{task.name}”环节，等待您审核。\n处理地址：{page_edit_url(page)}"
    return send_to_users(users=users, subject=f"待审核：{page.title}", body=body)


def notify_secrecy_findings(*, page, findings: list[dict], authors: Iterable = ()) -> int:
    """Tell the reviewers who may release the page, and its authors, what the 保密审查 found.

    ``findings`` are the stored ones (Finding.as_dict: personal numbers masked);
    the title and the summary are masked once more, because a page title may
    itself hold the number that was found. ``authors``: the user of the revision
    under review and whoever submitted it.
    """
    from .selectors import findings_summary, user_can_override_secrecy

    title = mask_personal_numbers(page.title)
    summary = mask_personal_numbers(findings_summary(findings))
    users = [u for u in _group_members(UnitRole.REVIEWER) if user_can_override_secrecy(user=u)]
    findings_url = _unit_url(reverse("moderation:page_secrecy", args=[page.pk]))
    author_body = (
        f"您提交审核的页面《{title}》在保密审查中发现 {len(findings)} 处需人工审查的内容：\n{summary}\n\n"
        "页面暂停在“保密审查”环节，不会发布，等待具备放行权限的审核员核实后人工放行或退回修改；"
        "如需自行修改，可在编辑页面“取消工作流”，修改后重新提交。\n"
        f"保密审查详情：{findings_url}\n编辑页面：{page_edit_url(page)}"
    )
    sent = send_to_users(users=list(authors), subject=f"保密审查发现问题：{title}", body=author_body)
    body = f"页面《{title}》在保密审查中发现 {len(findings)} 处需人工审查的内容：\n{summary}\n\n查看详情并处理：{findings_url}"
    return sent + send_to_users(users=users, subject=f"保密审查待处理：{title}", body=body)


def warn_author_if_held(*, request, page) -> bool:
    """After an editor submitted a page: if the 保密审查 holds it, say so in the admin (a Wagtail message).

    Registered for the after_edit_page and after_create_page hooks; returns
    whether a message was added.
    """
    from wagtail.admin import messages
    from wagtail.models import TaskState, WorkflowState

    from .models import SecrecyReviewTaskState
    from .selectors import findings_summary

    state = WorkflowState.objects.active().for_instance(page).select_related("current_task_state").first()
    current = state.current_task_state if state is not None else None
    if current is None or current.status != TaskState.STATUS_IN_PROGRESS:
        return False
    task_state = current.specific
    if not isinstance(task_state, SecrecyReviewTaskState) or not task_state.findings:
        return False
    findings = task_state.findings
    messages.warning(
        request,
        mask_personal_numbers(
            f"保密审查发现 {len(findings)} 处需人工审查的内容：{findings_summary(findings)}。"
            "页面暂停在“保密审查”环节，等待审核员核实处理。"
        ),
        buttons=[messages.button(reverse("moderation:page_secrecy", args=[page.pk]), "查看保密审查详情")],
    )
    return True


def notify_rejection(*, workflow_state) -> int:
    page = workflow_state.content_object.specific
    task_state = workflow_state.current_task_state
    comment = task_state.specific.get_comment() if task_state else ""
    reviewer = task_state.finished_by if task_state else None
    who = ((reviewer.get_full_name() or "").strip() or reviewer.get_username()) if reviewer else "系统"
    body = f"页面《{page.title}》被退回修改（{who}）。\n意见：{comment or '无'}\n修改地址：{page_edit_url(page)}"
    return send_to_users(users=[workflow_state.requested_by, page.owner], subject=f"退回修改：{page.title}", body=body)


def notify_published(*, workflow_state) -> int:
    page = workflow_state.content_object.specific
    body = f"页面《{page.title}》已通过全部审核环节并发布。\n查看：{page_edit_url(page)}"
    return send_to_users(users=[workflow_state.requested_by], subject=f"已发布：{page.title}", body=body)


def notify_confirmation_request(*, request) -> int:
    """Runs in the target unit's schema."""
    url = _unit_url(reverse("moderation:confirmation_detail", args=[request.pk]))
    body = f"{request.source_unit_name}拟发布的《{request.page_title}》涉及本单位，请确认或提出异议。\n处理地址：{url}"
    users = _group_members(UnitRole.REVIEWER, UnitRole.ADMIN)
    return send_to_users(users=users, subject=f"会签请求：{request.page_title}", body=body)


def notify_objection(*, page, request, unit_name: str) -> int:
    body = f"{unit_name}对页面《{page.title}》提出异议：{request.comment}\n修改地址：{page_edit_url(page)}"
    from wagtail.models import WorkflowState

    state = WorkflowState.objects.for_instance(page).order_by("-created_at").first()
    return send_to_users(users=[page.owner, getattr(state, "requested_by", None)], subject=f"会签异议：{page.title}", body=body)


def notify_confirmation_apply_failed(*, page, request, error: str) -> int:
    """Runs in the source unit's schema: the reviewers must act, the page will not move on by itself."""
    body = (
        f"会签单位已答复页面《{page.title}》（{request.get_status_display()}），但本单位处理该结果时失败：\n{error}\n"
        f"请处理后重新提交或退回：{page_edit_url(page)}"
    )
    users = _group_members(UnitRole.REVIEWER, UnitRole.ADMIN)
    return send_to_users(users=users, subject=f"会签结果处理失败：{page.title}", body=body)


def notify_confirmation_reminder(*, request) -> int:
    """Runs in the target unit's schema, at half the time to the deadline."""
    url = _unit_url(reverse("moderation:confirmation_detail", args=[request.pk]))
    deadline = timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M")
    body = f"{request.source_unit_name}请本单位确认的《{request.page_title}》尚未答复，答复期限为 {deadline}。\n处理地址：{url}"
    users = _group_members(UnitRole.REVIEWER, UnitRole.ADMIN)
    return send_to_users(users=users, subject=f"会签催办：{request.page_title}", body=body)


def notify_confirmation_overdue(*, request, is_source: bool) -> int:
    """Runs in either unit's schema once the deadline has passed: that unit's 分管领导 are told."""
    url = _unit_url(reverse("moderation:confirmation_detail", args=[request.pk]))
    deadline = timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M")
    if is_source:
        body = f"本单位发起的会签《{request.page_title}》已超过答复期限（{deadline}），会签单位仍未答复，页面无法发布。\n查看：{url}"
        users = _group_members(UnitRole.LEADER, UnitRole.REVIEWER)
    else:
        body = f"{request.source_unit_name}请本单位确认的《{request.page_title}》已超过答复期限（{deadline}），请督促尽快答复。\n处理地址：{url}"
        users = _group_members(UnitRole.LEADER, UnitRole.REVIEWER, UnitRole.ADMIN)
    return send_to_users(users=users, subject=f"会签超期：{request.page_title}", body=body)
