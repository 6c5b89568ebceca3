"""Entry points of background work of 通报 (the schedule runs them in the public schema)."""

from __future__ import annotations

from tenants.context import public_schema


def propose_last_month() -> int:
    """Daily: the register of last month as proposed cases (idempotent); returns the cases created."""
    from .services import propose_last_month as propose

    with public_schema():
        return propose().created
