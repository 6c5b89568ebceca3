"""Entry points of the 年度报表's background work (django-q2 schedules, public schema)."""

from __future__ import annotations

from tenants.context import public_schema


def send_reminders() -> int:
    """The daily schedule: last year's report, every unit, until it is published (deadline 31 January)."""
    from .services import send_reminders as remind

    with public_schema():
        return remind()
