"""The information centre's view of the portal outbox: backlog, parked entries and 重试."""

from __future__ import annotations

from django.shortcuts import redirect
from django.views import View
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import require_information_centre

from . import selectors, services


def _check_centre(request) -> None:
    require_information_centre(request, "您没有管理门户索引的权限")


class OutboxView(AdminPageView):
    page_title = "门户索引待办"
    header_icon = "search"
    template_name = "portalsearch/outbox.html"

    def dispatch(self, request, *args, **kwargs):
        _check_centre(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            summary=selectors.outbox_summary(),
            parked=selectors.parked_outbox_rows(),
            failing=selectors.failing_outbox_rows(),
            truncated=selectors.truncated_documents(),
            max_attempts=services.max_attempts(),
        )
        return context


class RetryView(View):
    """POST 重试: one parked entry (`entry_id`) or all of them."""

    def post(self, request, entry_id: int | None = None):
        _check_centre(request)
        count = services.retry_parked(entry_ids=None if entry_id is None else [entry_id])
        if count:
            messages.success(request, f"已重新排队 {count} 条索引待办，将在后台重新写入门户索引")
        else:
            messages.warning(request, "没有可重试的已搁置待办")
        return redirect("portal_index:outbox")
