"""Working-day arithmetic for 会签 deadlines, on the platform's holiday calendar.

A working day is a Monday to Friday that is not a statutory holiday, or a
weekend day that is a 调休上班 day: the State Council's 放假安排, kept by the
information centre in 节假日安排 (workcalendar). Years the calendar does not
cover count weekends only.
"""

from __future__ import annotations

from datetime import datetime

from workcalendar.services import add_working_days as _add_working_days


def add_working_days(*, start: datetime, days: int) -> datetime:
    """`start` plus `days` working days, at the same local time of day."""
    return _add_working_days(start=start, days=days)


def half_time(*, start: datetime, deadline: datetime) -> datetime:
    return start + (deadline - start) / 2
