"""The platform's workflow tasks and which of a unit's workflows plays which role (unit schema)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from wagtail.models import AbstractGroupApprovalTask, Task, WorkflowTask

from .integrity import is_writer_of_current_task, writer_ids


class PlatformTaskMixin:
    """What every platform task does when it starts: the review chain runs from the top.

    A task that starts while an earlier task of the workflow has not approved the
    revision now under review (the author resubmitted after a rejection, or content
    changed during the workflow) hands over to that earlier task. Wagtail would
    otherwise resume at the rejected task and keep the earlier approvals, which
    were given for other content.
    """

    def start(self, workflow_state, user=None):
        earlier = workflow_state.get_next_task()
        if earlier is not None and earlier.pk != self.pk and _sorts_before(workflow_state, earlier, self):
            return earlier.specific.start(workflow_state, user=user)
        return self.start_here(workflow_state, user=user)

    def start_here(self, workflow_state, user=None):
        return Task.start(self, workflow_state, user=user)


def _sorts_before(workflow_state, first, second) -> bool:
    order = dict(
        WorkflowTask.objects.filter(workflow_id=workflow_state.workflow_id, task_id__in=[first.pk, second.pk]).values_list(
            "task_id", "sort_order"
        )
    )
    return order.get(first.pk, 0) < order.get(second.pk, 0)


class PlatformWorkflow(models.Model):
    """Which of the unit's workflows plays which role, whatever the unit renames it to."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "审核发布"
        LEADER_APPROVAL = "leader_approval", "审核发布（含领导审批）"

    kind = models.CharField("用途", max_length=30, choices=Kind.choices, unique=True)
    workflow = models.OneToOneField("wagtailcore.Workflow", verbose_name="工作流", on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "moderation"
        verbose_name = "平台工作流"
        verbose_name_plural = "平台工作流"

    def __str__(self) -> str:
        return self.get_kind_display()


class ReviewTask(PlatformTaskMixin, AbstractGroupApprovalTask):
    """审核 / 分管领导审批: members of the chosen groups approve, never the people who wrote the content."""

    class Meta:
        app_label = "moderation"
        verbose_name = "审核环节"
        verbose_name_plural = "审核环节"

    def start_here(self, workflow_state, user=None):
        return AbstractGroupApprovalTask.start(self, workflow_state, user=user)

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if actions and is_writer_of_current_task(page=obj, user=user):
            # 分工协作、严格把关: whoever wrote or last edited the content may send it back, not approve it.
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve" and user is not None and user.pk in writer_ids(revision=task_state.revision):
            raise PermissionDenied("作者或最后修改人不能审核通过自己撰写的内容")
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "所选用户组的成员审核通过；撰写或修改过该内容的人不能审核通过"
