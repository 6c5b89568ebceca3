"""Reads of the holiday calendar: one WorkCalendar per version of the table, cached per process."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from tenants.context import public_schema

from .calendar import WorkCalendar
from .models import HolidayDay

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, WorkCalendar]] = {}


def _version() -> tuple:
    stats = HolidayDay.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (stats["n"], stats["latest"], stats["top"])


def work_calendar() -> WorkCalendar:
    """The calendar as the information centre keeps it (public schema), rebuilt only after a change."""
    with public_schema():
        version = _version()
        with _lock:
            cached = _cache.get("calendar")
            if cached is not None and cached[0] == version:
                return cached[1]
        calendar = WorkCalendar.from_rows(HolidayDay.objects.values_list("date", "kind"))
    with _lock:
        _cache["calendar"] = (version, calendar)
    return calendar


def years_covered() -> list[int]:
    with public_schema():
        return sorted({day.year for day in HolidayDay.objects.values_list("date", flat=True)})
