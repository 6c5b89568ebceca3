"""Entry points of django-q: thin wrappers around assessment.services (run in the public schema)."""

from __future__ import annotations

from . import services


def refresh_nightly() -> str:
    """Every night: the computed indicators of every running assessment, from the year's platform data."""
    results = services.refresh_all()
    return "；".join(f"{year}年度：{r.units} 个单位，{r.changed} 项变化" for year, r in results.items()) or "无进行中的考评"
