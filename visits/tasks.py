"""Entry points of the visit counter's background work (django-q2 schedules, public schema)."""

from __future__ import annotations

from tenants.context import public_schema


def roll_up() -> int:
    """The schedule calls this in the public schema: collapse past days' visitor digests, delete them."""
    from .services import roll_up as collapse

    with public_schema():
        return collapse()
