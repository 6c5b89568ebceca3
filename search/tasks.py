"""django-q2 tasks of the portal index; they run in the public schema."""

from __future__ import annotations

from tenants.context import public_schema

from . import services


def drain_outbox() -> str:
    # The minute schedule calls this without govplatform.tasking's schema wrapper.
    with public_schema():
        return str(services.drain_outbox())


def check_outbox_backlog() -> str:
    with public_schema():
        alert = services.check_outbox_backlog()
    return "无积压" if alert is None else f"积压：待处理 {alert.pending} 条，已搁置 {alert.parked} 条"
