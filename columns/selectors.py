"""Reads on the responsibility table (public schema)."""

from __future__ import annotations

from .models import ColumnRequirement
from .table import RequirementRow


def current_rows() -> list[RequirementRow]:
    """The live table as the platform holds it, in the import's row format."""
    rows = []
    for requirement in (
        ColumnRequirement.objects.filter(retired_at__isnull=True)
        .select_related("unit")
        .order_by("unit__sort_order", "unit_id", "position")
    ):
        rows.append(
            RequirementRow(
                unit=requirement.unit.name,
                level1=requirement.level1,
                level2=requirement.level2,
                level3=requirement.level3,
                content=requirement.content,
                guarantee=requirement.guarantee,
                categories=tuple(requirement.categories),
                page_type=requirement.page_type,
                line=requirement.position + 1,
            )
        )
    return rows
