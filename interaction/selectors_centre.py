"""Reads of the information centre across units: each unit's figures, computed inside its own schema.

Only counts and 查询码 leave a unit's schema here, never a writer's personal data.
"""

from __future__ import annotations

from django.utils import timezone

from tenants.context import unit_schema
from tenants.selectors import directory_units

from . import selectors
from .figures import UnitInteractionFigures


def all_unit_figures(*, year: int, month: int, now=None) -> list[UnitInteractionFigures]:
    rows = []
    for unit in directory_units():
        with unit_schema(unit):
            rows.append(selectors.unit_figures(year=year, month=month, unit=unit, now=now))
    return rows


def unit_months(*, unit, months: list[tuple[int, int]]) -> list[UnitInteractionFigures]:
    with unit_schema(unit):
        return [selectors.unit_figures(year=year, month=month, unit=unit) for year, month in months]


def correction_counts(*, year: int) -> list[tuple[object, dict[str, int]]]:
    """找错 year-end counts per unit (监管年度报表)."""
    rows = []
    for unit in directory_units():
        with unit_schema(unit):
            rows.append((unit, selectors.correction_year_counts(year=year)))
    return rows


def unit_veto(*, unit, now=None) -> tuple[bool, tuple[str, ...]]:
    with unit_schema(unit):
        return selectors.veto_state(now=now or timezone.now())
