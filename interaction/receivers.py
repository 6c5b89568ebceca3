"""Signal receivers: thin, they call services."""

from __future__ import annotations


def create_handler_group(sender, unit, created, **kwargs) -> None:
    """Runs in the new unit's schema: its 互动处理人 group."""
    from .services import ensure_handler_group

    ensure_handler_group()
