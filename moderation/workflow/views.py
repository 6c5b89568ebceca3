"""The workflow's admin screens: 待我处理, and the publish guard of the edit view."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from wagtail.admin import messages

from sitepages.publishing import problems_for
from tenants.context import current_unit

from ..base_views import AdminView
from ..confirmation.selectors import incoming_requests
from ..permissions import user_can_decide_confirmations
from ..secrecy.checks import SECRECY_FIELD
from .selectors import task_states_for_user


def publish_guard(request, page):
    """Turn a publish the platform's checks would refuse into a Chinese error message.

    Called from the before_publish_page hook. Wagtail's edit view publishes through
    PublishPageRevisionAction directly, not through Page.publish, so without this hook
    the checks would not even run there. The revision is already saved as a draft at
    this point: nothing typed is lost.
    """
    revision = page.get_latest_revision()
    obj = revision.as_object() if revision is not None else page
    problems = problems_for(page=obj, revision=revision, user=request.user)
    if not problems:
        return None
    items = format_html_join("", "<li>{}：{}</li>", ((p.field, p.message) for p in problems))
    link = ""
    if any(p.field == SECRECY_FIELD for p in problems):
        link = format_html('<a href="{}">查看保密审查详情</a>', reverse("moderation:page_secrecy", args=[page.pk]))
    messages.error(request, format_html("页面《{}》未发布（已保存为草稿）：<ul>{}</ul>{}", obj.title, items, link))
    return redirect("wagtailadmin_pages:edit", page.pk)


def my_tasks_context(user) -> dict:
    """What waits for `user`: the workflow steps they may act on and other units' 会签 requests."""
    unit = current_unit()
    rows = []
    for state in task_states_for_user(user=user):
        page = state.workflow_state.content_object
        rows.append({"state": state, "page": page, "url": reverse("wagtailadmin_pages:edit", args=[page.pk])})
    requests = []
    if unit is not None and user_can_decide_confirmations(user=user):
        requests = incoming_requests(unit_code=unit.code, pending_only=True)
    return {"task_rows": rows, "confirmation_requests": requests}


class MyTasksView(AdminView):
    page_title = "待我处理"
    template_name = "moderation/workflow/my_tasks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(my_tasks_context(self.request.user))
        return context
