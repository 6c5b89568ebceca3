"""Reads on the unit registry (public schema)."""

from __future__ import annotations

from .models import Unit


def directory_units():
    return Unit.objects.sites().exclude(unit_type="template").order_by("sort_order", "id")


def unit_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def unit_by_name(*, name: str) -> Unit | None:
    """The unit called `name` today, or the one that had (or has as an alias) that name."""
    unit = Unit.objects.sites().filter(name=name).first()
    if unit is not None:
        return unit
    return Unit.objects.sites().filter(aliases__name=name).first()
