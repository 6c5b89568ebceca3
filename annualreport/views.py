"""Admin screens of the 年度报表: the unit's own (fill in, refresh, submit, approve) and the information centre's overview."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin
from tenants.context import current_unit, in_public_schema
from tenants.selectors import unit_by_code

from . import selectors, services
from .forms import ReportForm, ReturnForm
from .models import ReportStatus


def _previous_year() -> int:
    return timezone.localdate().year - 1


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您没有执行此操作的权限"


class UnitReportAdminView(AdminPageView):
    """A screen of the unit's own admin, for the unit's staff."""

    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if in_public_schema():
            raise Http404("年度报表由各单位在本单位后台填报")
        if not selectors.can_read(user=request.user):
            raise PermissionDenied("您没有查看本单位年度报表的权限")
        self.unit = current_unit()
        return super().dispatch(request, *args, **kwargs)


class IndexView(UnitReportAdminView):
    template_name = "annualreport/admin/index.html"
    page_title = "政府网站工作年度报表"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = selectors.unit_reports(unit=self.unit)
        previous = _previous_year()
        context.update(
            reports=reports,
            previous_year=previous,
            can_create=selectors.can_edit(user=self.request.user) and all(r.year != previous for r in reports),
            reminder=selectors.reminder_state(unit=self.unit),
        )
        return context

    def post(self, request):
        if not selectors.can_edit(user=request.user):
            messages.error(request, "只有本单位的信息员或单位管理员可以生成年度报表")
            return redirect("annualreport:index")
        try:
            year = int(request.POST.get("year", ""))
            report, created = services.create_draft(unit=self.unit, year=year)
        except ValueError:
            messages.error(request, "请选择年度")
            return redirect("annualreport:index")
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
            return redirect("annualreport:index")
        messages.success(request, f"已生成{year}年度报表草稿，平台能统计的项目已预先填好" if created else "该年度报表已存在")
        return redirect("annualreport:report", report.year)


class ReportView(UnitReportAdminView):
    template_name = "annualreport/admin/report.html"

    def dispatch(self, request, *args, **kwargs):
        self.year = kwargs["year"]
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"{self.year}年度政府网站工作年度报表"

    def _report(self):
        return selectors.report(unit=self.unit, year=self.year)

    def get(self, request, *args, **kwargs):
        self.report = self._report()
        if self.report is None:
            messages.error(request, f"{self.year}年度报表尚未生成")
            return redirect("annualreport:index")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form=None, return_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user, report = self.request.user, self.report
        sections = selectors.sections(report=report)
        editable = selectors.can_edit(user=user) and report.status == ReportStatus.DRAFT
        if form is None and editable:
            form = ReportForm(rows=[view for section in sections for view in section.rows])
        reviewable = selectors.can_review(user=user) and report.status == ReportStatus.SUBMITTED
        form = form if editable else None
        table = [
            {
                "name": section.name,
                "rows": [
                    {"view": view, "field": form[view.field_name] if form is not None and view.row.manual else None}
                    for view in section.rows
                ],
            }
            for section in sections
        ]
        context.update(
            report=report,
            table=table,
            form=form,
            editable=editable,
            reviewable=reviewable,
            approval_refusal=selectors.approval_refusal(report=report, user=user) if reviewable else "",
            return_form=return_form or (ReturnForm() if reviewable else None),
            missing=selectors.missing_rows(report=report),
            events=selectors.events(report=report),
            deadline=selectors.deadline(report=report),
            public_url=selectors.site_url(unit=self.unit, year=report.year) if report.is_published else "",
        )
        return context

    def post(self, request, year: int):
        self.report = self._report()
        if self.report is None:
            messages.error(request, f"{year}年度报表尚未生成")
            return redirect("annualreport:index")
        action = request.POST.get("action", "")
        handler = getattr(self, f"_do_{action}", None)
        if handler is None:
            messages.error(request, "未知的操作")
            return redirect("annualreport:report", year)
        try:
            return handler(request)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _refusal_text(exc))
            return redirect("annualreport:report", year)

    def _form_or_errors(self, request):
        """The posted form, saved; or the page again with the errors (HTTP 400)."""
        sections = selectors.sections(report=self.report)
        form = ReportForm(request.POST, rows=[view for section in sections for view in section.rows])
        if form.is_valid():
            try:
                return form, services.save_entries(report_id=self.report.pk, user=request.user, values=form.values())
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise  # not about a value: the report cannot be changed now (a message, post() shows it)
                form.add_service_errors(exc)
        messages.error(request, "填写的内容有误，请按提示修改后再保存")
        return form, None

    def _do_save(self, request):
        form, changed = self._form_or_errors(request)
        if changed is None:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"已保存 {changed} 项" if changed else "没有修改任何项目")
        return redirect("annualreport:report", self.year)

    def _do_submit(self, request):
        form, changed = self._form_or_errors(request)
        if changed is None:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.submit(report_id=self.report.pk, user=request.user)
        messages.success(request, "已提交审核，本单位审核员审核通过后即在本站发布")
        return redirect("annualreport:report", self.year)

    def _do_refresh(self, request):
        changed = services.refresh_computed(report_id=self.report.pk, user=request.user)
        messages.success(request, f"已按平台最新数据刷新，{changed} 项有变化" if changed else "已刷新，平台统计数据没有变化")
        return redirect("annualreport:report", self.year)

    def _do_approve(self, request):
        services.approve(report_id=self.report.pk, user=request.user)
        messages.success(request, "审核通过，年度报表已在本站发布，并列入门户网站的年度报表公开")
        return redirect("annualreport:report", self.year)

    def _do_return(self, request):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        services.return_report(report_id=self.report.pk, user=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, "已退回修改")
        return redirect("annualreport:report", self.year)


# --- the information centre ---------------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return _previous_year()
    return year if 2000 <= year <= timezone.localdate().year else _previous_year()


class OverviewView(InformationCentreMixin, AdminPageView):
    """Every unit's report of one year: status, what is missing, published or not (the centre, and the supervisor's reads)."""

    supervisor_may_read = True
    template_name = "annualreport/admin/overview.html"
    page_title = "各单位政府网站工作年度报表"
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.request)
        rows = selectors.overview(year=year)
        context.update(
            year=year,
            rows=rows,
            years=list(range(timezone.localdate().year, 2016, -1)),
            published=sum(1 for row in rows if row.report is not None and row.report.is_published),
            can_create=self.request.user.is_superuser,
            templates=selectors.templates(),
        )
        return context

    def post(self, request):
        try:
            year = int(request.POST.get("year", ""))
            created = services.create_drafts(year=year)
        except ValueError:
            messages.error(request, "请选择年度")
            return redirect("annualreport:overview")
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
            return redirect("annualreport:overview")
        messages.success(request, f"已为 {created} 个单位生成{year}年度报表草稿" if created else "各单位的该年度报表均已存在")
        return redirect(f"{reverse('annualreport:overview')}?year={year}")


class CentreReportView(InformationCentreMixin, AdminPageView):
    """One unit's report, read only."""

    supervisor_may_read = True
    template_name = "annualreport/admin/centre_report.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.year = kwargs["year"]
        self.code = kwargs["code"]
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"{self.unit.name}{self.year}年度政府网站工作年度报表"

    def get(self, request, *args, **kwargs):
        self.unit = unit_by_code(code=self.code)
        self.report = selectors.report(unit=self.unit, year=self.year) if self.unit is not None else None
        if self.report is None:
            raise Http404("该单位的这一年度报表不存在")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            report=self.report,
            unit=self.unit,
            sections=selectors.sections(report=self.report),
            events=selectors.events(report=self.report),
            deadline=selectors.deadline(report=self.report),
            public_url=selectors.site_url(unit=self.unit, year=self.year) if self.report.is_published else "",
        )
        return context
