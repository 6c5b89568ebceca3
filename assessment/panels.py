"""Dashboard panel of a unit's admin: its running score of the year's assessment, before anyone publishes it."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from . import selectors


class UnitAssessmentPanel(Component):
    name = "assessment_running"
    order = 40
    template_name = "assessment/panels/unit.html"

    def __init__(self, unit):
        self.unit = unit

    def get_context_data(self, parent_context=None):
        context = parent_context.flatten() if parent_context is not None else {}
        context["assessment"] = selectors.current_for_unit(unit=self.unit)
        return context
