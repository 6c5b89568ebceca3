"""Writes of the 保密审查: the scan when the step starts, rescans, reviewers' written releases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import TaskState

from ..permissions import user_can_override_secrecy
from ..workflow.integrity import writer_ids
from .models import SecrecyOverride, SecrecyReviewTaskState
from .notifications import notify_secrecy_findings
from .selectors import PageInspection, findings_summary, inspect_page, override_exists


def record_secrecy_override(*, page, revision, user, reason: str, inspection: PageInspection) -> SecrecyOverride:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("人工放行必须填写理由")
    if not user_can_override_secrecy(user=user):
        raise PermissionDenied("只有具备放行权限的审核员可以人工放行")
    if user.pk in writer_ids(revision=revision):
        raise PermissionDenied("不能对本人撰写或修改的内容人工放行，请由其他审核员处理")
    record = SecrecyOverride.objects.create(
        page_id=page.pk,
        revision=revision,
        content_hash=inspection.content_hash,
        user=user,
        reason=reason,
        findings=inspection.findings,
    )
    log(
        instance=page,
        action="moderation.secrecy_override",
        user=user,
        revision=revision,
        data={"reason": reason, "comment": reason, "findings": inspection.findings, "override_id": record.pk},
    )
    return record


def _save_scan(*, task_state, inspection: PageInspection) -> None:
    task_state.findings = inspection.findings
    task_state.content_hash = inspection.content_hash
    task_state.scanned_at = timezone.now()
    task_state.save(update_fields=["findings", "content_hash", "scanned_at", "revision"])


def run_secrecy_review(*, task_state) -> None:
    """Scan the revision under review: pass it if clean (or already overridden), else hold it."""
    revision = task_state.revision
    page = revision.as_object()
    inspection = inspect_page(page)
    _save_scan(task_state=task_state, inspection=inspection)
    if inspection.clean:
        task_state.approve(user=None, update=False, comment="自动审查未发现问题")
        return
    if override_exists(page_id=page.pk, revision_id=revision.pk, content_hash=inspection.content_hash):
        task_state.approve(user=None, update=False, comment="该内容已由审核员人工放行")
        return
    log(
        instance=page,
        action="moderation.secrecy_findings",
        user=None,
        revision=revision,
        data={"findings": inspection.findings, "comment": findings_summary(inspection.findings)},
    )
    # The author learns it at once, not only when a reviewer gets round to it.
    authors = [revision.user, task_state.workflow_state.requested_by]
    notify_secrecy_findings(page=page, findings=inspection.findings, authors=authors)


def rescan_secrecy_task(*, task_state, user) -> None:
    """Scan the page's latest revision again (after the author fixed it in place)."""
    page = task_state.workflow_state.content_object.specific
    revision = page.get_latest_revision()
    task_state.revision = revision
    inspection = inspect_page(revision.as_object())
    _save_scan(task_state=task_state, inspection=inspection)
    if inspection.clean:
        task_state.approve(user=user, comment="重新审查未发现问题")
    elif override_exists(page_id=page.pk, revision_id=revision.pk, content_hash=inspection.content_hash):
        task_state.approve(user=user, comment="该内容已由审核员人工放行")


@transaction.atomic
def override_secrecy_task(*, task_state, user, reason: str) -> SecrecyOverride:
    """Override the findings of the revision under review (the one the workflow will publish)."""
    page = task_state.workflow_state.content_object.specific
    revision = task_state.revision
    inspection = inspect_page(revision.as_object())
    record = record_secrecy_override(page=page, revision=revision, user=user, reason=reason, inspection=inspection)
    task_state.revision = revision
    _save_scan(task_state=task_state, inspection=inspection)
    task_state.approve(user=user, comment=f"人工放行：{reason.strip()}")
    return record


@transaction.atomic
def override_page_secrecy(*, page, user, reason: str) -> SecrecyOverride:
    """Override outside a workflow (e.g. before a unit administrator publishes directly)."""
    revision = page.get_latest_revision()
    obj = revision.as_object() if revision else page
    inspection = inspect_page(obj)
    record = record_secrecy_override(page=page, revision=revision, user=user, reason=reason, inspection=inspection)
    # Only the 保密审查 task (secrecy.task) creates these states.
    for task_state in SecrecyReviewTaskState.objects.for_instance(page).filter(status=TaskState.STATUS_IN_PROGRESS):
        task_state.approve(user=user, comment=f"人工放行：{reason.strip()}")
    return record
