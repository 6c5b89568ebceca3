"""Writes of 会签: naming units, sending requests, answers, applying them, withdrawals, deadlines.

Each function says in which schema it runs; the queued ones (`enqueue`) run in the schema they are
sent to. Requests live in the public schema and are always written through `public_schema()`.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape, linebreaks
from wagtail.log_actions import log
from wagtail.models import Page, TaskState, WorkflowState

from govplatform.tasking import enqueue
from sitepages.publishing import PublishBlocked
from tenants.context import current_schema_name, current_unit, public_schema

from ..secrecy.selectors import PageInspection, inspect_page
from ..workflow.integrity import writer_ids
from . import notifications
from .deadlines import add_working_days, half_time
from .models import DEFAULT_CONFIRMATION_WORKING_DAYS, ConfirmationRequest, ConfirmationTarget
from .selectors import (
    confirmation_status,
    confirmation_targets,
    get_request,
    latest_requests,
    other_units,
    schema_of,
    unit_names,
)

logger = logging.getLogger(__name__)

# Dotted paths of the queued steps; moderation.services keeps the old ones importable for queued tasks.
_TASKS = "moderation.confirmation.services"

# After this many failed attempts to move the page's workflow on, the request is parked with its error.
MAX_APPLY_ATTEMPTS = 5


def _display_name(user) -> str:
    if user is None:
        return "系统"
    return (user.get_full_name() or "").strip() or user.get_username()


def _snapshot(inspection: PageInspection) -> tuple[str, str]:
    lines = [f"{label}：{text}" for label, text in inspection.fields if text]
    if inspection.document_names:
        lines.append("附件：" + "、".join(inspection.document_names))
    html = "".join(f"<h3>{escape(label)}</h3>{linebreaks(text, autoescape=True)}" for label, text in inspection.fields if text)
    if inspection.document_names:
        html += "<h3>附件</h3><ul>" + "".join(f"<li>{escape(name)}</li>" for name in inspection.document_names) + "</ul>"
    return "\n".join(lines), html


def _refuse_during_workflow(*, page, what: str) -> None:
    state = WorkflowState.objects.active().for_instance(page).filter(status=WorkflowState.STATUS_IN_PROGRESS).first()
    if state is not None:
        task = state.current_task_state.task.name if state.current_task_state_id else ""
        raise ValidationError(f"页面正在审核（当前环节：{task}），不能{what}；如需修改，请先撤回审核")


@transaction.atomic
def set_confirmation_targets(
    *, page, unit_codes: list[str], user, working_days: int = DEFAULT_CONFIRMATION_WORKING_DAYS
) -> list[str]:
    """Name the units a page concerns; requests to units no longer named are withdrawn.

    The units are part of what is reviewed: while a workflow runs they cannot change,
    or removing the unit that has not confirmed yet would let the page through.
    """
    unit = current_unit()
    allowed = {u.code for u in other_units(exclude_code=unit.code)}
    wanted = sorted(set(unit_codes))
    unknown = [code for code in wanted if code not in allowed]
    if unknown:
        raise ValidationError(f"无效的会签单位：{'、'.join(unknown)}")
    current = set(confirmation_targets(page_id=page.pk))
    if set(wanted) != current:
        _refuse_during_workflow(page=page, what="修改会签单位")
    if not 1 <= working_days <= 30:
        raise ValidationError("答复期限应为 1–30 个工作日")
    ConfirmationTarget.objects.filter(page_id=page.pk, unit_code__in=set(wanted) & current).update(working_days=working_days)
    for code in current - set(wanted):
        ConfirmationTarget.objects.filter(page_id=page.pk, unit_code=code).delete()
        for request in latest_requests(source_schema=current_schema_name(), page_id=page.pk).values():
            if request.target_unit_code == code and request.status == ConfirmationRequest.Status.PENDING:
                withdraw_confirmation(request_id=request.pk, user=user, keep_target=False)
    for code in set(wanted) - current:
        ConfirmationTarget.objects.create(page_id=page.pk, unit_code=code, added_by=user, working_days=working_days)
    if set(wanted) != current:
        log(
            instance=page,
            action="moderation.confirmation_targets",
            user=user,
            data={"units": wanted, "comment": "、".join(wanted)},
        )
    return wanted


def send_confirmation_requests(*, page, revision, user, inspection: PageInspection | None = None) -> list[ConfirmationRequest]:
    """Make sure every named unit has a request for exactly this content; return the new ones."""
    targets = confirmation_targets(page_id=page.pk)
    if not targets:
        return []
    unit = current_unit()
    obj = revision.as_object() if revision is not None else page
    inspection = inspection or inspect_page(obj)
    text, html = _snapshot(inspection)
    latest = latest_requests(source_schema=current_schema_name(), page_id=page.pk)
    days = dict(ConfirmationTarget.objects.filter(page_id=page.pk).values_list("unit_code", "working_days"))
    authors = _author_identities(revision=revision, user=user)
    created: list[ConfirmationRequest] = []
    with public_schema():
        for code in targets:
            existing = latest.get(code)
            if (
                existing is not None
                and existing.content_hash == inspection.content_hash
                and existing.status
                in (
                    ConfirmationRequest.Status.PENDING,
                    ConfirmationRequest.Status.CONFIRMED,
                )
            ):
                continue
            if existing is not None and existing.status == ConfirmationRequest.Status.PENDING:
                # The content changed: the old snapshot no longer describes what will be published.
                existing.status = ConfirmationRequest.Status.WITHDRAWN
                existing.comment = "内容已修改，自动撤回并重新发起"
                existing.decided_at = timezone.now()
                existing.save(update_fields=["status", "comment", "decided_at"])
            now = timezone.now()
            created.append(
                ConfirmationRequest.objects.create(
                    deadline=add_working_days(start=now, days=days.get(code, DEFAULT_CONFIRMATION_WORKING_DAYS)),
                    author_identities=authors,
                    source_schema=unit.schema_name,
                    source_unit_code=unit.code,
                    source_unit_name=unit.name,
                    page_id=page.pk,
                    revision_id=getattr(revision, "pk", None),
                    page_title=obj.title[:255],
                    preview_text=text,
                    preview_html=html,
                    content_hash=inspection.content_hash,
                    target_unit_code=code,
                    created_by=_display_name(user),
                )
            )
    if created:
        codes = [request.target_unit_code for request in created]
        log(
            instance=page,
            action="moderation.confirmation_requested",
            user=user,
            revision=revision,
            data={"units": codes, "request_ids": [r.pk for r in created], "comment": "、".join(codes)},
        )
        for request in created:
            enqueue(
                f"{_TASKS}.receive_confirmation_request", schema_name=schema_of(request.target_unit_code), request_id=request.pk
            )
    return created


def _author_identities(*, revision, user) -> list[dict[str, str]]:
    ids = writer_ids(revision=revision) if revision is not None else set()
    if user is not None and getattr(user, "pk", None):
        ids.add(user.pk)
    people = get_user_model().objects.filter(pk__in=ids).only("username", "email")
    return [{"username": person.get_username(), "email": (person.email or "").strip().lower()} for person in people]


def _is_author(*, request: ConfirmationRequest, user) -> bool:
    """The same person may hold accounts in two units: recognise them by e-mail (or user name)."""
    email = (getattr(user, "email", "") or "").strip().lower()
    for author in request.author_identities or []:
        if email and author.get("email") == email:
            return True
        if author.get("username") and author.get("username") == user.get_username():
            return True
    return False


def receive_confirmation_request(*, request_id: int) -> None:
    """Runs in the target unit's schema: log the incoming request and tell who must answer."""
    request = get_request(request_id=request_id)
    if request is None:
        return
    log(
        instance=request,
        action="moderation.confirmation_received",
        user=None,
        data={"source_unit": request.source_unit_name, "page_title": request.page_title, "comment": request.source_unit_name},
    )
    notifications.notify_confirmation_request(request=request)


def start_confirmation_task(*, task_state, user) -> None:
    """The 会签确认 step started (confirmation.task): send the requests, pass at once if nothing is awaited."""
    page = task_state.revision.as_object()
    if not confirmation_targets(page_id=page.pk):
        task_state.approve(user=None, update=False, comment="无会签单位")
        return
    inspection = inspect_page(page)
    send_confirmation_requests(page=page, revision=task_state.revision, user=user, inspection=inspection)
    status = confirmation_status(page_id=page.pk, content_hash=inspection.content_hash)
    if status.complete:
        task_state.approve(user=None, update=False, comment="各会签单位均已确认")


def decide_confirmation(*, request_id: int, user, confirmed: bool, comment: str = "") -> ConfirmationRequest:
    """The target unit confirms or objects (runs in the target unit's schema)."""
    unit = current_unit()
    comment = (comment or "").strip()
    if not confirmed and not comment:
        raise ValidationError("提出异议时必须填写意见")
    with public_schema(), transaction.atomic():
        request = ConfirmationRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or unit is None or request.target_unit_code != unit.code:
            raise PermissionDenied("该会签请求不属于本单位")
        if request.status != ConfirmationRequest.Status.PENDING:
            raise ValidationError(f"该会签请求当前状态为“{request.get_status_display()}”，不能再处理")
        if _is_author(request=request, user=user):
            raise PermissionDenied("撰写或提交该内容的人员不能代表会签单位确认")
        request.status = ConfirmationRequest.Status.CONFIRMED if confirmed else ConfirmationRequest.Status.OBJECTED
        request.comment = comment
        request.decided_by = _display_name(user)
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    action = "moderation.confirmation_confirmed" if confirmed else "moderation.confirmation_objected"
    log(
        instance=request,
        action=action,
        user=user,
        data={"source_unit": request.source_unit_name, "page_title": request.page_title, "comment": comment},
    )
    enqueue(f"{_TASKS}.apply_confirmation_decision", schema_name=request.source_schema, request_id=request.pk)
    return request


def _update_request(request_id: int, **values) -> None:
    with public_schema():
        ConfirmationRequest.objects.filter(pk=request_id).update(**values)


def _count_apply_attempt(request_id: int) -> int:
    with public_schema():
        ConfirmationRequest.objects.filter(pk=request_id).update(apply_attempts=F("apply_attempts") + 1)
        return ConfirmationRequest.objects.values_list("apply_attempts", flat=True).get(pk=request_id)


def _park_apply(*, request, page, error: str) -> None:
    _update_request(request.pk, apply_error=error[:2000])
    request.apply_error = error
    logger.warning("会签结果处理失败（%s，请求 %s）：%s", request.source_schema, request.pk, error)
    if page is not None:
        notifications.notify_confirmation_apply_failed(page=page, request=request, error=error)


def apply_confirmation_decision(*, request_id: int) -> None:
    """Runs in the source unit's schema: log the answer on the page and move the workflow on.

    What blocks the page (a publish check) is not a reason to try again: it is parked
    on the request at once and the unit's reviewers are told. A database error is
    retried by the queue, and parked after MAX_APPLY_ATTEMPTS.
    """
    request = get_request(request_id=request_id)
    if request is None or request.applied_at is not None or request.apply_error:
        return
    attempts = _count_apply_attempt(request_id)
    page = Page.objects.filter(pk=request.page_id).first()
    if page is None:
        _park_apply(request=request, page=None, error="页面已不存在")
        return
    page = page.specific
    target_name = unit_names([request.target_unit_code]).get(request.target_unit_code, request.target_unit_code)
    confirmed = request.status == ConfirmationRequest.Status.CONFIRMED
    if attempts == 1:
        log(
            instance=page,
            action="moderation.confirmation_confirmed" if confirmed else "moderation.confirmation_objected",
            user=None,
            data={
                "unit": target_name,
                "decided_by": request.decided_by,
                "request_id": request.pk,
                "comment": f"{target_name}（{request.decided_by}）：{request.comment or ('确认' if confirmed else '')}",
            },
        )
    try:
        with transaction.atomic():
            sync_confirmation_tasks(page=page)
    except PublishBlocked as exc:
        _park_apply(request=request, page=page, error=str(exc))
        return
    except DatabaseError as exc:
        if attempts >= MAX_APPLY_ATTEMPTS:
            _park_apply(request=request, page=page, error=f"多次处理失败（{attempts} 次）：{exc}")
            return
        raise
    _update_request(request.pk, applied_at=timezone.now())
    if not confirmed:
        notifications.notify_objection(page=page, request=request, unit_name=target_name)


def sync_confirmation_tasks(*, page) -> None:
    """Approve (all confirmed) or reject (an objection) the page's waiting 会签确认 task."""
    # By name from the app registry: the task model (confirmation.task) is built on this module.
    task_model = apps.get_model("moderation", "CrossUnitConfirmationTask")
    states = TaskState.objects.for_instance(page).filter(status=TaskState.STATUS_IN_PROGRESS, task__in=task_model.objects.all())
    for task_state in states:
        inspection = inspect_page(task_state.revision.as_object())
        status = confirmation_status(page_id=page.pk, content_hash=inspection.content_hash)
        if status.objected:
            names = "；".join(f"{code}：{comment}" for code, comment in status.objected)
            task_state.specific.reject(user=None, comment=f"会签单位提出异议（{names}）")
        elif status.complete:
            task_state.specific.approve(user=None, comment="各会签单位均已确认")


@transaction.atomic
def withdraw_confirmation(*, request_id: int, user, keep_target: bool = False) -> ConfirmationRequest:
    """The source unit withdraws a pending request (runs in the source unit's schema)."""
    unit = current_unit()
    with public_schema():
        request = ConfirmationRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or unit is None or request.source_schema != unit.schema_name:
            raise PermissionDenied("只能撤回本单位发起的会签请求")
    page = Page.objects.filter(pk=request.page_id).first()
    if page is not None:
        # Withdrawing the request of the one unit that has not confirmed would let the page through.
        _refuse_during_workflow(page=page, what="撤回会签请求")
    with public_schema():
        request = ConfirmationRequest.objects.select_for_update().get(pk=request_id)
        if request.status != ConfirmationRequest.Status.PENDING:
            raise ValidationError(f"该会签请求当前状态为“{request.get_status_display()}”，不能撤回")
        request.status = ConfirmationRequest.Status.WITHDRAWN
        request.decided_by = _display_name(user)
        request.decided_at = timezone.now()
        request.comment = "发起单位撤回"
        request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    if not keep_target:
        ConfirmationTarget.objects.filter(page_id=request.page_id, unit_code=request.target_unit_code).delete()
    if page is not None:
        page = page.specific
        log(
            instance=page,
            action="moderation.confirmation_withdrawn",
            user=user,
            data={"unit": request.target_unit_code, "request_id": request.pk, "comment": request.target_unit_code},
        )
        sync_confirmation_tasks(page=page)
    enqueue(f"{_TASKS}.receive_withdrawal", schema_name=schema_of(request.target_unit_code), request_id=request.pk)
    return request


def receive_withdrawal(*, request_id: int) -> None:
    """Runs in the target unit's schema: record that the request was withdrawn."""
    request = get_request(request_id=request_id)
    if request is not None:
        log(
            instance=request,
            action="moderation.confirmation_withdrawn",
            user=None,
            data={"source_unit": request.source_unit_name, "comment": f"{request.source_unit_name}撤回"},
        )


def withdraw_pending_requests(*, page, user) -> int:
    """The workflow was cancelled: nobody need answer for it any more (targets stay named)."""
    pending = [
        request
        for request in latest_requests(source_schema=current_schema_name(), page_id=page.pk).values()
        if request.status == ConfirmationRequest.Status.PENDING
    ]
    for request in pending:
        _update_request(
            request.pk,
            status=ConfirmationRequest.Status.WITHDRAWN,
            comment="发起单位撤回审核，会签请求随之撤回",
            decided_by=_display_name(user),
            decided_at=timezone.now(),
        )
        enqueue(f"{_TASKS}.receive_withdrawal", schema_name=schema_of(request.target_unit_code), request_id=request.pk)
    return len(pending)


# --- deadlines ------------------------------------------------------------------


def _claim(request_id: int, field: str, now) -> bool:
    """Mark a reminder or escalation as sent, once: concurrent checks cannot both claim it."""
    with public_schema():
        return bool(ConfirmationRequest.objects.filter(pk=request_id, **{f"{field}__isnull": True}).update(**{field: now}))


def check_confirmation_deadlines(*, now=None) -> dict[str, int]:
    """Runs in the public schema on a schedule: remind at half time, tell both leaders at the deadline."""
    now = now or timezone.now()
    reminded = escalated = 0
    with public_schema():
        pending = list(
            ConfirmationRequest.objects.filter(
                status=ConfirmationRequest.Status.PENDING, deadline__isnull=False, escalated_at__isnull=True
            ).only("id", "created_at", "deadline", "reminded_at", "source_schema", "target_unit_code")
        )
    for request in pending:
        if request.deadline <= now:
            if _claim(request.pk, "escalated_at", now):
                target_schema = schema_of(request.target_unit_code)
                enqueue(f"{_TASKS}.send_confirmation_overdue", schema_name=target_schema, request_id=request.pk)
                enqueue(f"{_TASKS}.send_confirmation_overdue", schema_name=request.source_schema, request_id=request.pk)
                escalated += 1
        elif (
            request.reminded_at is None
            and now >= half_time(start=request.created_at, deadline=request.deadline)
            and _claim(request.pk, "reminded_at", now)
        ):
            enqueue(
                f"{_TASKS}.send_confirmation_reminder", schema_name=schema_of(request.target_unit_code), request_id=request.pk
            )
            reminded += 1
    return {"reminded": reminded, "escalated": escalated}


def send_confirmation_reminder(*, request_id: int) -> None:
    """Runs in the target unit's schema."""
    request = get_request(request_id=request_id)
    if request is not None and request.status == ConfirmationRequest.Status.PENDING:
        notifications.notify_confirmation_reminder(request=request)


def send_confirmation_overdue(*, request_id: int) -> None:
    """Runs in either unit's schema: that unit's 分管领导 learn the request is overdue."""
    request = get_request(request_id=request_id)
    if request is not None and request.status == ConfirmationRequest.Status.PENDING:
        notifications.notify_confirmation_overdue(request=request, is_source=request.source_schema == current_schema_name())
