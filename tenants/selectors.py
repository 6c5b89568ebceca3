"""Reads on the unit registry (public schema)."""

from __future__ import annotations

from .models import Unit


def directory_units():
    return Unit.objects.sites().exclude(unit_type="template").order_by("sort_order", "id")


def unit_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()
