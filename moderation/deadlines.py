"""Working-day arithmetic for 会签 deadlines.

Weekends are not working days. Statutory holidays and the make-up working days
around them change every year by State Council notice; they are not modelled
here, so a deadline over a holiday falls early rather than late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


def add_working_days(*, start: datetime, days: int) -> datetime:
    """`start` plus `days` working days, at the same local time of day."""
    moment = timezone.localtime(start)
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment


def half_time(*, start: datetime, deadline: datetime) -> datetime:
    return start + (deadline - start) / 2
