"""Dashboard panels of duties: the unit's duty holders, and the centre's list of units lacking one."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from .selectors import all_duty_statuses, duty_status


class DutyPanel(Component):
    name = "moderation_duties"
    order = 40
    template_name = "moderation/duties/panels/duties.html"

    def __init__(self, unit):
        self.unit = unit

    def get_context_data(self, parent_context=None):
        return {"status": duty_status(unit=self.unit)}


class DutyOverviewPanel(Component):
    """Information centre dashboard: units whose duty holders are incomplete."""

    name = "moderation_duty_overview"
    order = 40
    template_name = "moderation/duties/panels/duty_overview.html"

    def get_context_data(self, parent_context=None):
        return {"flagged": [s for s in all_duty_statuses() if not s.ok]}
