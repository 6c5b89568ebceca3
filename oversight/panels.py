"""Dashboard panel of the unit admin: the latest score and what to fix."""

from __future__ import annotations

from django.urls import reverse
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
                        "kind": deduction.get("kind", ""),
                    }
                )
        # The broken links the unit's list shows now (the snapshot may predate the last link check):
        # the panel never says 暂无需要处理的问题 while the list has links to fix.
        if row.broken_links and not any(item.get("kind") == "broken_links" for item in todo):
            todo.append(
                {
                    "points": min(row.broken_links * selectors.WEIGHTS.broken_link, selectors.WEIGHTS.broken_links_cap),
                    "reason": f"存在 {row.broken_links} 个无法打开的链接（下次评分计入）",
                    "column_id": None,
                    "edit_url": "",
                    "confirmable": False,
                    "kind": "broken_links",
                }
            )
        for item in todo:
            if item.get("kind") == "broken_links":
                item["links_url"] = reverse("oversight:unit_broken_links")
        context.update(row=row, snapshot=snapshot, todo=todo)
        return context
