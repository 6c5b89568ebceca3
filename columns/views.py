"""The information centre's screens for the responsibility table (public-schema admin only)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.generic import FormView, View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from tenants.admin import require_information_centre
from tenants.services import ProvisioningError

from .forms import ImportForm
from .selectors import current_rows
from .services import ImportRefused, import_requirements
from .table import TableFormatError, parse_csv, parse_text, parse_xlsx, rows_to_xlsx


def _require_information_centre(request) -> None:
    require_information_centre(request, "仅市信息中心管理员可以维护责任分解表")


def parse_upload(upload) -> list:
    data = upload.read()
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        return parse_xlsx(data)
    if name.endswith(".csv"):
        return parse_csv(data)
    return parse_text(data.decode("utf-8-sig"))


class ImportView(WagtailAdminTemplateMixin, FormView):
    page_title = "导入责任分解表"
    header_icon = "upload"
    template_name = "columns/import.html"
    form_class = ImportForm

    def dispatch(self, request, *args, **kwargs):
        _require_information_centre(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["table"]
        try:
            rows = parse_upload(upload)
            report = import_requirements(
                rows=rows, source_name=upload.name, dry_run=form.cleaned_data["dry_run"], user=self.request.user
            )
        except UnicodeDecodeError:
            form.add_error("table", "文本文件须为 UTF-8 编码（CSV 另支持 GB18030）")
            return self.form_invalid(form)
        except (TableFormatError, ImportRefused, ProvisioningError) as exc:
            form.add_error("table", f"{upload.name}：{exc}")
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=ImportForm(), report=report))


class DownloadView(View):
    def get(self, request):
        _require_information_centre(request)
        response = HttpResponse(
            rows_to_xlsx(current_rows()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="responsibilities.xlsx"'
        return response
