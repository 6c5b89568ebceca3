"""Admin views of 网站监测. Reads come from selectors, writes go through services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin, require_information_centre
from tenants.context import current_unit

from . import selectors, services
from .freshness import SHANGHAI
from .models import CheckKind
from .reports import build_monthly_pdf, build_monthly_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PublicAdminView(InformationCentreMixin, AdminPageView):
    """The information centre's views: public schema, superusers only; the supervisor (监察) reads them."""

    supervisor_may_read = True

    header_icon = "view"
    centre_only_message = "您没有查看网站监测的权限"


def _unit_or_404(code: str):
    unit = selectors.site_unit(code)
    if unit is None:
        raise Http404("没有该单位的子站")
    return unit


def _year_months(count: int = 12) -> list[tuple[int, int]]:
    today = timezone.now().astimezone(SHANGHAI).date()
    year, month, result = today.year, today.month, []
    for _ in range(count):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


class OverviewView(PublicAdminView):
    page_title = "网站监测"
    template_name = "oversight/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        centre = selectors.centre_unit()
        context.update(
            rows=selectors.overview_rows(),
            months=_year_months(),
            weights=selectors.WEIGHTS,
            platform_links=list(selectors.broken_links_by_recency(unit=centre)) if centre is not None else [],
        )
        return context


class UnitDetailView(PublicAdminView):
    template_name = "oversight/unit_detail.html"

    @property
    def page_title(self) -> str:
        return f"网站监测：{self.unit.name}"

    def dispatch(self, request, *args, **kwargs):
        self.unit = _unit_or_404(kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row = selectors.unit_row(unit=self.unit)
        trend = selectors.weekly_scores(unit=self.unit)
        context.update(
            unit=self.unit,
            row=row,
            snapshot=row.snapshot,
            broken_links=selectors.broken_links_by_recency(unit=self.unit),
            trend=trend,
            bars=selectors.trend_svg_bars(trend, vetoed=selectors.vetoed_weeks(unit=self.unit)),
            runs=selectors.recent_runs(unit=self.unit),
            check_kinds=CheckKind.choices,
        )
        return context


class UnitBrokenLinksView(AdminPageView):
    """本站无法打开的链接: a unit's own broken links in its own admin, each with the pages it is on."""

    template_name = "oversight/unit_broken_links.html"
    page_title = "本站无法打开的链接"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.unit = current_unit()
        if self.unit is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(unit=self.unit, links=selectors.unit_broken_link_rows(unit=self.unit))
        return context


class MonthlyReportView(View):
    """GET ?year=2026&month=11&format=xlsx|pdf: the monthly report as a download."""

    def get(self, request):
        require_information_centre(request, "您没有下载报告的权限", supervisor_may_read=True)
        try:
            year, month = (int(part) for part in request.GET.get("period", "").split("-", 1))
        except ValueError as exc:
            raise Http404("年份或月份无效") from exc
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise Http404("年份或月份无效")
        fmt = request.GET.get("format", "xlsx")
        report = selectors.monthly_report(year=year, month=month)
        if fmt == "pdf":
            content, content_type = build_monthly_pdf(report), "application/pdf"
        elif fmt == "xlsx":
            content, content_type = build_monthly_xlsx(report), XLSX_TYPE
        else:
            raise Http404("不支持的格式")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="site-report-{year}-{month:02d}.{fmt}"'
        return response


class ConfirmColumnView(View):
    """POST from the unit dashboard: “已核查，内容准确” on a static column, then a fresh score."""

    def post(self, request, page_id: int):
        unit = current_unit()
        if unit is None:
            raise Http404
        try:
            services.confirm_column(unit=unit, page_id=page_id, user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("wagtailadmin_home")
        try:
            services.score_and_record(unit=unit)
        except services.CheckFailed as failed:
            messages.warning(request, f"已记录核查，但重新评分失败：{failed.run.detail}")
            return redirect("wagtailadmin_home")
        messages.success(request, "已记录核查：栏目内容准确，评分已更新")
        return redirect("wagtailadmin_home")


class RequestCheckView(View):
    """POST “立即检查”: the centre for any unit (`code`), a unit's staff for their own site."""

    def post(self, request, code: str | None = None):
        if code is not None:
            require_information_centre(request, "您没有发起检查的权限")
            unit = _unit_or_404(code)
            back = redirect("oversight:unit_detail", code)
        else:
            unit = current_unit()
            if unit is None:
                raise Http404
            back = redirect("wagtailadmin_home")
        kind = request.POST.get("kind", "")
        try:
            services.request_check(unit=unit, kind=kind)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return back
        messages.success(request, f"已发起{CheckKind(kind).label}，完成后结果将显示在此页面")
        return back
