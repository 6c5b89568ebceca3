"""Entry points of django-q: thin wrappers around oversight.services."""

from __future__ import annotations

from . import services


def run_for_all_units(kind: str) -> int:
    return services.run_for_all_units(kind=kind)


def run_unit_check(*, kind: str, unit_id: int) -> str:
    return services.run_unit_check(kind=kind, unit_id=unit_id)
