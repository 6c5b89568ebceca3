"""Admin views of 通报: the information centre's (cases, 通报), the leading group's approval, and the
unit's own screen of the cases about it. Reads come from selectors, writes go through services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import SUPERVISOR_READ_ONLY_MESSAGE, InformationCentreMixin, is_supervisor
from tenants.context import current_unit, in_public_schema, public_schema
from tenants.hosts import portal_base_url

from . import selectors, services
from .forms import AnswerForm, ApproveForm, BulletinForm, ConfirmForm, DismissForm, ProposeForm, ReturnForm
from .models import BulletinStatus, CaseStatus
from .pdf import build_bulletin_pdf

PORTAL_URLCONF = settings.PUBLIC_SCHEMA_URLCONF


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _month_choices(count: int = 12) -> list[tuple[int, int]]:
    today = timezone.localdate()
    year, month, result = today.year, today.month, []
    for _ in range(count):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- the information centre's cases -----------------------------------------------------------


class CentreCaseView(InformationCentreMixin, AdminPageView):
    """The register's cases: the centre decides them, the supervisor (监察) reads them."""

    supervisor_may_read = True
    centre_only_message = "您没有查看第十一条情形的权限"
    header_icon = "warning"


class CasesView(CentreCaseView):
    page_title = "第十一条情形"
    template_name = "bulletins/admin/cases.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", CaseStatus.PROPOSED)
        if status not in CaseStatus.values:
            status = ""
        year, month = services.previous_month()
        context.update(
            rows=selectors.cases(status=status),
            status=status,
            statuses=CaseStatus.choices,
            months=[(f"{y}-{m}", f"{y}年{m}月", (y, m) == (year, month)) for y, m in _month_choices()],
            can_manage=selectors.can_manage(self.request.user),
        )
        return context

    def post(self, request):
        form = ProposeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("bulletins:cases")
        year, month = form.cleaned_data["period"]
        try:
            result = services.propose_cases(year=year, month=month)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("bulletins:cases")
        messages.success(request, f"已按网站监测登记 {year}年{month}月的第十一条情形：{result.message}")
        return redirect("bulletins:cases")


class CaseView(CentreCaseView):
    template_name = "bulletins/admin/case.html"

    def dispatch(self, request, *args, **kwargs):
        self.case = selectors.get_case(case_id=kwargs["case_id"])
        if self.case is None:
            raise Http404("该情形不存在")
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"第十一条情形：{self.case.unit.name} {self.case.period_label}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        decidable = case.status == CaseStatus.PROPOSED and selectors.can_manage(self.request.user)
        context.update(
            case=case,
            events=selectors.case_events(case=case),
            confirm_form=kwargs.get("confirm_form") or (ConfirmForm() if decidable else None),
            dismiss_form=kwargs.get("dismiss_form") or (DismissForm() if decidable else None),
            window_open=selectors.answer_window_open(case=case),
        )
        return context

    def post(self, request, case_id: int):
        action = request.POST.get("action")
        if action == "confirm":
            form = ConfirmForm(request.POST)
            if form.is_valid():
                try:
                    services.confirm_case(
                        case_id=case_id,
                        user=request.user,
                        serious=form.cleaned_data["serious"],
                        judgement=form.cleaned_data["judgement"],
                        answer_working_days=form.cleaned_data["answer_working_days"],
                    )
                except ValidationError as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, "已确认该情形，并已通知单位在期限内答复")
                    return redirect("bulletins:case", case_id)
            return self.render_to_response(self.get_context_data(confirm_form=form, dismiss_form=DismissForm()))
        if action == "dismiss":
            form = DismissForm(request.POST)
            if form.is_valid():
                try:
                    services.dismiss_case(case_id=case_id, user=request.user, reason=form.cleaned_data["reason"])
                except ValidationError as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, "已不予认定该情形")
                    return redirect("bulletins:case", case_id)
            return self.render_to_response(self.get_context_data(confirm_form=ConfirmForm(), dismiss_form=form))
        messages.error(request, "未知的操作")
        return redirect("bulletins:case", case_id)


# --- 通报: the centre drafts, the leading group approves --------------------------------------------


class BulletinAccessMixin:
    """The 通报 screens: the information centre, the 政务公开领导小组 and the supervisor's reads."""

    def dispatch(self, request, *args, **kwargs):
        if not in_public_schema():
            raise Http404
        if not selectors.can_read_centre(request.user):
            raise PermissionDenied("您没有查看通报的权限")
        if request.method not in ("GET", "HEAD") and is_supervisor(request.user):
            raise PermissionDenied(SUPERVISOR_READ_ONLY_MESSAGE)
        return super().dispatch(request, *args, **kwargs)


class BulletinScreen(BulletinAccessMixin, AdminPageView):
    header_icon = "doc-full"


class BulletinsView(BulletinScreen):
    page_title = "通报"
    template_name = "bulletins/admin/bulletins.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            rows=selectors.bulletins(),
            can_manage=selectors.can_manage(self.request.user),
            leading_group=selectors.is_leading_group(self.request.user),
            year=today.year,
            quarter=selectors.quarter_of(today.month),
        )
        return context


def _period(request) -> tuple[int, int]:
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year)
    quarter = _int(request.GET.get("quarter"), selectors.quarter_of(today.month))
    if not (2000 <= year <= 2100) or not (1 <= quarter <= 4):
        raise Http404("年份或季度无效")
    return year, quarter


class BulletinNewView(BulletinScreen):
    template_name = "bulletins/admin/bulletin_form.html"
    page_title = "起草通报"

    def dispatch(self, request, *args, **kwargs):
        if in_public_schema() and not selectors.can_manage(request.user):
            raise PermissionDenied("仅市信息中心管理员可以起草通报")
        return super().dispatch(request, *args, **kwargs)

    def _choices(self, year: int, quarter: int):
        with public_schema():
            return list(selectors.eligible_cases(year=year, quarter=quarter))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, quarter = self.year, self.quarter
        choices = self._choices(year, quarter)
        form = kwargs.get("form") or BulletinForm(
            case_choices=choices,
            initial={
                "title": selectors.default_title(year=year, quarter=quarter),
                "cases": [str(case.pk) for case in choices],
                "body": (
                    f"根据《珠海市政府门户网站政务信息维护管理办法》（珠府办〔2007〕75号）第十一条，市信息中心对{year}年"
                    f"第{selectors.QUARTER_NAMES[quarter - 1]}季度各单位政府网站政务信息维护管理情况进行了监测核实，"
                    "现将造成严重影响的情形通报如下。请有关单位认真整改，并落实专人负责，切实做好政务信息维护管理工作。"
                ),
            },
        )
        context.update(
            form=form,
            year=year,
            quarter=quarter,
            quarters=[(q, f"第{selectors.QUARTER_NAMES[q - 1]}季度") for q in range(1, 5)],
            cases=choices,
            new=True,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.year, self.quarter = _period(request)
        return super().get(request, *args, **kwargs)

    def post(self, request):
        self.year, self.quarter = _period(request)
        choices = self._choices(self.year, self.quarter)
        form = BulletinForm(request.POST, case_choices=choices)
        if form.is_valid():
            try:
                bulletin = services.create_bulletin(
                    user=request.user,
                    year=self.year,
                    quarter=self.quarter,
                    title=form.cleaned_data["title"],
                    number=form.cleaned_data["number"],
                    body=form.cleaned_data["body"],
                    case_ids=[int(pk) for pk in form.cleaned_data["cases"]],
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, "已保存通报草稿")
                return redirect("bulletins:bulletin", bulletin.pk)
        return self.render_to_response(self.get_context_data(form=form))


class BulletinView(BulletinScreen):
    template_name = "bulletins/admin/bulletin.html"

    def dispatch(self, request, *args, **kwargs):
        self.bulletin = selectors.get_bulletin(bulletin_id=kwargs["bulletin_id"])
        if self.bulletin is None:
            raise Http404("该通报不存在")
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return self.bulletin.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bulletin, user = self.bulletin, self.request.user
        manage = selectors.can_manage(user)
        approve = selectors.can_approve(user=user, bulletin=bulletin)
        editable = manage and bulletin.is_editable
        choices = []
        if editable:
            with public_schema():
                choices = list(selectors.eligible_cases(year=bulletin.year, quarter=bulletin.quarter, bulletin=bulletin))
        cases = selectors.bulletin_cases(bulletin=bulletin)
        context.update(
            bulletin=bulletin,
            cases=cases,
            events=selectors.bulletin_events(bulletin=bulletin),
            edit_form=kwargs.get("edit_form")
            or (
                BulletinForm(
                    case_choices=choices,
                    initial={
                        "title": bulletin.title,
                        "number": bulletin.number,
                        "body": bulletin.body,
                        "cases": [str(case.pk) for case in cases],
                    },
                )
                if editable
                else None
            ),
            can_submit=editable,
            approve_form=kwargs.get("approve_form") or (ApproveForm() if approve else None),
            return_form=kwargs.get("return_form") or (ReturnForm() if approve else None),
            own_draft=bulletin.status == BulletinStatus.SUBMITTED
            and selectors.is_leading_group(user)
            and bulletin.drafted_by_id == user.pk,
            portal_url=reverse("bulletins_portal:detail", args=[bulletin.pk], urlconf=PORTAL_URLCONF)
            if bulletin.status == BulletinStatus.PUBLISHED
            else "",
        )
        return context

    def post(self, request, bulletin_id: int):
        action = request.POST.get("action")
        user = request.user
        try:
            if action == "edit":
                with public_schema():
                    choices = list(
                        selectors.eligible_cases(year=self.bulletin.year, quarter=self.bulletin.quarter, bulletin=self.bulletin)
                    )
                form = BulletinForm(request.POST, case_choices=choices)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(edit_form=form))
                services.update_bulletin(
                    bulletin_id=bulletin_id,
                    user=user,
                    title=form.cleaned_data["title"],
                    number=form.cleaned_data["number"],
                    body=form.cleaned_data["body"],
                    case_ids=[int(pk) for pk in form.cleaned_data["cases"]],
                )
                messages.success(request, "已保存修改")
            elif action == "submit":
                services.submit_bulletin(bulletin_id=bulletin_id, user=user)
                messages.success(request, "已提交市政务公开领导小组审批")
            elif action == "approve":
                form = ApproveForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(approve_form=form))
                services.approve_bulletin(bulletin_id=bulletin_id, user=user, comment=form.cleaned_data["comment"])
                messages.success(request, "已审批通过，通报已在门户网站发布")
            elif action == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(return_form=form))
                services.return_bulletin(bulletin_id=bulletin_id, user=user, reason=form.cleaned_data["reason"])
                messages.success(request, "已退回信息中心修改")
            else:
                messages.error(request, "未知的操作")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您没有进行此操作的权限")
        return redirect("bulletins:bulletin", bulletin_id)


class BulletinPreviewView(BulletinAccessMixin, AdminPageView):
    """The PDF of a draft as it would be published (the published file is served by the portal)."""

    def get(self, request, bulletin_id: int):
        bulletin = selectors.get_bulletin(bulletin_id=bulletin_id)
        if bulletin is None:
            raise Http404("该通报不存在")
        if bulletin.status == BulletinStatus.PUBLISHED and bulletin.pdf:
            content = bytes(bulletin.pdf)
        else:
            content = build_bulletin_pdf(
                services.document_of(bulletin=bulletin, published_on=timezone.localdate(), approved_by=bulletin.approved_by_name)
            )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="tongbao-{bulletin.pk}.pdf"'
        return response


# --- the unit's own screen ---------------------------------------------------------------------


class UnitScreen(AdminPageView):
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.unit = current_unit()
        if self.unit is None:
            raise Http404
        if not selectors.can_view_unit_cases(request.user):
            raise PermissionDenied("您没有查看本单位通报事项的权限")
        return super().dispatch(request, *args, **kwargs)


class UnitCasesView(UnitScreen):
    page_title = "通报事项"
    template_name = "bulletins/unit/cases.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = [
            {"case": case, "open": selectors.answer_window_open(case=case, now=now)}
            for case in selectors.unit_cases(unit=self.unit)
        ]
        bulletins = [
            (bulletin, portal_base_url() + reverse("bulletins_portal:detail", args=[bulletin.pk], urlconf=PORTAL_URLCONF))
            for bulletin in selectors.unit_bulletins(unit=self.unit)
        ]
        context.update(unit=self.unit, rows=rows, bulletins=bulletins)
        return context


class UnitCaseView(UnitScreen):
    template_name = "bulletins/unit/case.html"

    def dispatch(self, request, *args, **kwargs):
        unit = current_unit()
        self.case = selectors.unit_case(unit=unit, case_id=kwargs["case_id"]) if unit is not None else None
        if self.case is None:
            raise Http404("该情形不存在")
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self) -> str:
        return f"通报事项：{self.case.period_label} {self.case.clause}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        window = selectors.answer_window_open(case=self.case)
        may_answer = window and selectors.can_answer_for_unit(self.request.user)
        context.update(
            case=self.case,
            window_open=window,
            may_answer=may_answer,
            form=kwargs.get("form") or (AnswerForm() if may_answer else None),
        )
        return context

    def post(self, request, case_id: int):
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.answer_case(case_id=case_id, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您没有进行此操作的权限")
        else:
            messages.success(request, "已提交答复")
        return redirect("bulletins:unit_case", case_id)
