"""Reads of the public vote: the assessment's figures, the published snapshot, the centre's vote log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from tenants.models import Unit

from .figures import SatisfactionFigures
from .models import Annulment, Answer, PeriodStatus, Vote, VotePeriod, VoteTally

__all__ = ["SatisfactionFigures", "satisfaction_by_unit"]


def satisfaction_by_unit(*, start: date, end: date) -> dict[int, SatisfactionFigures]:
    """Every site unit's votes cast from `start` to `end` (both included), keyed by unit id.

    Annulled votes count in `annulled` only, never in `valid_votes`. A unit without votes has zero
    figures (score None). Votes of every period count (votes exist only in open periods).
    """
    rows = (
        Vote.objects.filter(voted_on__gte=start, voted_on__lte=end)
        .values("unit_id")
        .annotate(
            satisfied=Count("id", filter=Q(answer=Answer.SATISFIED, annulment__isnull=True)),
            basic=Count("id", filter=Q(answer=Answer.BASIC, annulment__isnull=True)),
            unsatisfied=Count("id", filter=Q(answer=Answer.UNSATISFIED, annulment__isnull=True)),
            annulled=Count("id", filter=Q(annulment__isnull=False)),
        )
    )
    result = {unit_id: SatisfactionFigures() for unit_id in Unit.objects.sites().values_list("id", flat=True)}
    for row in rows:
        result[row["unit_id"]] = SatisfactionFigures.of(
            satisfied=row["satisfied"], basic=row["basic"], unsatisfied=row["unsatisfied"], annulled=row["annulled"]
        )
    return result


# --- periods ---------------------------------------------------------------------------------------


def open_period() -> VotePeriod | None:
    """The period whose status is 投票中 (at most one), whether or not today is within its dates."""
    return VotePeriod.objects.filter(status=PeriodStatus.OPEN).first()


def get_period(*, period_id: int) -> VotePeriod | None:
    return VotePeriod.objects.filter(pk=period_id).first()


def past_periods() -> QuerySet[VotePeriod]:
    return VotePeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-ends_on", "-id")


def all_periods() -> QuerySet[VotePeriod]:
    return VotePeriod.objects.exclude(status=PeriodStatus.DRAFT).order_by("-starts_on", "-id")


def ballot_units() -> QuerySet[Unit]:
    """The units a period asks about: every unit that runs a sub-site."""
    return Unit.objects.sites().order_by("sort_order", "id")


def ballot_unit(*, unit_id: int) -> Unit | None:
    return ballot_units().filter(pk=unit_id).first()


# --- the published snapshot ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRow:
    unit: Unit
    figures: SatisfactionFigures


def published_results(*, period: VotePeriod) -> list[PublishedRow]:
    """Each unit's published figures: the sum of the period's daily snapshot rows (never the live votes)."""
    totals: dict[int, SatisfactionFigures] = defaultdict(SatisfactionFigures)
    for tally in VoteTally.objects.filter(period=period):
        totals[tally.unit_id] = totals[tally.unit_id] + tally.as_figures
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=totals)} if totals else {}
    listed = list(ballot_units()) if period.status == PeriodStatus.OPEN else []
    for unit in listed:
        units.setdefault(unit.pk, unit)
    rows = [PublishedRow(unit=unit, figures=totals.get(pk, SatisfactionFigures())) for pk, unit in units.items()]
    return sorted(rows, key=lambda row: (row.unit.sort_order, row.unit.pk))


def published_totals(rows: list[PublishedRow]) -> SatisfactionFigures:
    total = SatisfactionFigures()
    for row in rows:
        total = total + row.figures
    return total


# --- the centre's vote log -------------------------------------------------------------------------


def period_votes(*, period: VotePeriod, unit_id: int | None = None, flagged: bool = False, annulled: str = "") -> QuerySet[Vote]:
    votes = Vote.objects.filter(period=period).select_related("unit", "annulment")
    if unit_id:
        votes = votes.filter(unit_id=unit_id)
    if flagged:
        votes = votes.exclude(flags=[])
    if annulled == "yes":
        votes = votes.filter(annulment__isnull=False)
    elif annulled == "no":
        votes = votes.filter(annulment__isnull=True)
    return votes.order_by("-created_at", "-id")


@dataclass(frozen=True)
class LiveRow:
    unit: Unit
    figures: SatisfactionFigures
    flagged: int


def live_counts(*, period: VotePeriod) -> list[LiveRow]:
    """The centre's own view of the live counts per unit (never shown on the portal while voting runs)."""
    rows = (
        Vote.objects.filter(period=period)
        .values("unit_id")
        .annotate(
            satisfied=Count("id", filter=Q(answer=Answer.SATISFIED, annulment__isnull=True)),
            basic=Count("id", filter=Q(answer=Answer.BASIC, annulment__isnull=True)),
            unsatisfied=Count("id", filter=Q(answer=Answer.UNSATISFIED, annulment__isnull=True)),
            annulled=Count("id", filter=Q(annulment__isnull=False)),
            flagged=Count("id", filter=~Q(flags=[]) & Q(annulment__isnull=True)),
        )
    )
    by_unit = {row["unit_id"]: row for row in rows}
    units = {unit.pk: unit for unit in ballot_units()}
    units.update({unit.pk: unit for unit in Unit.objects.filter(pk__in=by_unit).exclude(pk__in=units)})
    result = []
    for pk, unit in units.items():
        row = by_unit.get(pk)
        figures = (
            SatisfactionFigures.of(
                satisfied=row["satisfied"], basic=row["basic"], unsatisfied=row["unsatisfied"], annulled=row["annulled"]
            )
            if row
            else SatisfactionFigures()
        )
        result.append(LiveRow(unit=unit, figures=figures, flagged=row["flagged"] if row else 0))
    return sorted(result, key=lambda row: (row.unit.sort_order, row.unit.pk))


def annulments(*, period: VotePeriod) -> QuerySet[Annulment]:
    return Annulment.objects.filter(period=period).select_related("by").order_by("-at", "-id")


def flag_counts(*, period: VotePeriod) -> dict[str, int]:
    """How many not-yet-annulled votes each rule flags in the period."""
    counts: dict[str, int] = defaultdict(int)
    for flags in Vote.objects.filter(period=period, annulment__isnull=True).exclude(flags=[]).values_list("flags", flat=True):
        for flag in flags:
            counts[flag] += 1
    return dict(counts)
