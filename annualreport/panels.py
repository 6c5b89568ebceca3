"""Dashboard panel of the unit admin: last year's report until it is published (deadline 31 January)."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from . import selectors


class AnnualReportPanel(Component):
    name = "annualreport_reminder"
    order = 25
    template_name = "annualreport/panels/reminder.html"

    def __init__(self, *, unit, state, user):
        self.unit = unit
        self.state = state
        self.user = user

    def get_context_data(self, parent_context=None):
        report = self.state.report
        return {
            "state": self.state,
            "to_review": report is not None and report.status == "submitted" and selectors.can_review(user=self.user),
            "can_edit": selectors.can_edit(user=self.user),
        }
