"""Reads of the scheduled publishing records (public schema)."""

from __future__ import annotations

from django.db.models import Max

from tenants.selectors import directory_units

from .models import ScheduledPublishRun


def recent_runs(*, include_idle: bool = False, limit: int = 200) -> list[ScheduledPublishRun]:
    runs = ScheduledPublishRun.objects.select_related("unit")
    if not include_idle:
        runs = runs.filter(idle=False)
    return list(runs.order_by("-started_at", "-id")[:limit])


def latest_run_per_unit() -> list[tuple[object, object]]:
    """(unit, time of its latest run or None) for every unit: shows that the schedule is running."""
    latest = dict(ScheduledPublishRun.objects.values_list("unit_id").annotate(at=Max("started_at")).order_by())
    return [(unit, latest.get(unit.pk)) for unit in directory_units()]
