"""Reads of 互动交流: permissions, queues, a case and its history, public lists, figures, the veto."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from tenants.admin import is_information_centre
from tenants.context import current_unit, in_public_schema, public_schema
from tenants.roles import UnitRole, in_roles
from workcalendar.selectors import work_calendar

from .figures import (
    CaseFacts,
    UnitInteractionFigures,
    month_figures,
    overdue_cases,
    unanswered_beyond_veto,
    veto_lines,
)
from .models import (
    DEFAULT_WORKING_DAYS,
    OPEN_STATUSES,
    Case,
    DeadlineSetting,
    Handover,
    Kind,
    PublishedReply,
    Status,
)

# The unit's 互动处理人: the named staff who answer messages (第六条（四）“确定专人”).
HANDLER_ROLE = "互动处理人"
# Who receives, accepts, assigns, hands over: the unit's reviewers, leaders and administrators.
DISPATCHER_ROLES = (UnitRole.REVIEWER, UnitRole.LEADER, UnitRole.ADMIN)
# Who reviews a reply and decides its publication: 审核员 or 分管领导.
REVIEW_ROLES = (UnitRole.REVIEWER, UnitRole.LEADER)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


# --- who may act ------------------------------------------------------------


def is_desk() -> bool:
    """The active schema is the public one: the portal's cases and the information centre's desk."""
    return in_public_schema()


def can_dispatch(*, user) -> bool:
    if is_desk():
        return is_information_centre(user)
    return bool(user and user.is_active and (user.is_superuser or in_roles(user, *DISPATCHER_ROLES)))


def can_handle(*, user, case: Case) -> bool:
    """The assigned handler (a 互动处理人 of the unit) works on the case."""
    return bool(user and user.is_authenticated and user.is_active and case.handler_id == user.pk and in_roles(user, HANDLER_ROLE))


def can_review(*, user, case: Case) -> bool:
    """审核员 or 分管领导 who did not write the reply."""
    if not in_roles_review(user=user):
        return False
    return case.reply_by_id != user.pk


def in_roles_review(*, user) -> bool:
    """审核员 or 分管领导 of the unit (or the desk, for the portal's own cases)."""
    if is_desk():
        return is_information_centre(user)
    return bool(user and user.is_authenticated and user.is_active and in_roles(user, *REVIEW_ROLES))


def can_decide_extension(*, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and in_roles(user, UnitRole.LEADER))


def can_view_cases(*, user) -> bool:
    if is_desk():
        return is_information_centre(user)
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or in_roles(user, HANDLER_ROLE, *DISPATCHER_ROLES, UnitRole.HEAD))
    )


def handlers():
    """The unit's named handlers, to choose from when assigning."""
    return get_user_model().objects.filter(groups__name=HANDLER_ROLE, is_active=True).distinct().order_by("username")


# --- deadlines -----------------------------------------------------------------


def working_days_for(*, kind: str) -> int:
    setting = DeadlineSetting.objects.filter(kind=kind).values_list("working_days", flat=True).first()
    return setting or DEFAULT_WORKING_DAYS.get(kind, 5)


def deadline_for(*, received_at: datetime, working_days: int) -> datetime:
    """The end of the `working_days`-th working day after the day the message arrived."""
    return end_of_day(work_calendar().add_working_days(local_date(received_at), working_days))


def working_days_left(*, case: Case, now: datetime | None = None) -> int:
    """Working days until the deadline (0 on its day); negative when overdue: working days since."""
    now = now or timezone.now()
    calendar = work_calendar()
    today, due = local_date(now), local_date(case.deadline)
    if now > case.deadline:
        return -max(1, calendar.working_days_between(due, today))
    return calendar.working_days_between(today, due)


def urgency(days_left: int) -> str:
    """Colour class of the queue: overdue, due within 1 working day, within 2, or in time."""
    if days_left < 0:
        return "overdue"
    if days_left <= 1:
        return "urgent"
    if days_left <= 2:
        return "soon"
    return "ok"


# --- queues and cases --------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    case: Case
    days_left: int

    @property
    def urgency(self) -> str:
        return urgency(self.days_left) if self.case.is_open else "done"


def queue(*, user, mine: bool = False, status: str = "", now: datetime | None = None) -> list[QueueRow]:
    """Cases sorted by deadline; `mine`: assigned to the user, or waiting for them to review."""
    cases = Case.objects.select_related("handler")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if mine:
        wanted = Q(handler=user, status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
        if in_roles(user, *REVIEW_ROLES):
            wanted |= Q(status=Status.REVIEW) & ~Q(reply_by=user)
        if can_dispatch(user=user):
            wanted |= Q(status__in=(Status.SUBMITTED, Status.ACCEPTED))
        if can_decide_extension(user=user):
            wanted |= Q(extensions__state="pending")
        if in_roles(user, HANDLER_ROLE, *REVIEW_ROLES):
            wanted |= Q(handler=user, followup_at__isnull=False, followup_replied_at__isnull=True)
        cases = cases.filter(wanted).distinct()
    now = now or timezone.now()
    return [QueueRow(case=case, days_left=working_days_left(case=case, now=now)) for case in cases.order_by("deadline", "id")]


def get_case(*, case_id: int) -> Case | None:
    return Case.objects.select_related("handler", "reply_by", "reviewed_by").filter(pk=case_id).first()


def history(*, case: Case):
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.for_instance(case).select_related("user").order_by("timestamp", "id")


def pending_extension(*, case: Case):
    return case.extensions.filter(state="pending").first()


def find_for_writer(*, number: str, phone: str) -> Case | None:
    """The writer's own case: 查询码 and the mobile number they gave must both match."""
    number = (number or "").strip().upper()
    phone = (phone or "").strip()
    if not number or not phone:
        return None
    return Case.objects.filter(number=number, phone=phone).first()


def handover(*, handover_id: int) -> Handover | None:
    with public_schema():
        return Handover.objects.filter(pk=handover_id).first()


# --- public lists -------------------------------------------------------------------


def published_cases(*, faq_only: bool = False):
    """This unit's published replies (its own schema), newest first."""
    cases = Case.objects.filter(status=Status.PUBLISHED)
    if faq_only:
        cases = cases.filter(faq=True)
    return cases.order_by("-published_at", "-id")


def portal_replies(*, faq_only: bool = False, unit_code: str = ""):
    """The published replies of every unit and of the portal (public schema)."""
    with public_schema():
        replies = PublishedReply.objects.all()
        if faq_only:
            replies = replies.filter(faq=True)
        if unit_code:
            replies = replies.filter(unit_code=unit_code)
        return replies.order_by("-published_at", "-id")


def has_working_channel() -> bool:
    """A live 互动渠道 page on the unit's site that no view restriction hides: where the form is (one query)."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Length, Substr
    from wagtail.models import PageViewRestriction

    from sitepages.models import InteractionPage

    restricted = PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))
    return InteractionPage.objects.live().filter(~Exists(restricted)).exists()


def channel_page():
    """The unit's first live 互动渠道 page (None when it has none)."""
    from sitepages.models import InteractionPage

    return InteractionPage.objects.live().public().order_by("path").first()


# --- figures -------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(year, month, 1))
    end = start + timedelta(days=month_calendar.monthrange(year, month)[1])
    return start, timezone.make_aware(datetime(end.year, end.month, end.day))


def case_facts(*, since: datetime | None = None) -> list[CaseFacts]:
    cases = Case.objects.all()
    if since is not None:
        cases = cases.filter(Q(received_at__gte=since) | Q(status__in=OPEN_STATUSES))
    return [
        CaseFacts(
            id=row[0],
            number=row[1],
            kind=row[2],
            status=row[3],
            received_at=row[4],
            deadline=row[5],
            answered_at=row[6],
            rating=row[7],
        )
        for row in cases.values_list("id", "number", "kind", "status", "received_at", "deadline", "answered_at", "rating")
    ]


def unit_figures(*, year: int, month: int, unit=None, now: datetime | None = None) -> UnitInteractionFigures:
    """The figures of the active schema's unit for one month, with today's overdue count and the veto."""
    unit = unit or current_unit()
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    facts = case_facts(since=min(start, now - timedelta(days=400)))
    by_kind = month_figures(facts, start=start, end=end, calendar=work_calendar(), local_date=local_date)
    vetoed = unanswered_beyond_veto(facts, now=now)
    return UnitInteractionFigures(
        unit_code=getattr(unit, "code", ""),
        unit_name=getattr(unit, "name", ""),
        year=year,
        month=month,
        by_kind=by_kind,
        overdue_now=len(overdue_cases(facts, now=now)),
        veto_evidence=veto_lines(vetoed, now=now, local_date=local_date),
        has_channel=has_working_channel() if not in_public_schema() else True,
    )


def veto_state(*, now: datetime | None = None) -> tuple[bool, tuple[str, ...]]:
    """(has a working channel, evidence lines of messages unanswered beyond 3 months) of the active unit."""
    now = now or timezone.now()
    facts = case_facts(since=now - timedelta(days=400))
    return has_working_channel(), veto_lines(unanswered_beyond_veto(facts, now=now), now=now, local_date=local_date)


def overdue_between(*, start: datetime, end: datetime, now: datetime | None = None) -> list[Case]:
    """第十一条（四）: messages not handled in time in [start, end): answered late in it, or past their deadline and still open."""
    now = now or timezone.now()
    cutoff = min(end, now)
    late_answer = Q(answered_at__isnull=False, answered_at__gt=F("deadline"), answered_at__gte=start, answered_at__lt=end)
    still_open = Q(status__in=OPEN_STATUSES, deadline__lt=cutoff)
    return list(Case.objects.filter(late_answer | still_open).order_by("deadline", "id"))


def article11_evidence(*, start: datetime, end: datetime, now: datetime | None = None):
    """(count, evidence, first day, last day) of the 第十一条（四） entry of the active unit, or None."""
    now = now or timezone.now()
    cases = overdue_between(start=start, end=end, now=now)
    if not cases:
        return None
    sample = "、".join(
        f"{case.number}（{case.get_kind_display()}，期限 {local_date(case.deadline):%Y-%m-%d}）" for case in cases[:3]
    )
    first = max(min(case.deadline for case in cases), start)
    last = min(end - timedelta(seconds=1), now)
    return len(cases), f"{len(cases)} 条留言未在办理期限内办结（如 {sample}）", local_date(first), local_date(last)


def unpublished_after(*, days: int, now: datetime | None = None) -> int:
    """Replies answered more than `days` ago whose publication is still undecided (已答复, neither 公开 nor 不公开)."""
    now = now or timezone.now()
    return Case.objects.filter(status=Status.ANSWERED, answered_at__lt=now - timedelta(days=days)).count()


def correction_year_counts(*, year: int) -> dict[str, int]:
    """找错 for the yearly figures (监管年度报表): received in the year; still open at 31 December
    (whatever year they arrived); closed in the year more than a month after they arrived."""
    from .figures import add_months

    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    cases = Case.objects.filter(kind=Kind.CORRECTION, received_at__lt=end).exclude(
        status__in=(Status.TRANSFERRED, Status.RETURNED, Status.REFUSED)
    )
    rows = list(cases.values_list("received_at", "answered_at"))
    return {
        "received": sum(1 for received, _answered in rows if received >= start),
        "open_at_year_end": sum(1 for _received, answered in rows if answered is None or answered >= end),
        "closed_after_a_month": sum(
            1
            for received, answered in rows
            if answered is not None and start <= answered < end and answered > add_months(received, 1)
        ),
    }


def freshness_state(*, now: datetime | None = None):
    """(published replies, newest publication, InteractionState) of the active unit, for the freshness scorer.

    Two queries (three with a veto): one aggregate over the cases, one for the channel page.
    """
    from django.db.models import Count, Max

    from oversight.freshness import InteractionState

    from .figures import VETO_MONTHS, add_months

    now = now or timezone.now()
    year_ago, veto_line = add_months(now, -12), add_months(now, -VETO_MONTHS)
    unanswered = Q(status__in=OPEN_STATUSES, received_at__gte=year_ago, received_at__lt=veto_line)
    row = Case.objects.aggregate(
        published=Count("pk", filter=Q(status=Status.PUBLISHED)),
        newest=Max("published_at", filter=Q(status=Status.PUBLISHED)),
        unpublished=Count("pk", filter=Q(status=Status.ANSWERED, answered_at__lt=now - timedelta(days=60))),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=now)),
        unanswered=Count("pk", filter=unanswered),
    )
    evidence: tuple[str, ...] = ()
    if row["unanswered"]:
        oldest = Case.objects.filter(unanswered).order_by("received_at", "id")[:5]
        facts = [
            CaseFacts(id=c.pk, number=c.number, kind=c.kind, status=c.status, received_at=c.received_at, deadline=c.deadline)
            for c in oldest
        ]
        evidence = veto_lines(facts, now=now, local_date=local_date)
        if row["unanswered"] > len(facts):
            evidence += (f"另有 {row['unanswered'] - len(facts)} 条",)
    state = InteractionState(
        has_channel=has_working_channel(),
        unanswered=row["unanswered"],
        evidence=evidence,
        overdue_open=row["overdue"],
        unpublished_after_two_months=row["unpublished"],
    )
    return row["published"], row["newest"], state


def report_rows(*, year: int, month: int, unit=None) -> list:
    """The active unit's rows of the monthly report (oversight.reports.figures.InteractionRow): by kind, then 合计."""
    from oversight.reports.figures import InteractionRow

    from .figures import KIND_LABELS

    figures = unit_figures(year=year, month=month, unit=unit)
    veto = ""
    if figures.vetoed:
        parts = ([] if figures.has_channel else ["无可用的互动渠道"]) + list(figures.veto_evidence)
        veto = "互动回应差：" + "；".join(parts)

    def row(kind: str, values, **extra) -> InteractionRow:
        return InteractionRow(
            unit_name=figures.unit_name,
            kind=kind,
            received=values.received,
            accepted=values.accepted,
            published=values.published,
            reply_rate=values.reply_rate,
            on_time_rate=values.on_time_rate,
            average_working_days=values.average_working_days,
            satisfaction_rate=values.satisfaction_rate,
            **extra,
        )

    rows = [row(KIND_LABELS.get(kind, kind), values) for kind, values in figures.by_kind.items()]
    rows.append(row("合计", figures.total, overdue_now=figures.overdue_now, veto=veto))
    return rows
