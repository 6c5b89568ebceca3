"""E-mail of 会签: requests, reminders, deadlines, objections; each on the host of the unit told."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from tenants.mail import admin_url, send_to_roles, send_to_users
from tenants.roles import UnitRole

from ..workflow.notifications import page_edit_url


def _request_url(request) -> str:
    return admin_url(reverse("moderation:confirmation_detail", args=[request.pk]))


def notify_confirmation_request(*, request) -> int:
    """Runs in the target unit's schema."""
    body = f"{request.source_unit_name}拟发布的《{request.page_title}》涉及本单位，请确认或提出异议。\n处理地址：{_request_url(request)}"
    return send_to_roles(roles=(UnitRole.REVIEWER, UnitRole.ADMIN), subject=f"会签请求：{request.page_title}", body=body)


def notify_objection(*, page, request, unit_name: str) -> int:
    body = f"{unit_name}对页面《{page.title}》提出异议：{request.comment}\n修改地址：{page_edit_url(page)}"
    state = WorkflowState.objects.for_instance(page).order_by("-created_at").first()
    return send_to_users(users=[page.owner, getattr(state, "requested_by", None)], subject=f"会签异议：{page.title}", body=body)


def notify_confirmation_apply_failed(*, page, request, error: str) -> int:
    """Runs in the source unit's schema: the reviewers must act, the page will not move on by itself."""
    body = (
        f"会签单位已答复页面《{page.title}》（{request.get_status_display()}），但本单位处理该结果时失败：\n{error}\n"
        f"请处理后重新提交或退回：{page_edit_url(page)}"
    )
    return send_to_roles(roles=(UnitRole.REVIEWER, UnitRole.ADMIN), subject=f"会签结果处理失败：{page.title}", body=body)


def notify_confirmation_reminder(*, request) -> int:
    """Runs in the target unit's schema, at half the time to the deadline."""
    deadline = timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M")
    body = (
        f"{request.source_unit_name}请本单位确认的《{request.page_title}》尚未答复，答复期限为 {deadline}。\n"
        f"处理地址：{_request_url(request)}"
    )
    return send_to_roles(roles=(UnitRole.REVIEWER, UnitRole.ADMIN), subject=f"会签催办：{request.page_title}", body=body)


def notify_confirmation_overdue(*, request, is_source: bool) -> int:
    """Runs in either unit's schema once the deadline has passed: that unit's 分管领导 are told."""
    url = _request_url(request)
    deadline = timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M")
    if is_source:
        body = (
            f"本单位发起的会签《{request.page_title}》已超过答复期限（{deadline}），会签单位仍未答复，页面无法发布。\n查看：{url}"
        )
        roles = (UnitRole.LEADER, UnitRole.REVIEWER)
    else:
        body = f"{request.source_unit_name}请本单位确认的《{request.page_title}》已超过答复期限（{deadline}），请督促尽快答复。\n处理地址：{url}"
        roles = (UnitRole.LEADER, UnitRole.REVIEWER, UnitRole.ADMIN)
    return send_to_roles(roles=roles, subject=f"会签超期：{request.page_title}", body=body)
