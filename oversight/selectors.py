"""Reads of the oversight records for the admin views, panels and reports."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tenants.utils import schema_context

from .freshness import SHANGHAI, ScoringWeights
from .models import AvailabilityProbe, BrokenLink, CheckRun, FreshnessSnapshot
from .reports import CLAUSE_MAINTENANCE, CLAUSE_UNREACHABLE, Article11Case, MonthlyReport, UnitMonthlyFigures
from .services import AVAILABILITY_WINDOW, availability_level, open_broken_links

WEIGHTS = ScoringWeights()
TREND_WEEKS = 8


@dataclass(frozen=True)
class UnitRow:
    unit: object
    snapshot: FreshnessSnapshot | None
    broken_links: int
    availability_failure: float | None
    # (Monday of the week, last score of that week), oldest first.
    trend: tuple[tuple[date, int], ...] = ()

    @property
    def availability_level(self) -> str:
        return availability_level(self.availability_failure, weights=WEIGHTS)

    @property
    def trend_points(self) -> str:
        return sparkline_points(self.trend)

    @property
    def availability_failure_percent(self) -> str:
        return "无数据" if self.availability_failure is None else f"{self.availability_failure * 100:.1f}%"


def latest_snapshot(*, unit) -> FreshnessSnapshot | None:
    return FreshnessSnapshot.objects.filter(unit=unit).first()


def overview_rows() -> list[UnitRow]:
    from tenants.selectors import directory_units

    units = list(directory_units())
    since = timezone.now() - AVAILABILITY_WINDOW
    latest: dict[int, FreshnessSnapshot] = {}
    for snapshot in FreshnessSnapshot.objects.filter(unit__in=units).order_by("unit_id", "-taken_at", "-id").distinct("unit_id"):
        latest[snapshot.unit_id] = snapshot
    broken = dict(
        BrokenLink.objects.filter(unit__in=units, resolved_at__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    probes = {
        row["unit_id"]: row
        for row in AvailabilityProbe.objects.filter(unit__in=units, checked_at__gte=since)
        .values("unit_id")
        .annotate(total=Count("pk"), failed=Count("pk", filter=Q(ok=False)))
    }
    trends = weekly_scores_by_unit(units=units)
    rows = []
    for unit in units:
        probe = probes.get(unit.pk)
        failure = probe["failed"] / probe["total"] if probe and probe["total"] else None
        rows.append(
            UnitRow(
                unit=unit, snapshot=latest.get(unit.pk), broken_links=broken.get(unit.pk, 0),
                availability_failure=failure, trend=tuple(trends.get(unit.pk, ())),
            )
        )
    return rows


def recent_runs(*, unit, limit: int = 12) -> list[CheckRun]:
    return list(CheckRun.objects.filter(unit=unit).order_by("-started_at", "-id")[:limit])


def unit_row(*, unit) -> UnitRow:
    from .services import availability_failure_ratio

    return UnitRow(
        unit=unit, snapshot=latest_snapshot(unit=unit), broken_links=open_broken_links(unit=unit).count(),
        availability_failure=availability_failure_ratio(unit=unit),
    )


def weekly_scores(*, unit, until: datetime | None = None, weeks: int = TREND_WEEKS) -> list[tuple[date, int]]:
    """Last snapshot score of each of the last `weeks` weeks (Monday of the week), oldest first."""
    return weekly_scores_by_unit(units=[unit], until=until, weeks=weeks).get(unit.pk, [])


def weekly_scores_by_unit(*, units, until: datetime | None = None, weeks: int = TREND_WEEKS) -> dict[int, list[tuple[date, int]]]:
    """weekly_scores of many units in one query, by unit id."""
    until = until or timezone.now()
    since = until - timedelta(weeks=weeks)
    by_unit: dict[int, dict[date, int]] = {}
    snapshots = FreshnessSnapshot.objects.filter(unit__in=units, taken_at__gte=since, taken_at__lte=until).order_by("taken_at", "id")
    for unit_id, taken_at, score in snapshots.values_list("unit_id", "taken_at", "score"):
        local = taken_at.astimezone(SHANGHAI).date()
        by_unit.setdefault(unit_id, {})[local - timedelta(days=local.weekday())] = score
    return {unit_id: sorted(weeks_.items()) for unit_id, weeks_ in by_unit.items()}


def sparkline_points(points, *, width: int = 120, height: int = 28) -> str:
    """The SVG polyline points of a 0–100 score trend drawn in a width × height box."""
    if not points:
        return ""
    step = width / max(1, len(points) - 1)
    coords = []
    for index, (_week, score) in enumerate(points):
        x = index * step if len(points) > 1 else width / 2
        y = 2 + (height - 4) * (100 - max(0, min(score, 100))) / 100
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords)


def trend_svg_bars(points: list[tuple[date, int]], *, width: int = 480, height: int = 160) -> list[dict]:
    """Bar geometry of a 0–100 score trend for the template's inline SVG."""
    if not points:
        return []
    slot = width / len(points)
    bar = max(4.0, slot * 0.6)
    plot = height - 30
    bars = []
    for index, (week, score) in enumerate(points):
        h = plot * max(0, min(score, 100)) / 100
        bars.append({
            "x": round(index * slot + (slot - bar) / 2, 1), "y": round(10 + plot - h, 1),
            "width": round(bar, 1), "height": round(h, 1),
            "label_x": round(index * slot + slot / 2, 1), "label_y": height - 6, "score_y": round(10 + plot - h - 3, 1),
            "week": week.strftime("%m-%d"), "score": score,
        })
    return bars


# --- monthly report -------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, month, 1), time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=calendar.monthrange(year, month)[1])
    return start, end


def published_by_type(*, unit, start: datetime, end: datetime) -> dict[str, int]:
    from sitepages.models import ITEM_TYPES

    counts: dict[str, int] = {}
    with schema_context(unit.schema_name):
        for model in ITEM_TYPES.values():
            label = str(model._meta.verbose_name)
            counts[label] = model.objects.live().filter(
                Q(publish_date__gte=start.date(), publish_date__lt=end.date())
                | Q(publish_date__isnull=True, first_published_at__gte=start, first_published_at__lt=end)
            ).count()
    return counts


def _figures(*, unit, snapshot: FreshnessSnapshot | None, start: datetime, end: datetime) -> UnitMonthlyFigures:
    published = published_by_type(unit=unit, start=start, end=end)
    if snapshot is None:
        return UnitMonthlyFigures(
            unit_code=unit.code, unit_name=unit.name, published_by_type=published, score=0, passed=False,
            stale_columns=0, empty_columns=0, broken_links=open_broken_links(unit=unit).count(), availability_ratio=None,
            deductions=("本月无评分记录",), vetoes=("本月无评分记录",),
        )
    return UnitMonthlyFigures(
        unit_code=unit.code, unit_name=unit.name, published_by_type=published, score=snapshot.score, passed=snapshot.passed,
        stale_columns=snapshot.stale_columns, empty_columns=snapshot.empty_columns, broken_links=snapshot.broken_links,
        availability_ratio=snapshot.availability_ratio,
        deductions=tuple(f"扣 {d['points']} 分：{d['reason']}" for d in snapshot.deductions),
        vetoes=tuple(snapshot.vetoes),
    )


def _cases(*, unit, start: datetime, end: datetime) -> list[Article11Case]:
    cases = []
    failed = FreshnessSnapshot.objects.filter(unit=unit, taken_at__gte=start, taken_at__lt=end, passed=False)
    span = failed.aggregate(first=Min("taken_at"), last=Max("taken_at"))
    if span["first"] is not None:
        last = failed.first()
        cases.append(Article11Case(
            unit_name=unit.name, clause=CLAUSE_MAINTENANCE, evidence="；".join(last.vetoes),
            first_seen=span["first"].astimezone(SHANGHAI).date(), last_seen=span["last"].astimezone(SHANGHAI).date(),
        ))
    links = BrokenLink.objects.filter(unit=unit, first_seen__lt=end, last_seen__gte=start)
    span = links.aggregate(first=Min("first_seen"), last=Max("last_seen"), n=Count("pk"))
    if span["n"]:
        sample = "、".join(links.values_list("url", flat=True)[:3])
        cases.append(Article11Case(
            unit_name=unit.name, clause=CLAUSE_UNREACHABLE, evidence=f"{span['n']} 个链接无法打开（如 {sample}）",
            first_seen=max(span["first"], start).astimezone(SHANGHAI).date(),
            last_seen=min(span["last"], end - timedelta(seconds=1)).astimezone(SHANGHAI).date(),
        ))
    return cases


def monthly_report(*, year: int, month: int) -> MonthlyReport:
    from tenants.selectors import directory_units

    start, end = month_bounds(year, month)
    directory = list(directory_units())
    # The month's last snapshot and the weekly trend of every unit, one query each.
    last_snapshots = {
        snapshot.unit_id: snapshot
        for snapshot in FreshnessSnapshot.objects.filter(unit__in=directory, taken_at__gte=start, taken_at__lt=end)
        .order_by("unit_id", "-taken_at", "-id").distinct("unit_id")
    }
    trends = weekly_scores_by_unit(units=directory, until=min(end, timezone.now()))
    units, cases, trend = [], [], {}
    for unit in directory:
        units.append(_figures(unit=unit, snapshot=last_snapshots.get(unit.pk), start=start, end=end))
        cases.extend(_cases(unit=unit, start=start, end=end))
        trend[unit.code] = trends.get(unit.pk, [])
    return MonthlyReport(
        year=year, month=month, generated_at=timezone.now(), units=tuple(units), cases=tuple(cases), trend=trend, weights=WEIGHTS
    )
