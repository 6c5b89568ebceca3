"""Demo data of the visit counter (called by the demo app's seed_demo): plausible daily figures per site.

From 1 January of the previous year up to yesterday, for the portal and every unit's site, so that the
previous year's 年度报表 has a full year of visits. Weekdays are busier than weekends, the portal is
busier than any unit, and every figure is reproducible (the random numbers are seeded per site).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from tenants.context import public_schema
from tenants.models import TEMPLATE_CODE, Unit

from .models import DailyVisits

PORTAL_DAILY_VISITORS = 2400
UNIT_DAILY_VISITORS = (120, 420)


def _days(now: datetime) -> list[date]:
    today = timezone.localdate(now)
    first = date(today.year - 1, 1, 1)
    return [first + timedelta(days=offset) for offset in range((today - first).days)]


def _rows(unit: Unit, days: list[date], now: datetime) -> list[DailyVisits]:
    rng = random.Random(f"visits-demo:{unit.code}")
    base = PORTAL_DAILY_VISITORS if unit.is_portal else rng.randint(*UNIT_DAILY_VISITORS)
    rows = []
    for index, day in enumerate(days):
        weekday = day.weekday() < 5
        trend = 1.0 + 0.15 * index / max(len(days), 1)
        visitors = max(1, int(base * trend * (1.0 if weekday else 0.45) * rng.uniform(0.8, 1.2)))
        views = int(visitors * rng.uniform(2.2, 3.6))
        rows.append(DailyVisits(unit=unit, day=day, views=views, unique_visitors=visitors, rolled_up_at=now))
    return rows


def seed(*, now: datetime) -> int:
    """Daily visits of every site (the portal and each unit) from 1 January of last year to yesterday; returns the rows written."""
    days = _days(now)
    written = 0
    with public_schema():
        for unit in Unit.objects.exclude(code=TEMPLATE_CODE).order_by("sort_order", "id"):
            rows = _rows(unit, days, now)
            DailyVisits.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["unit", "day"],
                update_fields=["views", "unique_visitors", "rolled_up_at"],
            )
            written += len(rows)
    return written
