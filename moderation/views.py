"""Admin views of 审核发布. Reads come from selectors, writes go through services."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from govplatform.exports import escape_formula
from sitepages.publishing import problems_for

from . import selectors, services
from .forms import AuditExportForm, ConfirmationTargetsForm, DecisionForm, PageOverrideForm

# --- publish guard (called from the before_publish_page hook) ----------------


def publish_guard(request, page):
    """Turn a publish the platform's checks would refuse into a Chinese error message.

    Wagtail's edit view publishes through PublishPageRevisionAction directly, not
    through Page.publish, so without this hook the checks would not even run there.
    The revision is already saved as a draft at this point: nothing typed is lost.
    """
    revision = page.get_latest_revision()
    obj = revision.as_object() if revision is not None else page
    problems = problems_for(page=obj, revision=revision, user=request.user)
    if not problems:
        return None
    items = format_html_join("", "<li>{}：{}</li>", ((p.field, p.message) for p in problems))
    link = ""
    if any(p.field == "保密审查" for p in problems):
        link = format_html('<a href="{}">查看保密审查详情</a>', reverse("moderation:page_secrecy", args=[page.pk]))
    messages.error(request, format_html("页面《{}》未发布（已保存为草稿）：<ul>{}</ul>{}", obj.title, items, link))
    return redirect("wagtailadmin_pages:edit", page.pk)


# --- base -------------------------------------------------------------------


class AdminView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "tasks"
    unit_only = True
    public_only = False

    def dispatch(self, request, *args, **kwargs):
        public = selectors.in_public_schema()
        if (self.unit_only and public) or (self.public_only and not public):
            raise Http404
        self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self, user) -> None:
        return None


def _require(condition: bool, message: str = "您没有执行此操作的权限") -> None:
    if not condition:
        raise PermissionDenied(message)


# --- 待我处理 ----------------------------------------------------------------


class MyTasksView(AdminView):
    page_title = "待我处理"
    template_name = "moderation/my_tasks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(my_tasks_context(self.request.user))
        return context


def my_tasks_context(user) -> dict:
    unit = selectors.current_unit()
    task_states = selectors.task_states_for_user(user=user)
    rows = []
    for state in task_states:
        page = state.workflow_state.content_object
        rows.append({"state": state, "page": page, "url": reverse("wagtailadmin_pages:edit", args=[page.pk])})
    requests = []
    if unit is not None and selectors.user_can_decide_confirmations(user=user):
        requests = selectors.incoming_requests(unit_code=unit.code, pending_only=True)
    return {"task_rows": rows, "confirmation_requests": requests}


# --- secrecy review -----------------------------------------------------------


class PageSecrecyView(AdminView):
    page_title = "保密审查"
    template_name = "moderation/page_secrecy.html"
    header_icon = "warning"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"]).specific

    def check_permission(self, user) -> None:
        _require(self.page.permissions_for_user(user).can_edit() or selectors.user_can_review(user=user))

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revision = self.page.get_latest_revision()
        obj = revision.as_object() if revision else self.page
        inspection = selectors.inspect_page(obj)
        context.update(
            page=self.page,
            revision=revision,
            inspection=inspection,
            overridden=selectors.override_exists(
                page_id=self.page.pk, revision_id=getattr(revision, "pk", None), content_hash=inspection.content_hash
            ),
            overrides=selectors.overrides_for_page(page_id=self.page.pk)[:20],
            can_override=selectors.user_can_override_secrecy(user=self.request.user),
            form=kwargs.get("form") or PageOverrideForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        _require(selectors.user_can_override_secrecy(user=request.user), "只有具备放行权限的审核员可以人工放行")
        form = PageOverrideForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.override_page_secrecy(page=self.page, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"已记录对《{self.page.title}》的人工放行")
        return redirect("moderation:page_secrecy", self.page.pk)


# --- cross-unit confirmation ------------------------------------------------


class PageTargetsView(AdminView):
    page_title = "会签单位"
    template_name = "moderation/page_targets.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"]).specific

    def check_permission(self, user) -> None:
        _require(self.page.permissions_for_user(user).can_edit())

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def _units(self):
        unit = selectors.current_unit()
        return selectors.other_units(exclude_code=unit.code if unit else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = selectors.current_unit()
        targets = selectors.confirmation_targets(page_id=self.page.pk)
        days = selectors.confirmation_working_days(page_id=self.page.pk)
        form = kwargs.get("form") or ConfirmationTargetsForm(units=self._units(), initial={"units": targets, "working_days": days})
        latest = selectors.latest_requests(source_schema=unit.schema_name, page_id=self.page.pk)
        names = selectors.unit_names(targets)
        context.update(
            page=self.page,
            form=form,
            rows=[{"code": code, "name": names.get(code, code), "request": latest.get(code)} for code in targets],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ConfirmationTargetsForm(request.POST, units=self._units())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.set_confirmation_targets(
                page=self.page,
                unit_codes=form.cleaned_data["units"],
                user=request.user,
                working_days=form.cleaned_data["working_days"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("moderation:page_targets", self.page.pk)
        if request.POST.get("send"):
            revision = self.page.get_latest_revision()
            created = services.send_confirmation_requests(page=self.page, revision=revision, user=request.user)
            messages.success(request, f"已发出 {len(created)} 份会签请求" if created else "会签单位已保存，无需重新发出请求")
        else:
            messages.success(request, "会签单位已保存；提交审核时将自动发出会签请求")
        return redirect("moderation:page_targets", self.page.pk)


class ConfirmationListView(AdminView):
    page_title = "会签请求"
    template_name = "moderation/confirmation_list.html"
    header_icon = "group"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = selectors.current_unit()
        incoming = selectors.incoming_requests(unit_code=unit.code)
        outgoing = selectors.outgoing_requests(source_schema=unit.schema_name)
        names = selectors.unit_names({r.target_unit_code for r in outgoing})
        for request in outgoing:
            request.target_unit_name = names.get(request.target_unit_code, request.target_unit_code)
        context.update(incoming=incoming, outgoing=outgoing)
        return context


class ConfirmationDetailView(AdminView):
    page_title = "会签请求"
    template_name = "moderation/confirmation_detail.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.confirmation = selectors.get_request(request_id=kwargs["request_id"])

    def check_permission(self, user) -> None:
        unit = selectors.current_unit()
        request = self.confirmation
        if request is None or unit is None:
            raise Http404
        # A request is visible only to the two units it connects.
        if request.target_unit_code == unit.code:
            self.side = "target"
        elif request.source_schema == unit.schema_name:
            self.side = "source"
        else:
            raise Http404

    def get_page_subtitle(self):
        return self.confirmation.page_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pending = self.confirmation.status == "pending"
        context.update(
            confirmation=self.confirmation,
            side=self.side,
            can_decide=self.side == "target" and pending and selectors.user_can_decide_confirmations(user=user),
            can_withdraw=self.side == "source" and pending,
            form=kwargs.get("form") or DecisionForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        withdraw = bool(request.POST.get("withdraw"))
        if withdraw:
            _require(self.side == "source")
        else:
            _require(self.side == "target" and selectors.user_can_decide_confirmations(user=request.user))
        try:
            if withdraw:
                services.withdraw_confirmation(request_id=self.confirmation.pk, user=request.user)
                messages.success(request, "会签请求已撤回")
                return redirect("moderation:confirmations")
            form = DecisionForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            confirmed = form.cleaned_data["decision"] == "confirm"
            services.decide_confirmation(
                request_id=self.confirmation.pk, user=request.user, confirmed=confirmed, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("moderation:confirmation_detail", self.confirmation.pk)
        except PermissionDenied as exc:
            # The services' own refusals (e.g. the author answering for the other unit) say why.
            messages.error(request, str(exc) or "您没有执行此操作的权限")
            return redirect("moderation:confirmation_detail", self.confirmation.pk)
        messages.success(request, "已确认" if confirmed else "已提出异议")
        return redirect("moderation:confirmations")


# --- duties -----------------------------------------------------------------


class DutyOverviewView(AdminView):
    """The information centre's view of every unit's duty holders (public schema)."""

    page_title = "各单位履职情况"
    template_name = "moderation/duty_overview.html"
    header_icon = "group"
    unit_only = False
    public_only = True

    def check_permission(self, user) -> None:
        _require(user.is_superuser)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = selectors.all_duty_statuses()
        context.update(statuses=statuses, flagged=[s for s in statuses if not s.ok])
        return context


# --- audit export -------------------------------------------------------------


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
    from openpyxl import Workbook

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
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class AuditExportView(AdminView):
    page_title = "审计日志导出"
    template_name = "moderation/audit_export.html"
    header_icon = "download"

    def check_permission(self, user) -> None:
        _require(selectors.user_is_unit_admin(user=user))

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
        unit = selectors.current_unit()
        return selectors.audit_rows(unit_name=unit.name, start=start, end=end)

    def filename(self, *, start, end) -> str:
        return f"audit-{selectors.current_unit().code}-{start:%Y%m%d}-{end:%Y%m%d}"


class PlatformAuditExportView(AuditExportView):
    page_title = "全平台审计日志导出"
    unit_only = False
    public_only = True

    def check_permission(self, user) -> None:
        _require(user.is_superuser)

    def rows(self, *, start, end) -> list[list[str]]:
        return selectors.platform_audit_rows(start=start, end=end)

    def filename(self, *, start, end) -> str:
        return f"audit-all-{start:%Y%m%d}-{end:%Y%m%d}-{timezone.localdate():%Y%m%d}"
