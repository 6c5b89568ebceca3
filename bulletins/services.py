"""Writes of 通报 (第十一条): each step checks who acts and when, and leaves a trail (who, when, what).

The steps, in order:

1. `propose_cases`: the monitoring's register of a month becomes proposed cases, once per unit, month
   and clause (running it again only refreshes the evidence of cases still proposed).
2. `confirm_case` / `dismiss_case`: the information centre judges each one (造成严重影响 or not, with
   its reasons), or dismisses it with a reason; a confirmed case opens the unit's answer window.
3. `answer_case`: the unit answers once, in its own admin, within the working days it was given.
4. `create_bulletin` / `update_bulletin` / `submit_bulletin`: the centre drafts a 通报 of a quarter's
   serious cases and submits it once every unit concerned has answered or let its deadline pass.
5. `approve_bulletin` / `return_bulletin`: the 政务公开领导小组 approves (never the drafter), which
   publishes it on the portal with its PDF, or returns it with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from tenants.context import current_unit, in_public_schema, public_schema
from workcalendar.services import add_working_days

from . import notifications, selectors
from .log_actions import label_of
from .models import (
    DEFAULT_ANSWER_WORKING_DAYS,
    MAX_ANSWER_WORKING_DAYS,
    Bulletin,
    BulletinCase,
    BulletinEvent,
    BulletinStatus,
    CaseStatus,
)
from .pdf import BulletinDocument, CaseRow, build_bulletin_pdf

MAX_TEXT = 5000


def actor_name(user) -> str:
    if user is None:
        return "系统"
    full = (user.get_full_name() or "").strip()
    username = user.get_username()
    return f"{full}（{username}）" if full and full != username else username


def _record(
    *, action: str, user, comment: str = "", case=None, bulletin=None, unit_name: str = "", at: datetime | None = None
) -> None:
    """The app's own trail (public schema) and Wagtail's audit log of the schema the user belongs to."""
    now = at or timezone.now()
    with public_schema():
        BulletinEvent.objects.create(
            case=case, bulletin=bulletin, action=action, actor=actor_name(user), actor_unit=unit_name, at=now, comment=comment
        )
    instance = bulletin if bulletin is not None else case
    log(instance=instance, action=action, user=user, timestamp=now, data={"comment": comment, "what": label_of(action)})


def _require_centre(user) -> None:
    if not in_public_schema() or not selectors.can_manage(user):
        raise PermissionDenied("仅市信息中心管理员可以进行此操作")


def _text(value: str, *, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{label}不超过 {MAX_TEXT} 个字")
    return value


def _locked_case(case_id: int) -> BulletinCase:
    case = BulletinCase.objects.select_for_update().select_related("unit").filter(pk=case_id).first()
    if case is None:
        raise ValidationError("该情形不存在")
    return case


# --- 1. proposals from the register --------------------------------------------------------


@dataclass(frozen=True)
class ProposalResult:
    created: int
    refreshed: int
    kept: int

    @property
    def message(self) -> str:
        return f"新登记 {self.created} 宗，更新事实依据 {self.refreshed} 宗，已处理或无变化 {self.kept} 宗"


def propose_cases(*, year: int, month: int, now: datetime | None = None) -> ProposalResult:
    """The month's register as proposed cases, idempotently: one per unit, month and clause."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError("年份或月份无效")
    now = now or timezone.now()
    entries = selectors.register_entries(year=year, month=month)
    created = refreshed = kept = 0
    with public_schema(), transaction.atomic():
        for entry in entries:
            facts = {
                "evidence": entry.case.evidence,
                "first_day": entry.case.first_seen,
                "last_day": entry.case.last_seen,
            }
            case = (
                BulletinCase.objects.select_for_update()
                .filter(unit=entry.unit, year=year, month=month, clause=entry.case.clause)
                .first()
            )
            if case is None:
                case = BulletinCase.objects.create(
                    unit=entry.unit, year=year, month=month, clause=entry.case.clause, proposed_at=now, **facts
                )
                BulletinEvent.objects.create(
                    case=case, action="bulletins.proposed", actor="网站监测", at=now, comment=entry.case.evidence
                )
                created += 1
                continue
            changed = any(getattr(case, name) != value for name, value in facts.items())
            if case.status == CaseStatus.PROPOSED and changed:
                for name, value in facts.items():
                    setattr(case, name, value)
                case.save(update_fields=list(facts))
                BulletinEvent.objects.create(
                    case=case, action="bulletins.refreshed", actor="网站监测", at=now, comment=entry.case.evidence
                )
                refreshed += 1
            else:
                kept += 1
    return ProposalResult(created=created, refreshed=refreshed, kept=kept)


def previous_month(now: datetime | None = None) -> tuple[int, int]:
    today = timezone.localtime(now or timezone.now()).date()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def propose_last_month(*, now: datetime | None = None) -> ProposalResult:
    year, month = previous_month(now)
    return propose_cases(year=year, month=month, now=now)


# --- 2. the centre's decision -----------------------------------------------------------------


def _deadline(*, start: datetime, days: int) -> datetime:
    day = add_working_days(start=timezone.localtime(start).date(), days=days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def confirm_case(
    *,
    case_id: int,
    user,
    serious: bool,
    judgement: str,
    answer_working_days: int = DEFAULT_ANSWER_WORKING_DAYS,
    now: datetime | None = None,
) -> BulletinCase:
    """The centre confirms a proposed case with its 造成严重影响 judgement; the unit may then answer."""
    _require_centre(user)
    judgement = _text(judgement, label="影响判断说明")
    if not (1 <= answer_working_days <= MAX_ANSWER_WORKING_DAYS):
        raise ValidationError(f"答复期限须为 1–{MAX_ANSWER_WORKING_DAYS} 个工作日")
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        case = _locked_case(case_id)
        if case.status != CaseStatus.PROPOSED:
            raise ValidationError(f"该情形当前状态为“{case.get_status_display()}”，不能再确认")
        case.status = CaseStatus.CONFIRMED
        case.serious = bool(serious)
        case.judgement = judgement
        case.decided_by = actor_name(user)
        case.decided_at = now
        case.answer_working_days = answer_working_days
        case.answer_deadline = _deadline(start=now, days=answer_working_days)
        case.save()
        verdict = "造成严重影响" if serious else "未造成严重影响"
        _record(
            action="bulletins.confirmed",
            user=user,
            case=case,
            at=now,
            comment=f"{verdict}：{judgement}；单位答复期限 {answer_working_days} 个工作日"
            f"（至 {timezone.localtime(case.answer_deadline):%Y-%m-%d}）",
        )
        transaction.on_commit(lambda: notifications.case_confirmed(case_id=case.pk))
    return case


def dismiss_case(*, case_id: int, user, reason: str, now: datetime | None = None) -> BulletinCase:
    """The centre dismisses a proposed case; the reason is required and kept."""
    _require_centre(user)
    reason = _text(reason, label="不予认定的理由")
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        case = _locked_case(case_id)
        if case.status != CaseStatus.PROPOSED:
            raise ValidationError(f"该情形当前状态为“{case.get_status_display()}”，不能再处理")
        case.status = CaseStatus.DISMISSED
        case.dismissal_reason = reason
        case.decided_by = actor_name(user)
        case.decided_at = now
        case.save(update_fields=["status", "dismissal_reason", "decided_by", "decided_at"])
        _record(action="bulletins.dismissed", user=user, case=case, comment=reason, at=now)
    return case


# --- 3. the unit's answer ---------------------------------------------------------------------


def answer_case(*, case_id: int, user, text: str, now: datetime | None = None) -> BulletinCase:
    """Runs in the unit's schema: its 第一责任人, 分管领导 or 单位管理员 answers once, before the deadline."""
    unit = current_unit()
    if unit is None:
        raise PermissionDenied("请在本单位后台答复")
    if not selectors.can_answer_for_unit(user):
        raise PermissionDenied("仅本单位第一责任人、分管领导或单位管理员可以答复")
    text = _text(text, label="答复内容")
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        case = BulletinCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None or case.unit_id != unit.pk or case.status != CaseStatus.CONFIRMED:
            raise PermissionDenied("该情形不属于本单位")
        if case.answered_at is not None:
            raise ValidationError("本单位已答复该情形，每宗情形只能答复一次")
        if case.answer_deadline is None or now > case.answer_deadline:
            deadline = timezone.localtime(case.answer_deadline).strftime("%Y-%m-%d") if case.answer_deadline else "—"
            raise ValidationError(f"答复期限（{deadline}）已过，不能再提交答复")
        case.answer = text
        case.answered_by = actor_name(user)
        case.answered_at = now
        case.save(update_fields=["answer", "answered_by", "answered_at"])
    # Wagtail's log of the unit's own schema (the user is the unit's); the trail in the public schema.
    _record(action="bulletins.answered", user=user, case=case, comment=text, unit_name=unit.name, at=now)
    return case


# --- 4. the centre's draft --------------------------------------------------------------------


def _checked_cases(*, bulletin: Bulletin | None, year: int, quarter: int, case_ids: Iterable[int]) -> list[BulletinCase]:
    ids = {int(pk) for pk in case_ids}
    if not ids:
        raise ValidationError("请至少选择一宗经确认造成严重影响的情形")
    found = list(selectors.eligible_cases(year=year, quarter=quarter, bulletin=bulletin).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError("所选情形须为本季度经确认造成严重影响、且未列入其他通报的情形")
    return found


def _period(year: int, quarter: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise ValidationError("年份或季度无效")


def create_bulletin(
    *, user, year: int, quarter: int, title: str, body: str, case_ids: Iterable[int], number: str = ""
) -> Bulletin:
    _require_centre(user)
    _period(year, quarter)
    title = _text(title, label="标题")[:200]
    body = _text(body, label="正文")
    now = timezone.now()
    with public_schema(), transaction.atomic():
        chosen = _checked_cases(bulletin=None, year=year, quarter=quarter, case_ids=case_ids)
        bulletin = Bulletin.objects.create(
            title=title,
            number=(number or "").strip()[:60],
            year=year,
            quarter=quarter,
            body=body,
            drafted_by=user,
            drafted_by_name=actor_name(user),
            created_at=now,
            updated_at=now,
        )
        bulletin.cases.set(chosen)
        _record(action="bulletins.drafted", user=user, bulletin=bulletin, comment=f"列入情形 {len(chosen)} 宗")
    return bulletin


def update_bulletin(*, bulletin_id: int, user, title: str, body: str, case_ids: Iterable[int], number: str = "") -> Bulletin:
    _require_centre(user)
    title = _text(title, label="标题")[:200]
    body = _text(body, label="正文")
    with public_schema(), transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
        if bulletin is None:
            raise ValidationError("该通报不存在")
        if not bulletin.is_editable:
            raise ValidationError(f"该通报当前状态为“{bulletin.get_status_display()}”，不能修改")
        chosen = _checked_cases(bulletin=bulletin, year=bulletin.year, quarter=bulletin.quarter, case_ids=case_ids)
        bulletin.title, bulletin.body, bulletin.number = title, body, (number or "").strip()[:60]
        bulletin.updated_at = timezone.now()
        bulletin.save(update_fields=["title", "body", "number", "updated_at"])
        bulletin.cases.set(chosen)
        _record(action="bulletins.edited", user=user, bulletin=bulletin, comment=f"列入情形 {len(chosen)} 宗")
    return bulletin


def submit_bulletin(*, bulletin_id: int, user, now: datetime | None = None) -> Bulletin:
    """The centre submits the draft to the leading group once every unit answered or let its deadline pass."""
    _require_centre(user)
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
        if bulletin is None:
            raise ValidationError("该通报不存在")
        if bulletin.status != BulletinStatus.DRAFT:
            raise ValidationError(f"该通报当前状态为“{bulletin.get_status_display()}”，不能提交审批")
        chosen = list(bulletin.cases.select_related("unit"))
        if not chosen:
            raise ValidationError("通报未列入任何情形，不能提交审批")
        waiting = [case for case in chosen if not selectors.answer_window_closed(case=case, now=now)]
        if waiting:
            names = "、".join(f"{case.unit.name}（至 {timezone.localtime(case.answer_deadline):%Y-%m-%d}）" for case in waiting)
            raise ValidationError(f"以下单位尚未答复且答复期限未满，暂不能提交审批：{names}")
        bulletin.status = BulletinStatus.SUBMITTED
        bulletin.submitted_at = now
        bulletin.save(update_fields=["status", "submitted_at"])
        _record(action="bulletins.submitted", user=user, bulletin=bulletin, at=now)
        transaction.on_commit(lambda: notifications.bulletin_submitted(bulletin_id=bulletin.pk))
    return bulletin


# --- 5. the leading group's approval ------------------------------------------------------------


def _require_approver(*, user, bulletin: Bulletin) -> None:
    if not in_public_schema() or not selectors.is_leading_group(user):
        raise PermissionDenied("仅市政务公开领导小组成员可以审批通报")
    if bulletin.drafted_by_id is not None and bulletin.drafted_by_id == user.pk:
        raise PermissionDenied("起草人不能审批自己起草的通报")
    if bulletin.status != BulletinStatus.SUBMITTED:
        raise ValidationError(f"该通报当前状态为“{bulletin.get_status_display()}”，不能审批")


def document_of(*, bulletin: Bulletin, published_on, approved_by: str) -> BulletinDocument:
    rows = [
        CaseRow(
            unit_name=case.unit.full_name or case.unit.name,
            period=case.period_label,
            clause=case.clause,
            evidence=case.evidence,
            first_day=case.first_day,
            last_day=case.last_day,
            judgement=case.judgement,
            answer=case.answer,
        )
        for case in selectors.bulletin_cases(bulletin=bulletin)
    ]
    return BulletinDocument(
        title=bulletin.title,
        number=bulletin.number,
        body=bulletin.body,
        published_on=published_on,
        approved_by=approved_by,
        cases=rows,
    )


def approve_bulletin(*, bulletin_id: int, user, comment: str = "", now: datetime | None = None) -> Bulletin:
    """The leading group approves: the 通报 is published on the portal with its PDF."""
    comment = _text(comment, label="审批意见", required=False)
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
        if bulletin is None:
            raise ValidationError("该通报不存在")
        _require_approver(user=user, bulletin=bulletin)
        name = actor_name(user)
        bulletin.status = BulletinStatus.PUBLISHED
        bulletin.approved_by = user
        bulletin.approved_by_name = name
        bulletin.approval_comment = comment
        bulletin.published_at = now
        bulletin.return_reason = ""
        bulletin.pdf = build_bulletin_pdf(
            document_of(bulletin=bulletin, published_on=timezone.localtime(now).date(), approved_by=name)
        )
        bulletin.save()
        _record(action="bulletins.approved", user=user, bulletin=bulletin, comment=comment, at=now)
        _record(action="bulletins.published", user=user, bulletin=bulletin, at=now)
        transaction.on_commit(lambda: notifications.bulletin_published(bulletin_id=bulletin.pk))
    return bulletin


def return_bulletin(*, bulletin_id: int, user, reason: str) -> Bulletin:
    """The leading group sends the draft back to the centre with a reason."""
    reason = _text(reason, label="退回理由")
    with public_schema(), transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
        if bulletin is None:
            raise ValidationError("该通报不存在")
        _require_approver(user=user, bulletin=bulletin)
        bulletin.status = BulletinStatus.DRAFT
        bulletin.return_reason = reason
        bulletin.submitted_at = None
        bulletin.save(update_fields=["status", "return_reason", "submitted_at"])
        _record(action="bulletins.returned", user=user, bulletin=bulletin, comment=reason)
    return bulletin
