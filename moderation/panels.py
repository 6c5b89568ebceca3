"""Dashboard panels of the unit admin."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from . import selectors


class MyTasksPanel(Component):
    name = "moderation_my_tasks"
    order = 50
    template_name = "moderation/panels/my_tasks.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        from .views import my_tasks_context

        return my_tasks_context(self.request.user)


class DutyPanel(Component):
    name = "moderation_duties"
    order = 40
    template_name = "moderation/panels/duties.html"

    def __init__(self, unit):
        self.unit = unit

    def get_context_data(self, parent_context=None):
        return {"status": selectors.duty_status(unit=self.unit)}


class DutyOverviewPanel(Component):
    """Information centre dashboard: units whose duty holders are incomplete."""

    name = "moderation_duty_overview"
    order = 40
    template_name = "moderation/panels/duty_overview.html"

    def get_context_data(self, parent_context=None):
        return {"flagged": [s for s in selectors.all_duty_statuses() if not s.ok]}
