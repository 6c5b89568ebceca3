"""Dashboard panels: a unit's 互动交流 figures and waiting cases; the centre's overview."""

from __future__ import annotations

from django.utils import timezone
from wagtail.admin.ui.components import Component

from . import selectors


class UnitInteractionPanel(Component):
    name = "interaction_unit"
    order = 35
    template_name = "interaction/panels/unit.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        figures = selectors.unit_figures(year=today.year, month=today.month)
        mine = selectors.queue(user=self.request.user, mine=True)
        return {"figures": figures, "total": figures.total, "mine": mine[:5], "mine_count": len(mine)}


class CentreInteractionPanel(Component):
    name = "interaction_centre"
    order = 45
    template_name = "interaction/panels/centre.html"

    def get_context_data(self, parent_context=None):
        from .selectors_centre import all_unit_figures

        today = timezone.localdate()
        rows = all_unit_figures(year=today.year, month=today.month)
        desk = selectors.queue(user=None, status="open")
        return {"rows": rows, "vetoed": [row for row in rows if row.vetoed], "desk_open": len(desk)}
