"""E-mail of the workflow to whoever must act next, with links on the unit's own host."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from tenants.mail import admin_url, send_to_users


def page_edit_url(page) -> str:
    return admin_url(reverse("wagtailadmin_pages:edit", args=[page.pk]))


def notify_task_waiting(*, task_state) -> int:
    task = task_state.task.specific
    groups = getattr(task, "groups", None)
    if groups is None:
        return 0
    page = task_state.workflow_state.content_object.specific
    users = get_user_model().objects.filter(groups__in=groups.all(), is_active=True).distinct()
    body = f"页面《{page.title}》已提交到“{task.name}”环节，等待您审核。\n处理地址：{page_edit_url(page)}"
    return send_to_users(users=users, subject=f"待审核：{page.title}", body=body)


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
