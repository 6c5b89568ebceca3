"""Working-day arithmetic on the platform's holiday calendar (dates or aware datetimes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from .calendar import WorkCalendar
from .models import DayKind, HolidayDay
from .selectors import work_calendar


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def is_working_day(*, day: date | datetime, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or work_calendar()).is_working_day(_local_date(day))


def add_working_days(*, start: date | datetime, days: int, calendar: WorkCalendar | None = None) -> date | datetime:
    """`start` plus `days` working days; a datetime keeps its local time of day (Asia/Shanghai)."""
    calendar = calendar or work_calendar()
    if isinstance(start, datetime):
        local = timezone.localtime(start)
        day = calendar.add_working_days(local.date(), days)
        return local.replace(year=day.year, month=day.month, day=day.day)
    return calendar.add_working_days(start, days)


def working_days_between(*, start: date | datetime, end: date | datetime, calendar: WorkCalendar | None = None) -> int:
    """Working days after `start`'s day up to and including `end`'s day."""
    return (calendar or work_calendar()).working_days_between(_local_date(start), _local_date(end))


@transaction.atomic
def load_rows(*, rows: Iterable[tuple[date, str, str]], replace_years: bool = False) -> dict[str, int]:
    """Write (date, kind, note) rows; `replace_years` first removes other rows of the same years."""
    rows = list(rows)
    for _day, kind, _note in rows:
        if kind not in DayKind.values:
            raise ValueError(f"未知的类型：{kind}")
    if replace_years:
        years = {day.year for day, _kind, _note in rows}
        HolidayDay.objects.filter(date__year__in=years).exclude(date__in=[day for day, _k, _n in rows]).delete()
    created = updated = 0
    for day, kind, note in rows:
        _row, was_created = HolidayDay.objects.update_or_create(date=day, defaults={"kind": kind, "note": note})
        created += was_created
        updated += not was_created
    return {"created": created, "updated": updated}
