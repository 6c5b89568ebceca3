"""The centre's screens of 网上抓取. Reads come from selectors, writes go through services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin

from . import selectors, services
from .models import HarvestSource, ItemStatus
from .viewsets import section_viewset, source_viewset

REVIEW_PER_PAGE = 50
MAX_IDS = 500


class CentreView(InformationCentreMixin, AdminPageView):
    header_icon = "link-external"
    centre_only_message = "仅市信息中心管理员可以管理网上抓取"


def _source_or_404(pk: int) -> HarvestSource:
    source = HarvestSource.objects.select_related("section").filter(pk=pk).first()
    if source is None:
        raise Http404("没有该抓取来源")
    return source


class OverviewView(CentreView):
    page_title = "网上抓取"
    template_name = "harvest/admin/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=selectors.source_rows(),
            counts=selectors.status_counts(),
            add_url=reverse(source_viewset.get_url_name("add")),
            sections_url=reverse(section_viewset.get_url_name("index")),
        )
        return context


class SourceDetailView(CentreView):
    template_name = "harvest/admin/source_detail.html"

    @property
    def page_title(self) -> str:
        return f"抓取来源：{self.source.name}"

    def dispatch(self, request, *args, **kwargs):
        self.source = _source_or_404(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            source=self.source,
            row=selectors.source_row(source_id=self.source.pk),
            runs=selectors.recent_runs(source=self.source),
            items=selectors.recent_items(source=self.source),
            edit_url=reverse(source_viewset.get_url_name("edit"), args=[self.source.pk]),
        )
        return context


class RunNowView(InformationCentreMixin, View):
    """POST 立即抓取: a run of the source is queued; its record appears on the source's screen."""

    def post(self, request, pk: int):
        source = _source_or_404(pk)
        try:
            services.request_run(source=source)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已发起抓取「{source.name}」，完成后结果显示在本页")
        return redirect("harvest:source_detail", source.pk)


class ReviewView(CentreView):
    """待审核 (and the items shown or turned down, to withdraw or restore them)."""

    page_title = "抓取信息审核"
    template_name = "harvest/admin/review.html"

    def _status(self) -> str:
        status = self.request.GET.get("status", ItemStatus.PENDING)
        return status if status in ItemStatus.values else ItemStatus.PENDING

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self._status()
        page = Paginator(selectors.review_items(status=status), REVIEW_PER_PAGE).get_page(self.request.GET.get("page"))
        counts = selectors.status_counts()
        # 待审核 first: the queue is what this screen is for.
        order = [ItemStatus.PENDING, ItemStatus.SHOWN, ItemStatus.REJECTED]
        tabs = [(value, ItemStatus(value).label, counts[value]) for value in order]
        context.update(status=status, tabs=tabs, page_obj=page)
        return context

    def post(self, request):
        raw = request.POST.getlist("item")[:MAX_IDS]
        ids = [int(value) for value in raw if value.isascii() and value.isdigit()]
        status = request.POST.get("status", "")
        back = reverse("harvest:review") + (f"?status={status}" if status in ItemStatus.values else "")
        try:
            changed = services.decide_items(item_ids=ids, decision=request.POST.get("decision", ""), user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(back)
        verb = "显示" if request.POST.get("decision") == "approve" else "不予显示"
        messages.success(request, f"已将 {changed} 条信息设为{verb}")
        return redirect(back)
