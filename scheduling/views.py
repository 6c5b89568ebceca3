"""The information centre's list of scheduled publishing runs (public schema, superusers)."""

from __future__ import annotations

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin

from . import selectors


class RunListView(InformationCentreMixin, AdminPageView):
    page_title = "定时发布记录"
    header_icon = "time"
    template_name = "scheduling/runs.html"
    centre_only_message = "您没有查看定时发布记录的权限"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show_idle = self.request.GET.get("idle") == "1"
        context.update(
            runs=selectors.recent_runs(include_idle=show_idle), show_idle=show_idle, latest=selectors.latest_run_per_unit()
        )
        return context
