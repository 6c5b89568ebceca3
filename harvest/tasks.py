"""Entry points of django-q: thin wrappers around harvest.services."""

from __future__ import annotations

from django.utils import timezone

from . import services
from .models import RunTrigger


def run_due_sources() -> str:
    runs = services.run_due_sources(now=timezone.now())
    failed = sum(1 for run in runs if run.outcome == "failed")
    return f"抓取来源 {len(runs)} 个，失败 {failed} 个"


def run_source(*, source_id: int, trigger: str = RunTrigger.SCHEDULE) -> str:
    run = services.run_source(source_id=source_id, trigger=trigger)
    if run is None:
        return f"来源 {source_id} 已删除"
    return f"{run.source.name}：{run.get_outcome_display()} {run.error or run.detail}"
