"""Signal receivers: thin, each hands over to services or notifications."""

from __future__ import annotations


def create_workflows_on_provisioning(sender, *, unit, created, **kwargs) -> None:
    from .services import create_unit_workflows

    create_unit_workflows()


def assign_workflow_to_new_column(sender, *, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        from .services import assign_column_workflow

        assign_column_workflow(column=instance)


def notify_on_task_submitted(sender, *, instance, user=None, **kwargs) -> None:
    from wagtail.models import AbstractGroupApprovalTask

    from .notifications import notify_task_waiting

    if isinstance(instance.task.specific, AbstractGroupApprovalTask):
        notify_task_waiting(task_state=instance)


def notify_on_workflow_rejected(sender, *, instance, user=None, **kwargs) -> None:
    from .notifications import notify_rejection

    notify_rejection(workflow_state=instance)


def notify_on_workflow_approved(sender, *, instance, user=None, **kwargs) -> None:
    from .notifications import notify_published

    notify_published(workflow_state=instance)


def withdraw_requests_on_cancel(sender, *, instance, user=None, **kwargs) -> None:
    from .services import withdraw_pending_requests

    withdraw_pending_requests(page=instance.content_object, user=user)
