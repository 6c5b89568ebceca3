"""Reads of 通报: who may do what, the monitoring's register of a month, cases, 通报 and their trail.

Every read of the app's tables runs in the public schema (`public_schema()`), whichever admin asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from oversight.reports.figures import Article11Case
from tenants.admin import in_centre_role, is_information_centre, is_supervisor
from tenants.context import public_schema
from tenants.roles import CentreRole, UnitRole, in_roles

from .models import Bulletin, BulletinCase, BulletinEvent, BulletinStatus, CaseStatus

# Who answers a case on behalf of the unit: its 第一责任人, 分管领导 or 单位管理员.
UNIT_ANSWER_ROLES = (UnitRole.HEAD, UnitRole.LEADER, UnitRole.ADMIN)
# Who may open the unit's screen at all: every group of the unit.
UNIT_READ_ROLES = UnitRole.ALL

QUARTER_NAMES = "一二三四"


def quarter_months(quarter: int) -> tuple[int, int, int]:
    first = 3 * (quarter - 1) + 1
    return first, first + 1, first + 2


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def default_title(*, year: int, quarter: int) -> str:
    return f"关于{year}年第{QUARTER_NAMES[quarter - 1]}季度政府网站维护管理情况的通报"


# --- who may act -------------------------------------------------------------------


def is_leading_group(user) -> bool:
    """A member of the 政务公开领导小组 (public schema)."""
    return in_centre_role(user, CentreRole.LEADING_GROUP) and not is_supervisor(user)


def can_read_centre(user) -> bool:
    """The centre's screens of 通报: the centre, the leading group, and the supervisor (监察) reading them."""
    return is_information_centre(user) or is_supervisor(user) or is_leading_group(user)


def can_manage(user) -> bool:
    """Propose, confirm, dismiss, draft and submit: the information centre's administrators."""
    return is_information_centre(user)


def can_approve(*, user, bulletin: Bulletin) -> bool:
    """The leading group approves a submitted 通报; nobody approves the draft they wrote."""
    return (
        bulletin.status == BulletinStatus.SUBMITTED
        and is_leading_group(user)
        and (bulletin.drafted_by_id is None or bulletin.drafted_by_id != user.pk)
    )


def can_view_unit_cases(user) -> bool:
    """In a unit's admin: any of its staff (the screen lists that unit's cases only)."""
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, *UNIT_READ_ROLES)))


def can_answer_for_unit(user) -> bool:
    """In a unit's admin: the unit's 第一责任人, 分管领导 or 单位管理员."""
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, *UNIT_ANSWER_ROLES)))


# --- the monitoring's register ----------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    unit: object
    case: Article11Case


def register_entries(*, year: int, month: int) -> list[RegisterEntry]:
    """The 第十一条 register of the month as the monthly report lists it, each case with its unit.

    The register covers the directory's units only (never the portal's unit, where the links of the
    platform's shared header and footer are recorded: no unit can edit them).
    """
    from oversight.selectors import centre_unit, monthly_report
    from tenants.selectors import directory_units

    with public_schema():
        report = monthly_report(year=year, month=month)
        units = {unit.name: unit for unit in directory_units()}
        centre = centre_unit()
    entries = []
    for case in report.cases:
        unit = units.get(case.unit_name)
        if unit is None or unit.is_portal or (centre is not None and unit.pk == centre.pk):
            continue
        entries.append(RegisterEntry(unit=unit, case=case))
    return entries


# --- cases ------------------------------------------------------------------------------


def cases(*, status: str = "", year: int | None = None, month: int | None = None) -> list[BulletinCase]:
    with public_schema():
        rows = BulletinCase.objects.select_related("unit")
        if status:
            rows = rows.filter(status=status)
        if year is not None:
            rows = rows.filter(year=year)
        if month is not None:
            rows = rows.filter(month=month)
        return list(rows)


def get_case(*, case_id: int) -> BulletinCase | None:
    with public_schema():
        return BulletinCase.objects.select_related("unit").filter(pk=case_id).first()


def case_events(*, case: BulletinCase) -> list[BulletinEvent]:
    with public_schema():
        return list(BulletinEvent.objects.filter(case=case))


def unit_cases(*, unit) -> list[BulletinCase]:
    """The cases the centre confirmed about `unit` (what the unit sees first, and answers)."""
    with public_schema():
        return list(BulletinCase.objects.filter(unit_id=unit.pk, status=CaseStatus.CONFIRMED).select_related("unit"))


def unit_case(*, unit, case_id: int) -> BulletinCase | None:
    with public_schema():
        return (
            BulletinCase.objects.filter(pk=case_id, unit_id=unit.pk, status=CaseStatus.CONFIRMED).select_related("unit").first()
        )


def answer_window_open(*, case: BulletinCase, now: datetime | None = None) -> bool:
    """Whether the unit may still answer: confirmed, not answered yet, before its deadline."""
    now = now or timezone.now()
    return (
        case.status == CaseStatus.CONFIRMED
        and not case.answered_at
        and case.answer_deadline is not None
        and now <= case.answer_deadline
    )


def answer_window_closed(*, case: BulletinCase, now: datetime | None = None) -> bool:
    """The unit answered, or its deadline passed: the case may go into a 通报."""
    now = now or timezone.now()
    return case.answered_at is not None or (case.answer_deadline is not None and now > case.answer_deadline)


def eligible_cases(*, year: int, quarter: int, bulletin: Bulletin | None = None) -> QuerySet[BulletinCase]:
    """Confirmed cases with 严重影响 of the quarter that no other 通报 holds (call inside public_schema())."""
    rows = BulletinCase.objects.filter(
        status=CaseStatus.CONFIRMED, serious=True, year=year, month__in=quarter_months(quarter)
    ).select_related("unit")
    others = Bulletin.objects.all() if bulletin is None else Bulletin.objects.exclude(pk=bulletin.pk)
    return rows.exclude(bulletins__in=others)


def bulletin_cases(*, bulletin: Bulletin) -> list[BulletinCase]:
    with public_schema():
        return list(bulletin.cases.select_related("unit").order_by("unit__sort_order", "unit_id", "year", "month", "clause"))


# --- 通报 --------------------------------------------------------------------------------


def bulletins() -> list[Bulletin]:
    with public_schema():
        return list(Bulletin.objects.all())


def get_bulletin(*, bulletin_id: int) -> Bulletin | None:
    with public_schema():
        return Bulletin.objects.filter(pk=bulletin_id).first()


def bulletin_events(*, bulletin: Bulletin) -> list[BulletinEvent]:
    with public_schema():
        return list(BulletinEvent.objects.filter(Q(bulletin=bulletin)))


def published_bulletins() -> list[Bulletin]:
    with public_schema():
        return list(
            Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)
            .defer("pdf")
            .prefetch_related(Prefetch("cases", queryset=BulletinCase.objects.select_related("unit")))
        )


def published_bulletin(*, bulletin_id: int) -> Bulletin | None:
    with public_schema():
        return Bulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.PUBLISHED).first()


def unit_bulletins(*, unit) -> list[Bulletin]:
    """The published 通报 that name `unit`."""
    with public_schema():
        return list(Bulletin.objects.filter(status=BulletinStatus.PUBLISHED, cases__unit_id=unit.pk).distinct().defer("pdf"))
