"""The information centre's list of scheduled publishing runs (public schema, superusers)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from moderation.selectors import in_public_schema

from . import selectors


class RunListView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "定时发布记录"
    header_icon = "time"
    template_name = "scheduling/runs.html"

    def dispatch(self, request, *args, **kwargs):
        if not in_public_schema():
            raise Http404
        if not request.user.is_superuser:
            raise PermissionDenied("您没有查看定时发布记录的权限")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show_idle = self.request.GET.get("idle") == "1"
        context.update(
            runs=selectors.recent_runs(include_idle=show_idle), show_idle=show_idle, latest=selectors.latest_run_per_unit()
        )
        return context
