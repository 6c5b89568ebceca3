"""Reads of the yearly assessment: the scheme as the scoring engine needs it, each unit's year of
platform data (aggregated queries: one per source over all units in the public schema, a few per
unit schema), the admin's listings, the unit's own view and the published results.

Everything here reads the public schema through `tenants.context.public_schema()`, so the unit's
admin (another schema) reads the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.admin import can_read_centre_screens, in_centre_role, is_information_centre
from tenants.context import public_schema, schema_exists, unit_schema
from tenants.roles import CentreRole, UnitRole, in_roles
from tenants.selectors import directory_units

from .models import (
    AssessmentRound,
    AssessmentScheme,
    Defect,
    Grade,
    Indicator,
    IndicatorKind,
    IndicatorScore,
    ScoreChange,
    ScoreContest,
    Stage,
    UnitAssessment,
    UnitClass,
)
from .results import BreakdownRow, ResultRow, YearResults
from .scoring import IndicatorSpec, SchemeSpec

# --- who may do what ------------------------------------------------------------


def is_expert(user) -> bool:
    """考评专家 (public schema), or the information centre itself."""
    return is_information_centre(user) or in_centre_role(user, CentreRole.EXPERT)


def is_leading_group(user) -> bool:
    """A member of the 政务公开领导小组 (public schema): approves the year's results."""
    return in_centre_role(user, CentreRole.LEADING_GROUP)


def may_read_centre(user) -> bool:
    """Reads the centre's assessment screens: the centre, the supervisor, experts and the leading group."""
    return can_read_centre_screens(user) or is_expert(user) or is_leading_group(user)


def unit_may_write(user) -> bool:
    """In a unit's admin: who submits the unit's 自评 and 复核 requests (单位管理员, 第一责任人)."""
    return bool(user and user.is_active and (user.is_superuser or in_roles(user, UnitRole.ADMIN, UnitRole.HEAD)))


# --- the scheme -------------------------------------------------------------------


def period(*, year: int, now: datetime) -> tuple[datetime, datetime]:
    """[1 January, min(now, next 1 January)) in Beijing time."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime(year, 1, 1), tz)
    end = timezone.make_aware(datetime(year + 1, 1, 1), tz)
    return start, max(start, min(end, now))


def scheme_by_year(*, year: int) -> AssessmentScheme | None:
    with public_schema():
        return AssessmentScheme.objects.filter(year=year).first()


def scheme_spec(scheme: AssessmentScheme) -> SchemeSpec:
    """The scheme as the engine reads it: one query for the tree."""
    with public_schema():
        nodes = list(scheme.indicators.order_by("sort_order", "id"))
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(node: Indicator) -> IndicatorSpec:
        return IndicatorSpec(
            id=node.pk,
            code=node.code,
            name=node.name,
            role=node.role,
            kind=node.kind,
            max_points=float(node.max_points),
            rule=node.rule or {},
            children=tuple(build(child) for child in children.get(node.pk, [])),
        )

    return SchemeSpec(
        year=scheme.year,
        indicators=tuple(build(node) for node in children.get(None, [])),
        pass_score=float(scheme.pass_score),
        good_score=float(scheme.good_score),
        excellent_score=float(scheme.excellent_score),
        bonus_threshold=None if scheme.bonus_threshold is None else float(scheme.bonus_threshold),
        bonus_cap=None if scheme.bonus_cap is None else float(scheme.bonus_cap),
        vote_cap_share=float(scheme.vote_cap_share),
    )


def class_for(classes: list[UnitClass], unit) -> UnitClass | None:
    for klass in classes:
        if unit.unit_type in (klass.unit_types or []):
            return klass
    return None


def assessed_units(scheme: AssessmentScheme) -> list[tuple[object, UnitClass]]:
    """The units of the cluster whose type one of the scheme's classes holds, with that class."""
    with public_schema():
        classes = list(scheme.classes.order_by("sort_order", "id"))
        units = list(directory_units())
    return [(unit, klass) for unit in units if (klass := class_for(classes, unit)) is not None]


def defects_for(indicator: Indicator) -> list[Defect]:
    with public_schema():
        return list(
            Defect.objects.filter(scheme_id=indicator.scheme_id)
            .filter(Q(indicator=indicator) | Q(indicator__isnull=True))
            .order_by("code")
        )


# --- a year of platform data --------------------------------------------------------


def _public_facts(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, float | None]]:
    """Freshness, availability and broken links of every unit: three aggregated queries."""
    from oversight.models import AvailabilityProbe, BrokenLink, FreshnessSnapshot

    facts: dict[int, dict[str, float | None]] = {unit_id: {} for unit_id in unit_ids}
    tz = timezone.get_default_timezone()
    snapshots = (
        FreshnessSnapshot.objects.filter(unit_id__in=unit_ids, taken_at__gte=start, taken_at__lt=end)
        .annotate(day=TruncDate("taken_at", tzinfo=tz))
        .values("unit_id")
        .annotate(
            mean=Avg("score"),
            days=Count("day", distinct=True),
            veto_days=Count("day", distinct=True, filter=Q(passed=False)),
        )
        .order_by()
    )
    for row in snapshots:
        facts[row["unit_id"]].update(
            freshness_mean=round(float(row["mean"]), 2),
            freshness_days=row["days"],
            freshness_veto_days=row["veto_days"],
        )
    probes = (
        AvailabilityProbe.objects.filter(unit_id__in=unit_ids, checked_at__gte=start, checked_at__lt=end)
        .values("unit_id")
        .annotate(total=Count("pk"), failed=Count("pk", filter=Q(ok=False)))
        .order_by()
    )
    for row in probes:
        facts[row["unit_id"]].update(availability_probes=row["total"], availability_failed=row["failed"])
    links = (
        BrokenLink.objects.filter(unit_id__in=unit_ids, first_seen__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .values("unit_id")
        .annotate(total=Count("pk"), still_open=Count("pk", filter=Q(resolved_at__isnull=True)))
        .order_by()
    )
    for unit_id in unit_ids:
        facts[unit_id].update(broken_links=0, broken_links_open=0)
    for row in links:
        facts[row["unit_id"]].update(broken_links=row["total"], broken_links_open=row["still_open"])
    return facts


def _unit_schema_facts(*, year: int, start: datetime, end: datetime) -> dict[str, float | None]:
    """In the active unit schema: 互动交流, 找错, 办事指南 and 保密审查 over the period (a few queries)."""
    from interaction import selectors as interaction
    from interaction.figures import month_figures, unanswered_beyond_veto
    from moderation.secrecy.models import SecrecyOverride, SecrecyReviewTaskState
    from sitepages.models import ServiceGuidePage
    from workcalendar.selectors import work_calendar

    facts: dict[str, float | None] = {}
    cases = interaction.case_facts(since=start - timedelta(days=400))
    by_kind = month_figures(cases, start=start, end=end, calendar=work_calendar(), local_date=interaction.local_date)
    facts["interaction_accepted"] = sum(row.accepted for row in by_kind.values())
    facts["interaction_published"] = sum(row.published for row in by_kind.values())
    facts["interaction_answered"] = sum(row.answered for row in by_kind.values())
    facts["interaction_on_time"] = sum(row.on_time for row in by_kind.values())
    facts["interaction_unanswered_veto"] = len(unanswered_beyond_veto(cases, now=end))
    facts["interaction_no_channel"] = 0 if interaction.has_working_channel() else 1
    corrections = interaction.correction_year_counts(year=year)
    facts["corrections_received"] = corrections["received"]
    facts["corrections_open"] = corrections["open_at_year_end"]
    facts["corrections_late"] = corrections["closed_after_a_month"]
    fields = ServiceGuidePage.GUIDE_FIELDS
    guides = list(ServiceGuidePage.objects.live().values_list("title", *fields))
    missing = [sum(1 for value in row if not str(value or "").strip()) for row in guides]
    facts["guides_total"] = len(guides)
    facts["guides_incomplete"] = sum(1 for count in missing if count)
    facts["guides_seriously_incomplete"] = sum(1 for count in missing if count >= 4)
    facts["secrecy_held"] = (
        SecrecyReviewTaskState.objects.filter(scanned_at__gte=start, scanned_at__lt=end).exclude(findings=[]).count()
    )
    facts["secrecy_released"] = SecrecyOverride.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return facts


def _vote_facts(units: list, *, start: datetime, end: datetime) -> dict[int, dict[str, float | None]]:
    """The public votes of 网站考评专栏 (voting app) over the period, by unit."""
    try:
        from voting.selectors import satisfaction_by_unit
    except ImportError:
        return {}
    tz = timezone.get_default_timezone()
    last_day = (end - timedelta(microseconds=1)).astimezone(tz).date()
    figures = satisfaction_by_unit(start=start.astimezone(tz).date(), end=last_day)
    return {
        unit.pk: {"votes_score": figures[unit.pk].score, "votes_valid": figures[unit.pk].valid_votes}
        for unit in units
        if unit.pk in figures
    }


def year_facts(*, units: list, year: int, now: datetime) -> dict[int, dict[str, float | None]]:
    """unit id → facts of the year so far (until `now`, at most until 31 December)."""
    start, end = period(year=year, now=now)
    with public_schema():
        facts = _public_facts([unit.pk for unit in units], start, end)
        votes = _vote_facts(units, start=start, end=end)
    for unit in units:
        facts[unit.pk].update(votes.get(unit.pk, {"votes_score": None, "votes_valid": 0}))
        if schema_exists(unit.schema_name):
            with unit_schema(unit):
                facts[unit.pk].update(_unit_schema_facts(year=year, start=start, end=end))
    return facts


# --- the centre's screens ---------------------------------------------------------


def schemes():
    with public_schema():
        return list(AssessmentScheme.objects.select_related("round").order_by("-year"))


def round_of(*, round_id: int) -> AssessmentRound | None:
    with public_schema():
        return AssessmentRound.objects.select_related("scheme").filter(pk=round_id).first()


def round_rows(round_: AssessmentRound) -> list[UnitAssessment]:
    with public_schema():
        return list(
            round_.units.select_related("unit", "unit_class").order_by(
                "unit_class__sort_order", "unit_class_id", "rank", "-total", "unit__sort_order"
            )
        )


def unit_assessment(*, round_: AssessmentRound, code: str) -> UnitAssessment | None:
    with public_schema():
        return round_.units.select_related("unit", "unit_class", "round__scheme").filter(unit__code=code).first()


def scores_of(assessment: UnitAssessment) -> list[IndicatorScore]:
    with public_schema():
        return list(assessment.scores.select_related("indicator", "contest").order_by("indicator__sort_order", "indicator_id"))


def score_by_id(*, score_id: int) -> IndicatorScore | None:
    with public_schema():
        return (
            IndicatorScore.objects.select_related("indicator", "assessment__unit", "assessment__round__scheme")
            .filter(pk=score_id)
            .first()
        )


def contest_by_id(*, contest_id: int) -> ScoreContest | None:
    with public_schema():
        return (
            ScoreContest.objects.select_related("score__indicator", "score__assessment__unit", "score__assessment__round__scheme")
            .filter(pk=contest_id)
            .first()
        )


def contests(round_: AssessmentRound) -> list[ScoreContest]:
    with public_schema():
        return list(
            ScoreContest.objects.filter(score__assessment__round=round_)
            .select_related("score__indicator", "score__assessment__unit")
            .order_by("answered_at", "raised_at")
        )


def changes(*, round_: AssessmentRound | None = None, assessment: UnitAssessment | None = None, limit: int = 200):
    with public_schema():
        rows = ScoreChange.objects.select_related("assessment__unit", "score__indicator")
        if assessment is not None:
            rows = rows.filter(assessment=assessment)
        elif round_ is not None:
            rows = rows.filter(assessment__round=round_)
        return list(rows.order_by("-at", "-id")[:limit])


def pending_counts(round_: AssessmentRound) -> dict[str, int]:
    """What still keeps the round from its final score."""
    with public_schema():
        scores = IndicatorScore.objects.filter(assessment__round=round_)
        return {
            "expert": scores.filter(indicator__kind=IndicatorKind.ENTERED, expert_at__isnull=True).count(),
            "self_unconfirmed": scores.filter(indicator__kind=IndicatorKind.SELF_ASSESSED, expert_at__isnull=True).count(),
            "contests_open": ScoreContest.objects.filter(score__assessment__round=round_, answered_at__isnull=True).count(),
        }


# --- the unit's own view -------------------------------------------------------------


def current_for_unit(*, unit) -> UnitAssessment | None:
    """The unit's assessment in the newest round (its running score before anyone publishes it)."""
    with public_schema():
        return (
            UnitAssessment.objects.filter(unit=unit)
            .select_related("round__scheme", "unit_class", "unit")
            .order_by("-round__scheme__year")
            .first()
        )


def unit_assessment_for_year(*, unit, year: int) -> UnitAssessment | None:
    with public_schema():
        return (
            UnitAssessment.objects.filter(unit=unit, round__scheme__year=year)
            .select_related("round__scheme", "unit_class", "unit")
            .first()
        )


# --- what is published --------------------------------------------------------------


def published_years() -> list[int]:
    with public_schema():
        return list(
            AssessmentRound.objects.filter(stage=Stage.PUBLISHED).order_by("-scheme__year").values_list("scheme__year", flat=True)
        )


def published_round(*, year: int) -> AssessmentRound | None:
    with public_schema():
        return AssessmentRound.objects.select_related("scheme").filter(scheme__year=year, stage=Stage.PUBLISHED).first()


def _result_row(row: UnitAssessment) -> ResultRow:
    return ResultRow(
        unit_code=row.unit.code,
        unit_name=row.unit.full_name or row.unit.name,
        class_name=row.unit_class.name,
        total=float(row.total),
        base=float(row.base_points),
        bonus=float(row.bonus_points),
        vote=float(row.vote_points),
        grade=Grade(row.grade).label if row.grade else "",
        rank=row.rank,
        class_size=row.class_size,
        vetoed=row.vetoed,
        veto_reasons=tuple(row.veto_reasons or ()),
    )


def year_results(round_: AssessmentRound, *, generated_at: datetime | None = None) -> YearResults:
    """The results of a round by class (for the portal page and the PDF 通报)."""
    scheme = round_.scheme
    with public_schema():
        classes = list(scheme.classes.order_by("sort_order", "id"))
        rows = list(round_.units.select_related("unit", "unit_class").order_by("rank", "-total", "unit__sort_order"))
    by_class = {klass.pk: [] for klass in classes}
    for row in rows:
        by_class.setdefault(row.unit_class_id, []).append(_result_row(row))
    return YearResults(
        year=scheme.year,
        title=scheme.title,
        description=scheme.description,
        classes=tuple((klass.name, tuple(by_class.get(klass.pk, []))) for klass in classes if by_class.get(klass.pk)),
        pass_score=float(scheme.pass_score),
        good_score=float(scheme.good_score),
        excellent_score=float(scheme.excellent_score),
        vote_cap=float(scheme_spec(scheme).vote_cap),
        approved_at=round_.approved_at,
        approved_by=round_.approved_by,
        approval_opinion=round_.approval_opinion,
        published_at=round_.published_at,
        generated_at=generated_at or timezone.now(),
    )


def breakdown(assessment: UnitAssessment) -> list[BreakdownRow]:
    """The unit's indicator tree with the points of every node and the reasons of every leaf."""
    scheme = assessment.round.scheme
    spec = scheme_spec(scheme)
    scores = {score.indicator_id: score for score in scores_of(assessment)}
    from .scoring import LeafResult, score_unit

    leaves = {
        indicator_id: LeafResult(float(score.points), tuple(score.reasons or ()), score.vetoed, score.provisional)
        for indicator_id, score in scores.items()
    }
    totals = score_unit(spec, leaves)
    rows: list[BreakdownRow] = []

    def walk(node: IndicatorSpec, level: int) -> None:
        score = scores.get(node.id)
        contest = getattr(score, "contest", None) if score is not None else None
        rows.append(
            BreakdownRow(
                indicator_id=node.id,
                code=node.code,
                name=node.name,
                level=level,
                kind=node.kind,
                kind_label=IndicatorKind(node.kind).label,
                role=node.role,
                max_points=node.max_points,
                points=totals.points.get(node.id, 0.0),
                reasons=tuple(score.reasons or ()) if score is not None else (),
                vetoed=bool(score and score.vetoed),
                provisional=bool(score and score.provisional),
                score_id=score.pk if score is not None else None,
                contest_reason=contest.reason if contest else "",
                contest_answer=contest.answer if contest else "",
                contest_open=bool(contest and contest.is_open),
                has_contest=contest is not None,
            )
        )
        for child in node.children:
            walk(child, level + 1)

    for top in spec.indicators:
        walk(top, 1)
    return rows


@dataclass
class RunningView:
    assessment: UnitAssessment
    rows: list[BreakdownRow]
    scores: dict[int, IndicatorScore] = field(default_factory=dict)


def running_view(assessment: UnitAssessment) -> RunningView:
    scores = {score.pk: score for score in scores_of(assessment)}
    return RunningView(assessment=assessment, rows=breakdown(assessment), scores=scores)


def today() -> date:
    return timezone.localdate()
