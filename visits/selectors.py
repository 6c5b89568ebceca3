"""Reads of the visit counter (public schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import Coalesce

from tenants.context import public_schema

from .models import DailyVisits


@dataclass(frozen=True)
class VisitFigures:
    views: int
    # The sum of each day's unique visitors: a visitor cannot be followed from one day to the next
    # (the salt changes daily), so over several days this counts a returning visitor once per day.
    unique_visitors: int


def visits(*, unit, start: date, end: date) -> VisitFigures:
    """Views and unique visitors of `unit`'s site (the portal's for the portal unit), `start` to `end`, both days included."""
    with public_schema():
        row = DailyVisits.objects.filter(unit=unit, day__gte=start, day__lte=end).aggregate(
            views=Coalesce(Sum("views"), 0), unique_visitors=Coalesce(Sum("unique_visitors"), 0)
        )
    return VisitFigures(views=int(row["views"]), unique_visitors=int(row["unique_visitors"]))


def daily(*, unit, start: date, end: date) -> list[DailyVisits]:
    """The days of `unit`'s site with any view, `start` to `end` (both included), oldest first."""
    with public_schema():
        return list(DailyVisits.objects.filter(unit=unit, day__gte=start, day__lte=end).order_by("day"))
