"""Duties screens: the information centre's overview of every unit, and the audit-log exports."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from govplatform.exports import escape_formula
from tenants.admin import is_supervisor
from tenants.context import current_unit

from ..base_views import AdminView, require
from ..permissions import user_is_unit_admin
from . import selectors
from .forms import AuditExportForm


class DutyOverviewView(AdminView):
    """The information centre's view of every unit's duty holders (public schema)."""

    page_title = "各单位履职情况"
    template_name = "moderation/duties/duty_overview.html"
    header_icon = "group"
    unit_only = False
    public_only = True

    def check_permission(self, user) -> None:
        require(user.is_superuser)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = selectors.all_duty_statuses()
        context.update(statuses=statuses, flagged=[s for s in statuses if not s.ok])
        return context


def _export_response(*, rows: list[list[str]], fmt: str, filename: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        # BOM so that Excel opens the Chinese text as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(selectors.AUDIT_HEADERS)
        writer.writerows([escape_formula(str(cell)) for cell in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "审计日志"
    sheet.append(selectors.AUDIT_HEADERS)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=escape_formula(str(value)))
            # openpyxl would store a string starting with "=" as a formula: these are texts.
            cell.data_type = "s"
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class AuditExportView(AdminView):
    page_title = "审计日志导出"
    template_name = "moderation/duties/audit_export.html"
    header_icon = "download"

    def check_permission(self, user) -> None:
        require(user_is_unit_admin(user=user))

    def get(self, request, *args, **kwargs):
        if "start" not in request.GET:
            return self.render_to_response(self.get_context_data(form=AuditExportForm(initial=AuditExportForm.defaults())))
        form = AuditExportForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = self.rows(start=start, end=end)
        return _export_response(rows=rows, fmt=form.cleaned_data["format"], filename=self.filename(start=start, end=end))

    def rows(self, *, start, end) -> list[list[str]]:
        unit = current_unit()
        return selectors.audit_rows(unit_name=unit.name, start=start, end=end)

    def filename(self, *, start, end) -> str:
        return f"audit-{current_unit().code}-{start:%Y%m%d}-{end:%Y%m%d}"


class PlatformAuditExportView(AuditExportView):
    page_title = "全平台审计日志导出"
    unit_only = False
    public_only = True

    def check_permission(self, user) -> None:
        # The supervisor (监察) reads the whole log, its own reads included.
        require(user.is_superuser or is_supervisor(user))

    def rows(self, *, start, end) -> list[list[str]]:
        return selectors.platform_audit_rows(start=start, end=end)

    def filename(self, *, start, end) -> str:
        return f"audit-all-{start:%Y%m%d}-{end:%Y%m%d}-{timezone.localdate():%Y%m%d}"
