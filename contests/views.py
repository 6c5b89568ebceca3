"""Admin views of 评比: the information centre's (set up, follow, publish), the jury's (score), and the
unit's own (nominate). Reads come from selectors, writes go through services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin
from tenants.context import current_unit, in_public_schema, public_schema
from tenants.hosts import portal_base_url, unit_base_url

from . import selectors, services
from .forms import ContestForm, NominationForm, ScoreForm
from .models import Phase

PORTAL_URLCONF = settings.PUBLIC_SCHEMA_URLCONF


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _portal_url(contest) -> str:
    return portal_base_url() + reverse("contests_portal:detail", args=[contest.pk], urlconf=PORTAL_URLCONF)


# --- the information centre ----------------------------------------------------------------------


class CentreView(InformationCentreMixin, AdminPageView):
    supervisor_may_read = True
    centre_only_message = "您没有查看评比活动的权限"
    header_icon = "pick"


class ContestsView(CentreView):
    page_title = "评比活动"
    template_name = "contests/admin/contests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            rows=[(contest, Phase(contest.phase(now)).label) for contest in selectors.contests()],
            can_manage=selectors.can_manage(self.request.user),
        )
        return context


def _spec(form: ContestForm) -> services.ContestSpec:
    data = form.cleaned_data
    return services.ContestSpec(
        title=data["title"],
        theme=data["theme"],
        year=data["year"],
        nomination_opens_at=data["nomination_opens_at"],
        nomination_closes_at=data["nomination_closes_at"],
        scoring_closes_at=data["scoring_closes_at"],
        criteria=services.parse_criteria(data["criteria"]),
        jury_ids=[int(pk) for pk in data["jury"]],
        first_prizes=data["first_prizes"],
        second_prizes=data["second_prizes"],
        third_prizes=data["third_prizes"],
        max_nominations_per_unit=data["max_nominations_per_unit"],
    )


def _experts() -> list:
    with public_schema():
        return list(selectors.experts())


class ContestNewView(CentreView):
    page_title = "新建评比"
    template_name = "contests/admin/contest_form.html"
    supervisor_may_read = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ContestForm(
            experts=_experts(),
            initial={"year": timezone.localdate().year, "criteria": "内容完整准确 40\n更新及时 30\n便民实用 30"},
        )
        return context

    def post(self, request):
        form = ContestForm(request.POST, experts=_experts())
        if form.is_valid():
            try:
                contest = services.create_contest(user=request.user, spec=_spec(form))
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, f"已创建评比“{contest.title}”")
                return redirect("contests:contest", contest.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ContestMixin:
    def dispatch(self, request, *args, **kwargs):
        self.contest = selectors.get_contest(contest_id=kwargs["contest_id"])
        if self.contest is None:
            raise Http404("该评比不存在")
        return super().dispatch(request, *args, **kwargs)


class ContestView(ContestMixin, CentreView):
    template_name = "contests/admin/contest.html"

    @property
    def page_title(self) -> str:
        return self.contest.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contest, now = self.contest, timezone.now()
        phase = contest.phase(now)
        context.update(
            contest=contest,
            phase=phase,
            phase_label=Phase(phase).label,
            criteria=selectors.criteria(contest=contest),
            jury=[selectors.juror_name(user) for user in selectors.jury(contest=contest)],
            nominations=selectors.nominations(contest=contest),
            progress=selectors.progress(contest=contest),
            events=selectors.events(contest=contest),
            published=phase == Phase.PUBLISHED,
            can_publish=selectors.can_manage(self.request.user) and phase == Phase.CLOSED,
            can_edit=selectors.can_manage(self.request.user) and phase != Phase.PUBLISHED,
            portal_url=_portal_url(contest),
        )
        return context

    def post(self, request, contest_id: int):
        if request.POST.get("action") != "publish":
            messages.error(request, "未知的操作")
            return redirect("contests:contest", contest_id)
        try:
            services.publish_results(contest_id=contest_id, user=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "已公布评比结果，门户网站已显示")
        return redirect("contests:contest", contest_id)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class ContestEditView(ContestMixin, CentreView):
    template_name = "contests/admin/contest_form.html"
    supervisor_may_read = False

    @property
    def page_title(self) -> str:
        return f"修改评比：{self.contest.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contest = self.contest
        criteria = "\n".join(f"{c.name} {c.max_points}" for c in selectors.criteria(contest=contest))
        context.update(
            contest=contest,
            form=kwargs.get("form")
            or ContestForm(
                experts=_experts(),
                initial={
                    "title": contest.title,
                    "theme": contest.theme,
                    "year": contest.year,
                    "nomination_opens_at": _local(contest.nomination_opens_at),
                    "nomination_closes_at": _local(contest.nomination_closes_at),
                    "scoring_closes_at": _local(contest.scoring_closes_at),
                    "criteria": criteria,
                    "jury": [str(user.pk) for user in selectors.jury(contest=contest)],
                    "max_nominations_per_unit": contest.max_nominations_per_unit,
                    "first_prizes": contest.first_prizes,
                    "second_prizes": contest.second_prizes,
                    "third_prizes": contest.third_prizes,
                },
            ),
        )
        return context

    def post(self, request, contest_id: int):
        form = ContestForm(request.POST, experts=_experts())
        if form.is_valid():
            try:
                services.update_contest(contest_id=contest_id, user=request.user, spec=_spec(form))
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, "已保存修改")
                return redirect("contests:contest", contest_id)
        return self.render_to_response(self.get_context_data(form=form))


# --- the jury -----------------------------------------------------------------------------------


class JuryScreen(AdminPageView):
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not in_public_schema():
            raise Http404
        if not selectors.is_expert(request.user):
            raise PermissionDenied("仅考评专家可以评审评比作品")
        return super().dispatch(request, *args, **kwargs)


class JuryContestsView(JuryScreen):
    page_title = "我的评审"
    template_name = "contests/jury/contests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [(c, Phase(c.phase(now)).label) for c in selectors.jury_contests(user=self.request.user)]
        return context


class JuryContestMixin(ContestMixin):
    def check_juror(self, request) -> None:
        if not selectors.is_juror(user=request.user, contest=self.contest):
            raise PermissionDenied("您不是该评比的评委")


class JuryContestView(JuryContestMixin, JuryScreen):
    template_name = "contests/jury/contest.html"

    @property
    def page_title(self) -> str:
        return f"评审：{self.contest.title}"

    def get(self, request, *args, **kwargs):
        self.check_juror(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contest = self.contest
        criteria = selectors.criteria(contest=contest)
        mine = selectors.own_scores(contest=contest, juror=self.request.user)
        rows = []
        for nomination in selectors.nominations(contest=contest):
            points = [mine.get((nomination.pk, c.pk)) for c in criteria]
            done = all(p is not None for p in points)
            rows.append({"nomination": nomination, "points": points, "done": done, "total": sum(points) if done else None})
        phase = contest.phase(timezone.now())
        context.update(
            contest=contest, criteria=criteria, rows=rows, scoring=phase == Phase.SCORING, phase_label=Phase(phase).label
        )
        return context


class JuryScoreView(JuryContestMixin, JuryScreen):
    template_name = "contests/jury/score.html"

    @property
    def page_title(self) -> str:
        return f"评分：{self.nomination.title}"

    def _load(self, request, nomination_id: int) -> None:
        self.check_juror(request)
        self.nomination = selectors.get_nomination(contest=self.contest, nomination_id=nomination_id)
        if self.nomination is None:
            raise Http404("该作品不存在")
        self.criteria = selectors.criteria(contest=self.contest)

    def get(self, request, contest_id: int, nomination_id: int):
        self._load(request, nomination_id)
        return super().get(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = selectors.own_scores(contest=self.contest, juror=self.request.user)
        initial = {c.pk: mine.get((self.nomination.pk, c.pk)) for c in self.criteria}
        phase = self.contest.phase(timezone.now())
        context.update(
            contest=self.contest,
            nomination=self.nomination,
            scoring=phase == Phase.SCORING,
            phase_label=Phase(phase).label,
            form=kwargs.get("form") or ScoreForm(criteria=self.criteria, initial_points=initial),
        )
        return context

    def post(self, request, contest_id: int, nomination_id: int):
        self._load(request, nomination_id)
        form = ScoreForm(request.POST, criteria=self.criteria)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.score_nomination(nomination_id=nomination_id, user=request.user, points=form.points())
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("contests:jury_score", contest_id, nomination_id)
        messages.success(request, f"已保存对“{self.nomination.title}”的评分，评审截止前可以修改")
        return redirect("contests:jury_contest", contest_id)


# --- the unit --------------------------------------------------------------------------------------


class UnitScreen(AdminPageView):
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        self.unit = current_unit()
        if self.unit is None:
            raise Http404
        if not selectors.can_view_unit(request.user):
            raise PermissionDenied("您没有查看评比活动的权限")
        return super().dispatch(request, *args, **kwargs)


class UnitContestsView(UnitScreen):
    page_title = "评比申报"
    template_name = "contests/unit/contests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        counts = selectors.unit_nomination_counts(unit=self.unit)
        context["rows"] = [
            (contest, Phase(contest.phase(now)).label, counts.get(contest.pk, 0)) for contest in selectors.open_to_units(now=now)
        ]
        return context


class UnitContestView(ContestMixin, UnitScreen):
    template_name = "contests/unit/contest.html"

    @property
    def page_title(self) -> str:
        return f"评比申报：{self.contest.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contest, now = self.contest, timezone.now()
        if contest.nomination_opens_at > now:
            raise Http404("该评比尚未开始申报")
        phase = contest.phase(now)
        own = selectors.unit_nominations(contest=contest, unit=self.unit)
        may_nominate = (
            phase == Phase.NOMINATING
            and selectors.can_nominate(self.request.user)
            and len(own) < contest.max_nominations_per_unit
        )
        context.update(
            contest=contest,
            phase=phase,
            phase_label=Phase(phase).label,
            criteria=selectors.criteria(contest=contest),
            nominations=own,
            published=phase == Phase.PUBLISHED,
            may_withdraw=phase == Phase.NOMINATING and selectors.can_nominate(self.request.user),
            form=kwargs.get("form")
            or (NominationForm(initial={"url": unit_base_url(self.unit) + "/"}) if may_nominate else None),
            portal_url=_portal_url(contest),
        )
        return context

    def post(self, request, contest_id: int):
        back = redirect("contests:unit_contest", contest_id)
        if request.POST.get("action") == "withdraw":
            try:
                nomination_id = int(request.POST.get("nomination", ""))
            except ValueError:
                messages.error(request, "申报编号无效")
                return back
            try:
                services.withdraw_nomination(nomination_id=nomination_id, user=request.user)
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "您没有进行此操作的权限")
            else:
                messages.success(request, "已撤回申报")
            return back
        form = NominationForm(request.POST)
        if form.is_valid():
            try:
                services.nominate(
                    contest_id=contest_id,
                    user=request.user,
                    title=form.cleaned_data["title"],
                    url=form.cleaned_data["url"],
                    statement=form.cleaned_data["statement"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "您没有进行此操作的权限")
                return back
            else:
                messages.success(request, "已提交申报")
                return back
        return self.render_to_response(self.get_context_data(form=form))
