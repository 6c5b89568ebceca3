"""Admin views of 互动交流 (unit admin and the information centre's). Reads from selectors, writes through services."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin
from tenants.context import current_unit, in_public_schema
from tenants.selectors import directory_units

from . import handoff, selectors, services
from .forms import (
    AcceptForm,
    AssignForm,
    ExtensionDecisionForm,
    ExtensionForm,
    FollowupReplyForm,
    HandoverForm,
    ImportForm,
    NationalCaseForm,
    PublishForm,
    RefuseForm,
    ReplyForm,
    ReturnForm,
    ReviewForm,
    WithholdForm,
)
from .models import Case, CaseAttachment, Handover, Source, Status


class CaseAdminView(AdminPageView):
    """Screens of the cases of the active schema: a unit's staff, or the centre's desk in the public schema."""

    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_view_cases(user=request.user):
            raise PermissionDenied("您没有处理留言的权限")
        return super().dispatch(request, *args, **kwargs)


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("period", "").split("-", 1))
    except ValueError:
        return today.year, today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return today.year, today.month
    return year, month


def year_months(count: int = 12) -> list[tuple[int, int]]:
    today = timezone.localdate()
    year, month, result = today.year, today.month, []
    for _ in range(count):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


class QueueView(CaseAdminView):
    template_name = "interaction/admin/queue.html"

    @property
    def page_title(self) -> str:
        return "我的留言待办" if self.mine else ("受理台：市长信箱 / 咨询投诉" if in_public_schema() else "全部留言")

    def dispatch(self, request, *args, **kwargs):
        self.mine = kwargs.pop("mine", False)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open" if not self.mine else "")
        context.update(
            rows=selectors.queue(user=self.request.user, mine=self.mine, status=status),
            status=status,
            statuses=Status.choices,
            mine=self.mine,
            desk=in_public_schema(),
        )
        return context


class CaseView(CaseAdminView):
    """The case with its full history, and the forms of the steps the user may take now."""

    template_name = "interaction/admin/case.html"

    def dispatch(self, request, *args, **kwargs):
        self.case = selectors.get_case(case_id=kwargs["case_id"])
        if self.case is None:
            raise Http404("留言不存在")
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"留言 {self.case.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.case
        can_dispatch = selectors.can_dispatch(user=user)
        can_handle = selectors.can_handle(user=user, case=case)
        can_review = selectors.can_review(user=user, case=case)
        review_role = selectors.in_roles_review(user=user)
        extension = selectors.pending_extension(case=case)
        units = [unit for unit in directory_units() if unit.schema_name != getattr(current_unit(), "schema_name", "public")]
        forms = {}
        if can_dispatch and case.status == Status.SUBMITTED:
            forms["accept"] = AcceptForm(initial={"kind": case.kind})
            forms["refuse"] = RefuseForm()
        if can_dispatch and case.status in (Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS) and not in_public_schema():
            forms["assign"] = AssignForm(handlers=selectors.handlers(), initial={"handler": case.handler_id})
        if can_dispatch and case.status in (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS):
            forms["transfer"] = HandoverForm(units=units)
            if not in_public_schema():
                forms["return"] = ReturnForm()
        if can_handle and case.status in (Status.ASSIGNED, Status.IN_PROGRESS):
            forms["reply"] = ReplyForm(initial={"reply": case.reply})
            if extension is None:
                forms["extension"] = ExtensionForm()
        if can_review and case.status == Status.REVIEW:
            forms["review"] = ReviewForm(initial={"decision": "publish" if case.agree_publish else "withhold"})
        if extension is not None and selectors.can_decide_extension(user=user) and extension.requested_by_id != user.pk:
            forms["extension_decision"] = ExtensionDecisionForm()
        if review_role and case.status in (Status.ANSWERED, Status.NOT_PUBLISHED, Status.PUBLISHED) and case.agree_publish:
            forms["publish"] = PublishForm(
                initial={
                    "public_subject": case.public_subject or case.subject,
                    "public_question": case.public_question or case.content,
                    "public_reply": case.public_reply or case.reply,
                    "faq": case.faq,
                }
            )
        if review_role and case.status in (Status.ANSWERED, Status.PUBLISHED):
            forms["withhold"] = WithholdForm()
        if (can_handle or review_role) and case.followup_at and not case.followup_replied_at:
            forms["followup_reply"] = FollowupReplyForm()
        context.update(
            case=case,
            forms=forms,
            history=selectors.history(case=case),
            extension=extension,
            extensions=case.extensions.all(),
            attachments=case.attachments.all(),
            days_left=selectors.working_days_left(case=case),
            urgency=selectors.urgency(selectors.working_days_left(case=case)) if case.is_open else "done",
            problem_edit_url=reverse("wagtailadmin_pages:edit", args=[case.problem_page_id]) if case.problem_page_id else "",
        )
        return context

    def post(self, request, case_id: int):
        action = request.POST.get("action", "")
        handler = getattr(self, f"_do_{action}", None)
        if handler is None:
            messages.error(request, "未知的操作")
            return redirect("interaction:case", case_id)
        try:
            message = handler(request)
        except (PermissionDenied, ValidationError) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text or "您没有执行此操作的权限")
            return redirect("interaction:case", case_id)
        if message:
            messages.success(request, message)
        return redirect("interaction:case", case_id)

    def _form(self, form_class, **kwargs):
        form = form_class(self.request.POST, **kwargs)
        if not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            raise ValidationError(errors or ["提交的内容不完整"])
        return form.cleaned_data

    def _do_accept(self, request):
        data = self._form(AcceptForm)
        services.accept_case(case_id=self.case.pk, user=request.user, kind=data["kind"])
        return "已受理"

    def _do_refuse(self, request):
        data = self._form(RefuseForm)
        services.refuse_case(case_id=self.case.pk, user=request.user, reason=data["reason"], note=data["note"])
        return "已决定不予受理"

    def _do_assign(self, request):
        data = self._form(AssignForm, handlers=selectors.handlers())
        services.assign_case(case_id=self.case.pk, user=request.user, handler_id=data["handler"].pk)
        return "已交办"

    def _do_start(self, request):
        services.start_case(case_id=self.case.pk, user=request.user)
        return "已开始办理"

    def _do_reply(self, request):
        data = self._form(ReplyForm)
        services.submit_reply(case_id=self.case.pk, user=request.user, reply=data["reply"])
        return "答复已提交审核"

    def _do_review(self, request):
        data = self._form(ReviewForm)
        decision = data["decision"]
        case = services.review_reply(
            case_id=self.case.pk,
            user=request.user,
            approve=decision != "reject",
            comment=data["comment"],
            publish=decision == "publish",
            not_public_reason=data["not_public_reason"],
        )
        if decision == "reject":
            return "已退回修改"
        problems = getattr(case, "publication_problems", [])
        if problems:
            messages.warning(request, "审核通过，答复已告知留言人；但" + "；".join(problems))
            return ""
        return "审核通过，答复已公开" if case.status == Status.PUBLISHED else "审核通过，答复不公开"

    def _do_publish(self, request):
        data = self._form(PublishForm)
        services.publish_case(
            case_id=self.case.pk,
            user=request.user,
            public_subject=data["public_subject"],
            public_question=data["public_question"],
            public_reply=data["public_reply"],
            faq=data["faq"],
        )
        return "答复已公开"

    def _do_withhold(self, request):
        data = self._form(WithholdForm)
        services.withhold_case(case_id=self.case.pk, user=request.user, reason=data["reason"])
        return "已决定不公开"

    def _do_extension(self, request):
        data = self._form(ExtensionForm)
        services.request_extension(case_id=self.case.pk, user=request.user, extra_days=data["extra_days"], reason=data["reason"])
        return "延期申请已提交分管领导审批"

    def _do_extension_decision(self, request):
        data = self._form(ExtensionDecisionForm)
        extension = selectors.pending_extension(case=self.case)
        if extension is None:
            raise ValidationError("没有待审批的延期申请")
        services.decide_extension(
            extension_id=extension.pk, user=request.user, approve=data["approve"] == "1", comment=data["comment"]
        )
        return "已审批延期申请"

    def _do_transfer(self, request):
        units = list(directory_units())
        data = self._form(HandoverForm, units=units)
        services.hand_over(case_id=self.case.pk, user=request.user, target_code=data["target"], reason=data["reason"])
        return "已转办"

    def _do_return(self, request):
        data = self._form(ReturnForm)
        services.hand_over(
            case_id=self.case.pk, user=request.user, target_code="desk", reason=data["reason"], type=Handover.Type.RETURN
        )
        return "已退回市信息中心受理台"

    def _do_followup_reply(self, request):
        data = self._form(FollowupReplyForm)
        services.reply_followup(case_id=self.case.pk, user=request.user, text=data["text"])
        return "追问已答复"


class AttachmentView(View):
    """A writer's attachment, to the unit's staff only (never through /media/)."""

    def get(self, request, case_id: int, attachment_id: int):
        if not selectors.can_view_cases(user=request.user):
            raise PermissionDenied("您没有查看留言附件的权限")
        attachment = get_object_or_404(CaseAttachment, pk=attachment_id, case_id=case_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("附件文件不存在") from exc
        return FileResponse(handle, as_attachment=True, filename=attachment.name)


# --- the information centre ------------------------------------------------------------------


class CentreView(InformationCentreMixin, AdminPageView):
    header_icon = "mail"
    # The supervisor (监察, 第四条) reads the interaction figures; its writes are refused.
    supervisor_may_read = True


class OverviewView(CentreView):
    """Every unit's figures for a month, the veto with its evidence, and the year's 找错 counts."""

    page_title = "互动交流：各单位办理情况"
    template_name = "interaction/admin/overview.html"

    def get_context_data(self, **kwargs):
        from .selectors_centre import all_unit_figures, correction_counts

        context = super().get_context_data(**kwargs)
        year, month = _month(self.request)
        rows = all_unit_figures(year=year, month=month)
        context.update(
            rows=rows,
            year=year,
            month=month,
            months=year_months(),
            correction=correction_counts(year=year),
            totals=_sum_totals(rows),
        )
        return context


def _sum_totals(rows):
    from .figures import KindFigures

    total = KindFigures()
    for row in rows:
        total.add(row.total)
    return total


class UnitFiguresView(CentreView):
    """Drill-down: one unit's figures by kind, month by month."""

    template_name = "interaction/admin/unit_figures.html"

    def dispatch(self, request, *args, **kwargs):
        from tenants.models import Unit

        self.unit = get_object_or_404(Unit.objects.sites(), code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"互动交流：{self.unit.name}"

    def get_context_data(self, **kwargs):
        from .selectors_centre import unit_months

        context = super().get_context_data(**kwargs)
        context.update(unit=self.unit, months=unit_months(unit=self.unit, months=year_months()))
        return context


class NationalCasesView(CentreView):
    """我为政府网站找错: cases from the national platform, entered or imported, and forwarded to the unit."""

    page_title = "我为政府网站找错"
    template_name = "interaction/admin/national.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        units = list(directory_units())
        context.update(
            form=kwargs.get("form") or NationalCaseForm(units=units),
            import_form=ImportForm(),
            cases=Case.objects.filter(source=Source.NATIONAL).order_by("-received_at")[:200],
            import_report=kwargs.get("import_report"),
        )
        return context

    def post(self, request):
        units = list(directory_units())
        if request.POST.get("action") == "import":
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, "请选择要导入的文件")
                return redirect("interaction:national")
            report = handoff.import_national(
                user=request.user, name=form.cleaned_data["file"].name, data=form.cleaned_data["file"].read()
            )
            if report.errors:
                messages.error(request, f"已转交 {report.created} 条；以下行未导入：" + "；".join(report.errors[:10]))
            else:
                messages.success(request, f"已导入并转交 {report.created} 条找错留言")
            return redirect("interaction:national")
        form = NationalCaseForm(request.POST, units=units)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        submitted = data["submitted_on"]
        try:
            case = services.register_national_case(
                user=request.user,
                target_code=data["target"],
                problem_url=data["problem_url"],
                content=data["content"],
                external_ref=data["external_ref"],
                submitted_at=timezone.make_aware(datetime.combine(submitted, datetime.min.time())) if submitted else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"已登记并转交{case.handed_to_name}（查询码 {case.number}）")
        return redirect("interaction:national")


# --- 12345 hand-off --------------------------------------------------------------------------------


class HotlineView(CaseAdminView):
    page_title = "12345 热线交换"
    template_name = "interaction/admin/hotline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=ImportForm(), report=kwargs.get("report"), columns=handoff.COLUMNS, outcomes=handoff.OUTCOME_LABELS)
        return context

    def post(self, request):
        if not selectors.can_dispatch(user=request.user):
            raise PermissionDenied("只有审核员、分管领导或单位管理员可以导入 12345 工单")
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择要导入的文件")
            return redirect("interaction:hotline")
        upload = form.cleaned_data["file"]
        report = handoff.import_hotline(user=request.user, name=upload.name, data=upload.read())
        return self.render_to_response(self.get_context_data(report=report))


class HotlineExportView(View):
    def get(self, request):
        if not selectors.can_dispatch(user=request.user):
            raise PermissionDenied("只有审核员、分管领导或单位管理员可以导出 12345 工单")
        fmt = request.GET.get("format", "csv")
        if fmt not in ("csv", "json"):
            raise Http404("不支持的格式")
        try:
            since = date.fromisoformat(request.GET["since"]) if request.GET.get("since") else None
        except ValueError as exc:
            raise Http404("日期格式应为 2026-01-31") from exc
        content, content_type = handoff.export_cases(fmt=fmt, since=since)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="hotline-12345-{timezone.localdate():%Y%m%d}.{fmt}"'
        return response
