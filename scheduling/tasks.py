"""Entry points of django-q: thin wrappers around scheduling.services (public schema)."""

from __future__ import annotations

from tenants.context import public_schema

from . import services


def run_for_all_units() -> int:
    # The minute schedule calls this without govplatform.tasking's schema wrapper.
    with public_schema():
        return services.run_for_all_units()


def run_unit(*, unit_id: int) -> str:
    run = services.run_unit(unit_id=unit_id)
    blocked = f"，{len(run.blocked)} 个未能上线" if run.blocked else ""
    return f"{run.unit.code}: 上线 {run.published} 个，下线 {run.expired} 个{blocked}{'，出错' if run.error else ''}"
