"""保密审查 as a step of the workflow (a Wagtail Task): the scan runs when the step starts."""

from __future__ import annotations

from wagtail.models import Task, TaskState

from ..permissions import user_can_override_secrecy
from ..workflow.integrity import is_writer_of_current_task
from ..workflow.models import PlatformTaskMixin
from .forms import OverrideReasonForm
from .models import SecrecyReviewTaskState
from .services import override_secrecy_task, rescan_secrecy_task, run_secrecy_review


class SecrecyReviewTask(PlatformTaskMixin, Task):
    """保密审查: passes a clean page at once, holds a page with findings for a reviewer."""

    admin_form_fields = Task.admin_form_fields
    task_state_class = SecrecyReviewTaskState

    class Meta:
        app_label = "moderation"
        verbose_name = "保密审查"
        verbose_name_plural = "保密审查"

    def start_here(self, workflow_state, user=None):
        task_state = Task.start(self, workflow_state, user=user)
        run_secrecy_review(task_state=task_state)
        return task_state

    def locked_for_user(self, obj, user):
        # While the review holds the page only the reviewers who may release it can edit it.
        return not user_can_override_secrecy(user=user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "override":
            override_secrecy_task(task_state=task_state, user=user, reason=kwargs.get("comment", ""))
            return None
        if action_name == "rescan":
            rescan_secrecy_task(task_state=task_state, user=user)
            return None
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_actions(self, obj, user):
        actions = [("rescan", "重新审查", False)]
        if user_can_override_secrecy(user=user):
            actions = [("reject", "退回修改", True), *actions]
            if not is_writer_of_current_task(page=obj, user=user):
                actions.insert(0, ("override", "人工放行（须填写理由）", True))
        return actions

    def get_form_for_action(self, action):
        if action == "override":
            return OverrideReasonForm
        return super().get_form_for_action(action)

    def get_template_for_action(self, action):
        return "moderation/secrecy/override_modal.html" if action == "override" else super().get_template_for_action(action)

    def user_can_access_editor(self, obj, user):
        return user_can_override_secrecy(user=user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if user_can_override_secrecy(user=user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return "扫描标题、正文、元数据和附件中的密级标志、内部信息、个人信息和敏感词；无问题自动通过，有问题由审核员处理"
