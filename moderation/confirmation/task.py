"""会签确认 as a step of the workflow (a Wagtail Task): it sends the requests and waits for the answers."""

from __future__ import annotations

from wagtail.models import Task

from ..permissions import user_can_review
from ..workflow.models import PlatformTaskMixin
from .services import start_confirmation_task


class CrossUnitConfirmationTask(PlatformTaskMixin, Task):
    """会签确认: waits until every unit named on the page has confirmed the same content."""

    admin_form_fields = Task.admin_form_fields

    class Meta:
        app_label = "moderation"
        verbose_name = "会签确认"
        verbose_name_plural = "会签确认"

    def start_here(self, workflow_state, user=None):
        task_state = Task.start(self, workflow_state, user=user)
        start_confirmation_task(task_state=task_state, user=user)
        return task_state

    def locked_for_user(self, obj, user):
        # The deciders of this step are other units: nobody here edits what they are reading.
        return True

    def get_actions(self, obj, user):
        if user_can_review(user=user):
            return [("reject", "退回修改", True)]
        return []

    @classmethod
    def get_description(cls):
        return "页面涉及的其他单位（会签单位）全部确认后自动通过；任一单位提出异议即退回作者"
