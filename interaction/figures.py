"""The figures of 互动交流, judged from plain case facts (pure Python, no Django).

The selectors load `CaseFacts` from a unit's schema; the benchmark builds them in
memory. Everything the dashboards, the monthly report and the 互动回应差 veto say
is computed here, so the numbers agree wherever they are shown.

Definitions (per unit and month, by the month the message reached the unit):

* 留言数: messages received, less those handed to another unit (转办 / 退回), which
  count where they went;
* 受理数: of those, accepted (not 不予受理, not still 待受理);
* 答复数: of those, answered and published (已公开), as the national indicators
  count replies;
* 答复率 = 答复数 / 受理数; 按期办结率 = answered by the deadline / answered;
  平均办理工作日 = mean working days from receipt to the answer, over the answered;
  满意率 = (满意 + 基本满意) / rated.

The veto (互动回应差, 国办秘函〔2019〕19号): a valid message (not refused, not handed
over) received within the last year and still unanswered more than 3 months after
it arrived; or no working channel at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workcalendar.calendar import WorkCalendar

__all__ = [
    "KIND_LABELS",
    "CaseFacts",
    "KindFigures",
    "UnitInteractionFigures",
    "add_months",
    "month_figures",
    "overdue_cases",
    "unanswered_beyond_veto",
]

KIND_LABELS: dict[str, str] = {
    "consult": "咨询",
    "complaint": "投诉",
    "suggestion": "建议",
    "help": "求助",
    "correction": "纠错",
}
REFUSED = "refused"
SUBMITTED = "submitted"
PUBLISHED = "published"
HANDED_OVER = frozenset({"transferred", "returned"})
ANSWERED = frozenset({"answered", "published", "not_published"})
OPEN = frozenset({"submitted", "accepted", "assigned", "in_progress", "review"})
SATISFIED = frozenset({"satisfied", "basic"})
VETO_MONTHS = 3
# The information centre is told when a message is still unanswered this many days after it arrived.
CENTRE_ESCALATION_DAYS = 60


@dataclass(frozen=True, slots=True)
class CaseFacts:
    id: int
    number: str
    kind: str
    status: str
    received_at: datetime
    deadline: datetime
    answered_at: datetime | None = None
    rating: str = ""


@dataclass
class KindFigures:
    received: int = 0
    accepted: int = 0
    answered: int = 0  # answered to the writer (any answered status)
    published: int = 0  # 答复数: published replies
    on_time: int = 0
    working_days_total: int = 0
    rated: int = 0
    satisfied: int = 0

    def add(self, other: KindFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def reply_rate(self) -> float | None:
        return self.published / self.accepted if self.accepted else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answered if self.answered else None

    @property
    def average_working_days(self) -> float | None:
        return self.working_days_total / self.answered if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass
class UnitInteractionFigures:
    unit_code: str
    unit_name: str
    year: int
    month: int
    by_kind: dict[str, KindFigures] = field(default_factory=dict)
    # Open messages past their deadline now, and the veto evidence (one line per message).
    overdue_now: int = 0
    veto_evidence: tuple[str, ...] = ()
    has_channel: bool = True

    @property
    def total(self) -> KindFigures:
        total = KindFigures()
        for figures in self.by_kind.values():
            total.add(figures)
        return total

    @property
    def vetoed(self) -> bool:
        return bool(self.veto_evidence) or not self.has_channel


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, the day clipped to the target month's length."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return moment.replace(year=year, month=month, day=min(moment.day, days[month - 1]))


def month_figures(
    facts: Iterable[CaseFacts], *, start: datetime, end: datetime, calendar: WorkCalendar, local_date=None
) -> dict[str, KindFigures]:
    """Figures by kind of the messages received in [start, end); every kind is present.

    `local_date` turns an aware datetime into the local calendar date (Asia/Shanghai);
    by default the datetime's own date.
    """
    to_date = local_date or (lambda moment: moment.date())
    figures = {kind: KindFigures() for kind in KIND_LABELS}
    for case in facts:
        if not (start <= case.received_at < end) or case.status in HANDED_OVER:
            continue
        row = figures.setdefault(case.kind, KindFigures())
        row.received += 1
        if case.status in (REFUSED, SUBMITTED):
            continue
        row.accepted += 1
        if case.status in ANSWERED and case.answered_at is not None:
            row.answered += 1
            row.published += case.status == PUBLISHED
            row.on_time += case.answered_at <= case.deadline
            row.working_days_total += calendar.working_days_between(to_date(case.received_at), to_date(case.answered_at))
            if case.rating:
                row.rated += 1
                row.satisfied += case.rating in SATISFIED
    return figures


def overdue_cases(facts: Iterable[CaseFacts], *, now: datetime) -> list[CaseFacts]:
    """Open messages whose deadline has passed, most overdue first."""
    late = [case for case in facts if case.status in OPEN and case.deadline < now]
    return sorted(late, key=lambda case: (case.deadline, case.id))


def unanswered_beyond_veto(facts: Iterable[CaseFacts], *, now: datetime) -> list[CaseFacts]:
    """Valid messages received in the last year and unanswered more than 3 months after they arrived."""
    year_ago = add_months(now, -12)
    return sorted(
        (
            case
            for case in facts
            if case.status in OPEN and case.received_at >= year_ago and add_months(case.received_at, VETO_MONTHS) < now
        ),
        key=lambda case: (case.received_at, case.id),
    )


def veto_lines(cases: Sequence[CaseFacts], *, now: datetime, local_date=None, limit: int = 5) -> tuple[str, ...]:
    """One evidence line per message (查询码, kind, arrival, days waited), the oldest first; no personal data."""
    to_date = local_date or (lambda moment: moment.date())
    lines = []
    for case in cases[:limit]:
        waited = (to_date(now) - to_date(case.received_at)).days
        lines.append(
            f"{KIND_LABELS.get(case.kind, case.kind)}留言 {case.number}（{to_date(case.received_at):%Y-%m-%d} 收到，已 {waited} 天未答复）"
        )
    if len(cases) > limit:
        lines.append(f"另有 {len(cases) - limit} 条")
    return tuple(lines)


def escalation_due(case: CaseFacts, *, now: datetime) -> bool:
    return case.status in OPEN and now - case.received_at >= timedelta(days=CENTRE_ESCALATION_DAYS)
