"""The information centre's screens of the public vote: the vote log with its anomaly flags and annulment,
and the counts per unit. The supervisor (监察) reads both and writes nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin import messages

from govplatform.admin_views import AdminPageView
from tenants.admin import InformationCentreMixin, is_information_centre

from . import selectors, services
from .anomalies import RULE_LABELS, RULES
from .forms import AnnulForm
from .models import Vote, VotePeriod

PER_PAGE = 100


class CentreView(InformationCentreMixin, AdminPageView):
    header_icon = "tasks"
    # The supervisor (监察, 第四条) reads the votes; its writes are refused here and by SupervisorMiddleware.
    supervisor_may_read = True

    def _period(self) -> VotePeriod | None:
        value = self.request.GET.get("period") or self.request.POST.get("period") or ""
        if value.isdigit() and len(value) < 18:
            period = selectors.get_period(period_id=int(value))
            if period is not None:
                return period
        return selectors.open_period() or selectors.all_periods().first() or VotePeriod.objects.first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            period=self.period,
            periods=VotePeriod.objects.order_by("-starts_on", "-id"),
            may_write=is_information_centre(self.request.user),
        )
        return context

    def dispatch(self, request, *args, **kwargs):
        self.period = None
        return super().dispatch(request, *args, **kwargs)


def _unit_filter(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 18 else None


class VoteLogView(CentreView):
    """Every vote of a period (hashes only), its flags, the findings, and the annul form."""

    page_title = "网站考评：投票记录"
    template_name = "voting/admin/log.html"

    def get(self, request, *args, **kwargs):
        self.period = self._period()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        unit_id = _unit_filter(request.GET.get("unit", ""))
        flagged = request.GET.get("flagged") == "1"
        annulled = request.GET.get("annulled", "")
        if self.period is None:
            return context
        votes = selectors.period_votes(period=self.period, unit_id=unit_id, flagged=flagged, annulled=annulled)
        paginator = Paginator(votes, PER_PAGE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        counts = selectors.flag_counts(period=self.period)
        context.update(
            page_obj=page,
            units=selectors.ballot_units(),
            unit_id=unit_id,
            flagged=flagged,
            annulled=annulled,
            rule_rows=[(rule, RULE_LABELS[rule], counts.get(rule, 0)) for rule in RULES],
            rule_labels=RULE_LABELS,
            annul_form=kwargs.get("annul_form") or AnnulForm(rules=self._rule_choices()),
            annulments=selectors.annulments(period=self.period)[:50],
            query=request.GET.urlencode(),
        )
        return context

    @staticmethod
    def _rule_choices():
        return [(rule, RULE_LABELS[rule]) for rule in RULES]

    def post(self, request, *args, **kwargs):
        if not is_information_centre(request.user):
            raise PermissionDenied("只有市信息中心可以作废投票或运行检查")
        self.period = self._period()
        if self.period is None:
            messages.error(request, "请先建立投票期")
            return redirect("voting:log")
        back = f"{reverse('voting:log')}?period={self.period.pk}"
        action = request.POST.get("action", "")
        if action == "check":
            services.take_snapshot(period_id=self.period.pk)
            report = services.check_anomalies(period_id=self.period.pk)
            flagged = len(report.flagged_ids)
            messages.success(request, f"已重新生成每日快照并完成异常检查：共检查 {report.checked} 票，标记 {flagged} 票")
            return redirect(back)
        if action != "annul":
            messages.error(request, "未知操作")
            return redirect(back)
        form = AnnulForm(request.POST, rules=self._rule_choices())
        if not form.is_valid():
            messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
            return self.render_to_response(self.get_context_data(annul_form=form))
        ids = list(form.cleaned_data["votes"])
        rule = form.cleaned_data["rule"]
        if rule:
            ids += list(
                Vote.objects.filter(period=self.period, annulment__isnull=True, flags__contains=[rule]).values_list(
                    "pk", flat=True
                )
            )
        try:
            annulment = services.annul_votes(
                user=request.user, period_id=self.period.pk, vote_ids=ids, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return self.render_to_response(self.get_context_data(annul_form=form))
        messages.success(request, f"已作废 {annulment.count} 票，作废票数已计入公开的投票统计")
        return redirect(back)


class CountsView(CentreView):
    """Each unit's live counts (the centre's only), what the portal publishes, the annulments."""

    page_title = "网站考评：各单位票数"
    template_name = "voting/admin/counts.html"

    def get(self, request, *args, **kwargs):
        self.period = self._period()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is None:
            return context
        published = {row.unit.pk: row.figures for row in selectors.published_results(period=self.period)}
        rows = [(row, published.get(row.unit.pk)) for row in selectors.live_counts(period=self.period)]
        context.update(rows=rows, annulments=selectors.annulments(period=self.period))
        return context
