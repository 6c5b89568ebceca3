"""Signal receivers of the workflow (connected in moderation.apps): thin, each hands over."""

from __future__ import annotations

from wagtail.models import AbstractGroupApprovalTask

from .notifications import notify_published, notify_rejection, notify_task_waiting
from .services import assign_column_workflow, create_unit_workflows


def create_workflows_on_provisioning(sender, *, unit, created, **kwargs) -> None:
    create_unit_workflows()


def assign_workflow_to_new_column(sender, *, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        assign_column_workflow(column=instance)


def notify_on_task_submitted(sender, *, instance, user=None, **kwargs) -> None:
    if isinstance(instance.task.specific, AbstractGroupApprovalTask):
        notify_task_waiting(task_state=instance)


def notify_on_workflow_rejected(sender, *, instance, user=None, **kwargs) -> None:
    notify_rejection(workflow_state=instance)


def notify_on_workflow_approved(sender, *, instance, user=None, **kwargs) -> None:
    notify_published(workflow_state=instance)
