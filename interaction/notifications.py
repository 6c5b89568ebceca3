"""E-mail of 互动交流: to the unit's staff (tenants.mail, links on the unit's own host) and to the writer.

The writer's name, phone and the message text stay out of staff mail subjects;
mail to the writer carries the 查询码 and a link to the query page only.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from tenants.context import in_public_schema
from tenants.hosts import current_base_url
from tenants.mail import SUBJECT_PREFIX, admin_url, role_members, send_to_centre, send_to_users
from tenants.roles import UnitRole

from .selectors import DISPATCHER_ROLES, REVIEW_ROLES

logger = logging.getLogger(__name__)


def case_url(case) -> str:
    return admin_url(reverse("interaction:case", args=[case.pk]))


def _deadline(case) -> str:
    return timezone.localtime(case.deadline).strftime("%Y-%m-%d")


def _dispatchers():
    if in_public_schema():
        from django.contrib.auth import get_user_model

        return list(get_user_model().objects.filter(is_superuser=True, is_active=True))
    return list(role_members(*DISPATCHER_ROLES))


def public_reverse(name: str, *args) -> str:
    """A public page of 互动交流 on the active schema's host: the portal's URL conf or the units'."""
    from django.conf import settings

    if in_public_schema():
        return reverse(f"interaction_portal:{name}", args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return reverse(f"interaction_site:{name}", args=args, urlconf=settings.ROOT_URLCONF)


def _query_url() -> str:
    return current_base_url() + public_reverse("query")


def _to_writer(case, subject: str, body: str) -> int:
    if not case.email:
        return 0
    text = (
        f"{case.name or '您'}，您好：\n\n{body}\n\n查询码：{case.number}\n"
        f"凭查询码和留言时填写的手机号码查看办理情况：{_query_url()}\n"
    )
    try:
        return send_mail(f"{SUBJECT_PREFIX}{subject}", text, None, [case.email])
    except (SMTPException, OSError):
        logger.exception("发送留言人通知失败：%s", case.number)
        return 0


def notify_new_case(*, case) -> int:
    body = f"收到新{case.get_kind_display()}留言《{case.subject}》（查询码 {case.number}），办理期限 {_deadline(case)}，请及时受理。\n处理地址：{case_url(case)}"
    return send_to_users(users=_dispatchers(), subject=f"新留言待受理：{case.subject}", body=body)


def notify_writer_received(*, case) -> int:
    return _to_writer(case, "留言已收到", f"您的留言《{case.subject}》已收到，我们将在 {_deadline(case)} 前答复。")


def notify_writer_status(*, case) -> int:
    return _to_writer(
        case, f"留言{case.get_status_display()}", f"您的留言《{case.subject}》办理状态：{case.get_status_display()}。"
    )


def notify_assigned(*, case) -> int:
    body = f"留言《{case.subject}》（查询码 {case.number}）已交办给您，办理期限 {_deadline(case)}。\n办理地址：{case_url(case)}"
    return send_to_users(users=[case.handler], subject=f"交办留言：{case.subject}", body=body)


def notify_review_waiting(*, case) -> int:
    users = [u for u in role_members(*REVIEW_ROLES) if u.pk != case.reply_by_id] if not in_public_schema() else _dispatchers()
    body = f"留言《{case.subject}》的答复已提交，等待审核（期限 {_deadline(case)}）。\n审核地址：{case_url(case)}"
    return send_to_users(users=users, subject=f"答复待审核：{case.subject}", body=body)


def notify_reply_rejected(*, case) -> int:
    body = f"您对留言《{case.subject}》的答复被退回修改。\n审核意见：{case.review_comment}\n办理地址：{case_url(case)}"
    return send_to_users(users=[case.reply_by, case.handler], subject=f"答复退回修改：{case.subject}", body=body)


def notify_extension_requested(*, case, extension) -> int:
    body = f"留言《{case.subject}》申请延期 {extension.extra_days} 个工作日：{extension.reason}\n审批地址：{case_url(case)}"
    return send_to_users(users=list(role_members(UnitRole.LEADER)), subject=f"延期申请待审批：{case.subject}", body=body)


def notify_extension_decided(*, case, extension) -> int:
    body = f"留言《{case.subject}》的延期申请{extension.get_state_display()}，办理期限 {_deadline(case)}。\n{case_url(case)}"
    return send_to_users(
        users=[extension.requested_by, case.handler],
        subject=f"延期申请{extension.get_state_display()}：{case.subject}",
        body=body,
    )


def notify_reminder(*, case, percent: int) -> int:
    """At 50 % of the time the handler (or, not yet assigned, the dispatchers); at 80 % the reviewers too."""
    users = [case.handler] if case.handler_id else _dispatchers()
    if percent >= 80:
        users += list(role_members(*REVIEW_ROLES))
    body = f"留言《{case.subject}》（查询码 {case.number}）办理时间已过 {percent}%，办理期限 {_deadline(case)}，请抓紧办理。\n{case_url(case)}"
    return send_to_users(users=users, subject=f"留言催办：{case.subject}", body=body)


def notify_overdue(*, case) -> int:
    """Past the deadline: the handler, the reviewers and the 分管领导."""
    users = [case.handler, *role_members(UnitRole.REVIEWER, UnitRole.LEADER)]
    body = f"留言《{case.subject}》（查询码 {case.number}）已超过办理期限 {_deadline(case)}，尚未答复。\n{case_url(case)}"
    return send_to_users(users=users, subject=f"留言超期：{case.subject}", body=body)


def notify_centre_escalation(*, case, unit) -> int:
    """60 days unanswered: the information centre is told (the national veto line is 3 months)."""
    from tenants.hosts import portal_base_url

    received = timezone.localtime(case.received_at).strftime("%Y-%m-%d")
    body = (
        f"{unit.name}的{case.get_kind_display()}留言（查询码 {case.number}，{received} 收到）已 60 天未答复，"
        f"超过 3 个月将触发“互动回应差”单项否决。\n各单位互动交流情况：{portal_base_url()}{reverse('interaction:overview')}"
    )
    return send_to_centre(subject=f"留言 60 天未答复：{unit.name}", body=body)


def notify_unsatisfied(*, case) -> int:
    users = [case.handler, *role_members(UnitRole.LEADER)]
    body = f"留言人对留言《{case.subject}》（查询码 {case.number}）的答复评价为“不满意”：{case.rating_comment or '未填写意见'}\n{case_url(case)}"
    return send_to_users(users=users, subject=f"答复不满意：{case.subject}", body=body)


def notify_followup(*, case) -> int:
    users = [case.handler] if case.handler_id else _dispatchers()
    body = f"留言人对留言《{case.subject}》（查询码 {case.number}）提出追问，请答复。\n{case_url(case)}"
    return send_to_users(users=users, subject=f"留言追问：{case.subject}", body=body)
