"""Admin views of the yearly assessment. Reads come from selectors, writes go through services.

Centre screens (public schema): the information centre runs the year, 考评专家 score and answer
复核 requests, the 政务公开领导小组 approves, the supervisor (监察) reads. Unit screens (the unit's
own admin): the running score with its reasons, 自评 with evidence, one 复核 request per item.
"""

from __future__ import annotations

import mimetypes

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import SUPERVISOR_READ_ONLY_MESSAGE, is_information_centre, is_supervisor
from tenants.context import current_unit, in_public_schema, public_schema

from . import selectors, services
from .forms import AnswerForm, ApprovalForm, ContestForm, CreateSchemeForm, ExpertScoreForm, SelfAssessmentForm
from .models import IndicatorKind, Stage
from .reports import build_results_pdf
from .viewsets import class_viewset, defect_viewset, indicator_viewset, scheme_viewset

READ_REFUSED = "您没有查看年度考评的权限"


def _require_centre_reader(request) -> None:
    if not in_public_schema():
        raise Http404
    if not selectors.may_read_centre(request.user):
        raise PermissionDenied(READ_REFUSED)
    if is_supervisor(request.user) and request.method not in ("GET", "HEAD"):
        raise PermissionDenied(SUPERVISOR_READ_ONLY_MESSAGE)


class CentreView(AdminPageView):
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        return super().dispatch(request, *args, **kwargs)


def _round_or_404(round_id: int):
    round_ = selectors.round_of(round_id=round_id)
    if round_ is None:
        raise Http404("没有该考评")
    return round_


def _back(request, fallback: str):
    return redirect(request.POST.get("next") or fallback)


class IndexView(CentreView):
    page_title = "年度考评"
    template_name = "assessment/admin/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schemes = selectors.schemes()
        for scheme in schemes:
            # What keeps a scheme without a round from being started (shown beside it).
            scheme.problems = [] if getattr(scheme, "round", None) else services.scheme_problems(scheme)
        context.update(
            schemes=schemes,
            form=CreateSchemeForm(initial={"year": selectors.today().year + 1, "preset": "city"}),
            can_run=is_information_centre(self.request.user),
            links=[
                (scheme_viewset.menu_label, reverse(scheme_viewset.get_url_name("index"))),
                (indicator_viewset.menu_label, reverse(indicator_viewset.get_url_name("index"))),
                (class_viewset.menu_label, reverse(class_viewset.get_url_name("index"))),
                (defect_viewset.menu_label, reverse(defect_viewset.get_url_name("index"))),
            ],
        )
        return context


class CreateSchemeView(View):
    def post(self, request):
        _require_centre_reader(request)
        if not is_information_centre(request.user):
            raise PermissionDenied("只有市信息中心可以建立考评方案")
        form = CreateSchemeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("assessment:index")
        try:
            scheme = services.create_scheme_from_preset(year=form.cleaned_data["year"], preset=form.cleaned_data["preset"])
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
            return redirect("assessment:index")
        messages.success(request, f"已建立「{scheme}」；年度开始前可修改指标、单位类别和缺陷库")
        return redirect("assessment:index")


class OpenRoundView(View):
    def post(self, request, scheme_id: int):
        _require_centre_reader(request)
        if not is_information_centre(request.user):
            raise PermissionDenied("只有市信息中心可以开始考评")
        scheme = next((s for s in selectors.schemes() if s.pk == scheme_id), None)
        if scheme is None:
            raise Http404("没有该考评方案")
        try:
            round_ = services.open_round(scheme=scheme)
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
            return redirect("assessment:index")
        messages.success(request, f"已开始{scheme.year}年度考评，平台数据指标每天自动重新计算")
        return redirect("assessment:round", round_id=round_.pk)


class RoundView(CentreView):
    template_name = "assessment/admin/round.html"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        self.round = _round_or_404(kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.round.scheme.year}年度考评"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.round_rows(self.round)
        classes: dict[str, list] = {}
        for row in rows:
            classes.setdefault(row.unit_class.name, []).append(row)
        user = self.request.user
        context.update(
            round=self.round,
            scheme=self.round.scheme,
            classes=classes,
            pending=selectors.pending_counts(self.round),
            contests=selectors.contests(self.round),
            can_run=is_information_centre(user),
            is_expert=selectors.is_expert(user),
            is_leading_group=selectors.is_leading_group(user),
            stages=list(Stage),
        )
        return context


class RoundActionView(View):
    """POST: 重新计算 / 推进阶段 / 确定最终得分 / 公布 (the information centre)."""

    def post(self, request, round_id: int, action: str):
        _require_centre_reader(request)
        round_ = _round_or_404(round_id)
        user = request.user
        try:
            if action == "refresh":
                if not is_information_centre(user):
                    raise services.AssessmentError("只有市信息中心可以重新计算")
                result = services.refresh_computed_scores(scheme_id=round_.scheme_id)
                messages.success(request, f"已重新计算 {result.units} 个单位的平台数据指标，{result.changed} 项有变化")
            elif action == "advance":
                round_ = services.advance_round(round_=round_, user=user)
                messages.success(request, f"已进入“{round_.get_stage_display()}”阶段")
            elif action == "finalize":
                services.finalize_round(round_=round_, user=user)
                messages.success(request, "已确定最终得分、等次和排名，提交政务公开领导小组审定")
            elif action == "publish":
                services.publish_round(round_=round_, user=user)
                messages.success(request, "考评结果已在门户网站公布")
            else:
                raise Http404
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
        return redirect("assessment:round", round_id=round_id)


class UnitDetailView(CentreView):
    """One unit's breakdown; in 专家评分 an expert scores its entered and self-assessed items here."""

    template_name = "assessment/admin/unit.html"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        self.round = _round_or_404(kwargs["round_id"])
        self.assessment = selectors.unit_assessment(round_=self.round, code=kwargs["code"])
        if self.assessment is None:
            raise Http404("该单位不在本年度考评中")
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.round.scheme.year}年度考评：{self.assessment.unit.name}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = selectors.running_view(self.assessment)
        scoring = self.round.stage == Stage.EXPERT and selectors.is_expert(self.request.user)
        forms = {}
        if scoring:
            for score in view.scores.values():
                if score.indicator.kind == IndicatorKind.COMPUTED:
                    continue
                defects = selectors.defects_for(score.indicator)
                initial = {
                    "points": score.expert_points if score.expert_points is not None else score.self_points,
                    "reason": score.expert_reason,
                }
                for item in score.expert_defects or []:
                    initial[f"defect_{item['code']}"] = item.get("count", 1)
                forms[score.pk] = ExpertScoreForm(defects=defects, initial=initial, prefix=f"s{score.pk}")
        context.update(
            round=self.round,
            assessment=self.assessment,
            rows=view.rows,
            scores=view.scores,
            forms=forms,
            scoring=scoring,
            changes=selectors.changes(assessment=self.assessment, limit=100),
        )
        return context


class ExpertScoreView(View):
    def post(self, request, score_id: int):
        _require_centre_reader(request)
        score = selectors.score_by_id(score_id=score_id)
        if score is None:
            raise Http404
        form = ExpertScoreForm(request.POST, defects=selectors.defects_for(score.indicator), prefix=f"s{score.pk}")
        target = reverse("assessment:unit", args=[score.assessment.round_id, score.assessment.unit.code])
        if not form.is_valid():
            messages.error(request, "评分内容有误：" + "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(target)
        try:
            services.enter_expert_score(
                score_id=score.pk,
                user=request.user,
                defects=form.chosen(),
                points=form.cleaned_data.get("points"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.AssessmentError as exc:
            messages.error(request, f"{score.indicator}：{exc}")
            return redirect(target)
        messages.success(request, f"已保存「{score.indicator}」的评分")
        return redirect(f"{target}#score-{score.pk}")


class ContestsView(CentreView):
    template_name = "assessment/admin/contests.html"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        self.round = _round_or_404(kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.round.scheme.year}年度考评：复核申请"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        answering = self.round.stage == Stage.REVIEW and selectors.is_expert(self.request.user)
        context.update(
            round=self.round,
            contests=selectors.contests(self.round),
            answering=answering,
            form=AnswerForm(),
        )
        return context


class AnswerContestView(View):
    def post(self, request, contest_id: int):
        _require_centre_reader(request)
        contest = selectors.contest_by_id(contest_id=contest_id)
        if contest is None:
            raise Http404
        target = reverse("assessment:contests", args=[contest.score.assessment.round_id])
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(target)
        try:
            services.answer_contest(
                contest_id=contest.pk,
                user=request.user,
                upheld=form.cleaned_data["decision"] == "upheld",
                answer=form.cleaned_data["answer"],
                new_points=form.cleaned_data.get("new_points"),
            )
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
            return redirect(target)
        messages.success(request, "已答复复核申请")
        return redirect(target)


class ApprovalView(CentreView):
    """The 政务公开领导小组's screen: the final results, approved or sent back."""

    template_name = "assessment/admin/approval.html"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        self.round = _round_or_404(kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.round.scheme.year}年度考评：领导小组审定"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            round=self.round,
            results=selectors.year_results(self.round),
            may_decide=self.round.stage == Stage.FINAL and selectors.is_leading_group(self.request.user),
            form=ApprovalForm(),
        )
        return context

    def post(self, request, round_id: int):
        form = ApprovalForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择审定意见")
            return redirect("assessment:approval", round_id=round_id)
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_round(round_=self.round, user=request.user, opinion=form.cleaned_data["opinion"])
                messages.success(request, "已审定，市信息中心可公布考评结果")
            else:
                services.return_round(round_=self.round, user=request.user, reason=form.cleaned_data["opinion"])
                messages.success(request, "已退回复核")
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
        return redirect("assessment:approval", round_id=round_id)


class ChangesView(CentreView):
    template_name = "assessment/admin/changes.html"

    def dispatch(self, request, *args, **kwargs):
        _require_centre_reader(request)
        self.round = _round_or_404(kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.round.scheme.year}年度考评：评分变更记录"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(round=self.round, changes=selectors.changes(round_=self.round, limit=1000))
        return context


class RoundPdfView(View):
    """The 通报 PDF of a round as it stands (a draft until published) for the centre's readers."""

    def get(self, request, round_id: int):
        _require_centre_reader(request)
        round_ = _round_or_404(round_id)
        if not round_.stage_at_least(Stage.FINAL):
            raise Http404("最终得分确定后才能生成通报")
        response = HttpResponse(build_results_pdf(selectors.year_results(round_)), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="kaohe-{round_.scheme.year}.pdf"'
        return response


# --- the unit's own admin ---------------------------------------------------------------


class UnitRunningView(AdminPageView):
    """本单位年度考评: the running score with its reasons, 自评 and 复核 (a unit's own admin)."""

    page_title = "本单位年度考评"
    header_icon = "tasks"
    template_name = "assessment/unit/mine.html"

    def dispatch(self, request, *args, **kwargs):
        self.unit = current_unit()
        if self.unit is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = selectors.current_for_unit(unit=self.unit)
        view = selectors.running_view(assessment) if assessment is not None else None
        stage = assessment.round.stage if assessment is not None else ""
        context.update(
            unit=self.unit,
            assessment=assessment,
            view=view,
            rows=view.rows if view else [],
            scores=view.scores if view else {},
            may_write=selectors.unit_may_write(self.request.user),
            self_stage=stage == Stage.SELF,
            review_stage=stage == Stage.REVIEW,
            self_form=SelfAssessmentForm(),
            contest_form=ContestForm(),
        )
        return context


def _unit_score(request, score_id: int):
    unit = current_unit()
    if unit is None:
        raise Http404
    if not selectors.unit_may_write(request.user):
        raise PermissionDenied("只有单位管理员或第一责任人可以提交自评和复核申请")
    score = selectors.score_by_id(score_id=score_id)
    if score is None or score.assessment.unit_id != unit.pk:
        raise Http404
    return unit, score


class SelfAssessView(View):
    def post(self, request, score_id: int):
        unit, score = _unit_score(request, score_id)
        form = SelfAssessmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "自评内容有误：" + "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("assessment:mine")
        data = form.cleaned_data
        try:
            services.submit_self_assessment(
                score_id=score.pk,
                unit=unit,
                actor=services.actor_label(request.user),
                points=data["points"],
                text=data["text"],
                url=data["url"],
                file=data.get("file"),
            )
        except services.AssessmentError as exc:
            messages.error(request, f"{score.indicator}：{exc}")
            return redirect("assessment:mine")
        messages.success(request, f"已提交「{score.indicator}」的自评")
        return redirect(reverse("assessment:mine") + f"#score-{score.pk}")


class ContestView(View):
    def post(self, request, score_id: int):
        unit, score = _unit_score(request, score_id)
        form = ContestForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("assessment:mine")
        try:
            services.contest_score(
                score_id=score.pk, unit=unit, actor=services.actor_label(request.user), reason=form.cleaned_data["reason"]
            )
        except services.AssessmentError as exc:
            messages.error(request, f"{score.indicator}：{exc}")
            return redirect("assessment:mine")
        messages.success(request, f"已申请复核「{score.indicator}」，请等待专家答复")
        return redirect(reverse("assessment:mine") + f"#score-{score.pk}")


class EvidenceView(View):
    """A self-assessment's attachment: to the unit itself, and to the centre's readers."""

    def get(self, request, score_id: int):
        score = selectors.score_by_id(score_id=score_id)
        if score is None or not score.self_file:
            raise Http404
        unit = current_unit()
        if unit is not None:
            if score.assessment.unit_id != unit.pk:
                raise Http404
        else:
            _require_centre_reader(request)
        with public_schema():
            handle = score.self_file.open("rb")
        name = score.self_file.name.rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
