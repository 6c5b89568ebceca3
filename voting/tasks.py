"""Entry points of background work of the public vote (the django-q2 schedule runs them in the public schema)."""

from __future__ import annotations

from tenants.context import public_schema


def run_scheduled() -> dict[str, int]:
    """The schedule's callable: the daily snapshot and the anomaly checks of every period that still changes."""
    from .services import run_scheduled as run

    with public_schema():
        return run()
