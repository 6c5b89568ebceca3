"""Demo data of the 年度报表 (called by the demo app's seed_demo, after visits.demo.seed and the sample content):
last year's draft for every unit, pre-filled from the platform's data, as the 1 January reminder would create it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from . import services


def seed(*, now: datetime) -> int:
    """A draft of the previous year's report for every unit with a site (idempotent); returns how many were created."""
    return services.create_drafts(year=timezone.localdate(now).year - 1, now=now)
