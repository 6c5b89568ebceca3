"""The unit's two workflows: created at provisioning, assigned to its site and to policy/notice columns."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from wagtail.models import Site, Workflow, WorkflowPage, WorkflowTask

from sitepages.models import ColumnListingPage
from tenants.roles import UnitRole

from ..confirmation.task import CrossUnitConfirmationTask
from ..secrecy.task import SecrecyReviewTask
from .models import PlatformWorkflow, ReviewTask

# Column item types whose pages need the leader in charge to approve (policy documents, notices).
LEADER_APPROVAL_ITEM_TYPES = ("policy_document", "notice")

SECRECY_TASK_NAME = "保密审查"
REVIEW_TASK_NAME = "审核"
CONFIRMATION_TASK_NAME = "会签确认"
LEADER_TASK_NAME = "分管领导审批"


def _workflow_with_tasks(*, kind: str, tasks: list) -> Workflow:
    existing = PlatformWorkflow.objects.filter(kind=kind).select_related("workflow").first()
    if existing is not None:
        return existing.workflow
    workflow = Workflow.objects.create(name=PlatformWorkflow.Kind(kind).label)
    for index, task in enumerate(tasks):
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=index)
    PlatformWorkflow.objects.create(kind=kind, workflow=workflow)
    return workflow


def _group_task(*, name: str, group: Group) -> ReviewTask:
    task = ReviewTask.objects.filter(name=name).first()
    if task is None:
        task = ReviewTask.objects.create(name=name)
        task.groups.set([group])
    return task


def create_unit_workflows() -> None:
    """The unit's two workflows, assigned to its site and to policy/notice columns.

    Runs inside the unit's schema (at provisioning); running it again changes
    nothing the unit administrator may have adjusted since.
    """
    groups = {group.name: group for group in Group.objects.filter(name__in=UnitRole.ALL)}
    secrecy = SecrecyReviewTask.objects.filter(name=SECRECY_TASK_NAME).first() or SecrecyReviewTask.objects.create(
        name=SECRECY_TASK_NAME
    )
    confirmation = CrossUnitConfirmationTask.objects.filter(name=CONFIRMATION_TASK_NAME).first() or (
        CrossUnitConfirmationTask.objects.create(name=CONFIRMATION_TASK_NAME)
    )
    review = _group_task(name=REVIEW_TASK_NAME, group=groups[UnitRole.REVIEWER])
    leader = _group_task(name=LEADER_TASK_NAME, group=groups[UnitRole.LEADER])
    standard = _workflow_with_tasks(kind=PlatformWorkflow.Kind.STANDARD, tasks=[secrecy, review, confirmation])
    _workflow_with_tasks(kind=PlatformWorkflow.Kind.LEADER_APPROVAL, tasks=[secrecy, review, confirmation, leader])
    for site in Site.objects.all():
        WorkflowPage.objects.get_or_create(page=site.root_page, defaults={"workflow": standard})
    for column in ColumnListingPage.objects.filter(item_type__in=LEADER_APPROVAL_ITEM_TYPES):
        assign_column_workflow(column=column)
    override = Permission.objects.get(content_type__app_label="moderation", codename="override_secrecy")
    groups[UnitRole.REVIEWER].permissions.add(override)


def assign_column_workflow(*, column) -> bool:
    """Give a policy/notice column the workflow with the leader's approval, unless it has one."""
    if column.item_type not in LEADER_APPROVAL_ITEM_TYPES or WorkflowPage.objects.filter(page_id=column.pk).exists():
        return False
    platform = PlatformWorkflow.objects.filter(kind=PlatformWorkflow.Kind.LEADER_APPROVAL).select_related("workflow").first()
    if platform is None:
        return False
    WorkflowPage.objects.create(page_id=column.pk, workflow=platform.workflow)
    return True
