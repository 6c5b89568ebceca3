"""What the 保密审查 found, told to the reviewers who may release the page and to its authors."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from wagtail.admin import messages
from wagtail.models import TaskState, WorkflowState

from tenants.mail import admin_url, role_members, send_to_users
from tenants.roles import UnitRole

from ..permissions import user_can_override_secrecy
from ..workflow.notifications import page_edit_url
from .models import SecrecyReviewTaskState
from .scanner import mask_personal_numbers
from .selectors import findings_summary


def notify_secrecy_findings(*, page, findings: list[dict], authors: Iterable = ()) -> int:
    """Tell the reviewers who may release the page, and its authors, what the 保密审查 found.

    ``findings`` are the stored ones (Finding.as_dict: personal numbers masked);
    the title and the summary are masked once more, because a page title may
    itself hold the number that was found. ``authors``: the user of the revision
    under review and whoever submitted it.
    """
    title = mask_personal_numbers(page.title)
    summary = mask_personal_numbers(findings_summary(findings))
    users = [u for u in role_members(UnitRole.REVIEWER) if user_can_override_secrecy(user=u)]
    findings_url = admin_url(reverse("moderation:page_secrecy", args=[page.pk]))
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
