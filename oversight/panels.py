"""Dashboard panel of the unit admin: the latest score and what to fix."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from columns.types import ColumnKind

from . import selectors


class FreshnessPanel(Component):
    name = "oversight_freshness"
    order = 30
    template_name = "oversight/panels/freshness.html"

    def __init__(self, unit):
        self.unit = unit

    def get_context_data(self, parent_context=None):
        context = parent_context.flatten() if parent_context is not None else {}
        row = selectors.unit_row(unit=self.unit)
        snapshot = row.snapshot
        todo = []
        if snapshot is not None:
            verdicts = {v["column_id"]: v for v in snapshot.detail.get("verdicts", [])}
            for deduction in snapshot.deductions:
                verdict = verdicts.get(deduction["column_id"]) if deduction["column_id"] is not None else None
                todo.append(
                    {
                        "points": deduction["points"],
                        "reason": deduction["reason"],
                        "column_id": deduction["column_id"],
                        "edit_url": verdict["edit_url"] if verdict else "",
                        "confirmable": bool(verdict and verdict["kind"] == ColumnKind.STATIC),
                    }
                )
        context.update(row=row, snapshot=snapshot, todo=todo)
        return context
