"""Reads of the oversight app: what the checks judge (a unit's columns and items,
its domains) and the records they leave, for the services, admin views, panels
and reports.  Views and panels read through here, never the models."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone

from columns.types import DEFAULT_POLICY_DAYS, ColumnKind
from tenants.context import schema_named
from tenants.hosts import base_url_for_host, unit_base_url

from .freshness import SHANGHAI, ColumnState, ScoringWeights, UnitState
from .linkcheck import CheckConfig
from .models import AvailabilityProbe, BrokenLink, CheckOutcome, CheckRun, FreshnessSnapshot, SharedLinkResult
from .reports.figures import (
    CLAUSE_INTERACTION,
    CLAUSE_MAINTENANCE,
    CLAUSE_UNREACHABLE,
    NO_RECORD,
    NOT_OPEN,
    Article11Case,
    MonthlyReport,
    UnitMonthlyFigures,
)

AVAILABILITY_WINDOW = timedelta(days=7)


# --- what the checks judge --------------------------------------------------------


def edit_url(page_id: int) -> str:
    return f"/admin/pages/{page_id}/edit/"


def _as_moment(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(12, 0), tzinfo=SHANGHAI)


def _newest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def scored_column_types() -> list:
    """Column page types judged for freshness: every column except the 栏目分组 containers."""
    from sitepages.models import COLUMN_PAGE_TYPES, SectionPage

    return [model for model in COLUMN_PAGE_TYPES if model is not SectionPage]


def _item_figures_by_parent() -> dict[str, dict]:
    """parent path → {count, newest}: one UNION query over every item type."""
    from wagtail.models import Page

    from sitepages.models import ITEM_TYPES

    queries = [
        model.objects.live()
        .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
        .values("parent_path")
        .annotate(
            n=Count("pk"),
            newest_date=Max("publish_date"),
            newest_undated=Max("last_published_at", filter=Q(publish_date__isnull=True)),
        )
        .order_by()
        for model in ITEM_TYPES.values()
    ]
    figures: dict[str, dict] = {}
    for row in queries[0].union(*queries[1:], all=True):
        entry = figures.setdefault(row["parent_path"], {"count": 0, "newest": None})
        entry["count"] += row["n"]
        entry["newest"] = _newest(entry["newest"], _as_moment(row["newest_date"]), row["newest_undated"])
    return figures


def _columns() -> list[dict]:
    """Every live column of the unit: one UNION query over the column page types."""
    fields = (
        "id",
        "content_type_id",
        "title",
        "path",
        "url_path",
        "column_kind",
        "policy_days",
        "last_confirmed_at",
        "last_published_at",
        "requirement_key",
    )
    queries = [model.objects.live().values(*fields).order_by() for model in scored_column_types()]
    return sorted(queries[0].union(*queries[1:], all=True), key=lambda row: row["path"])


def _homepage_newest_dynamic() -> datetime | None:
    """The newest of the homepage's dynamic information: the unit's 首页动态信息 columns (sitepages.homepage)."""
    from sitepages.homepage import newest_dynamic

    return newest_dynamic()


def centre_unit():
    """The portal's unit (public schema): the information centre's own records, e.g. the broken links
    of the platform's shared templates. None when the registry has no portal row."""
    from tenants.models import Unit

    return Unit.objects.filter(schema_name="public").first()


def open_broken_links(*, unit):
    return BrokenLink.objects.filter(unit=unit, resolved_at__isnull=True)


def availability_failure_ratio(*, unit, now: datetime | None = None) -> float | None:
    since = (now or timezone.now()) - AVAILABILITY_WINDOW
    row = AvailabilityProbe.objects.filter(unit=unit, checked_at__gte=since).aggregate(
        total=Count("pk"), failed=Count("pk", filter=Q(ok=False))
    )
    return None if not row["total"] else row["failed"] / row["total"]


AVAILABILITY_LEVELS = ("none", "ok", "warning", "veto")


def availability_level(failure: float | None, *, weights: ScoringWeights | None = None) -> str:
    """ "veto" above the national 5 % line, "warning" above the early line, "ok" below, "none" without data."""
    weights = weights or ScoringWeights()
    if failure is None:
        return "none"
    if failure > weights.availability_veto_ratio:
        return "veto"
    if failure > weights.availability_warning_ratio:
        return "warning"
    return "ok"


def unit_state(*, unit) -> UnitState:
    """The unit's columns, items and monitoring figures as the scorer needs them."""
    from django.contrib.contenttypes.models import ContentType

    from interaction import selectors as interaction_selectors
    from sitepages.models import ColumnListingPage

    broken = open_broken_links(unit=unit).count()
    failure = availability_failure_ratio(unit=unit)
    # A retired requirement's page stays published but is no longer required: not judged.
    retired = set(unit.requirements.filter(retired_at__isnull=False).values_list("key", flat=True))
    with schema_named(unit.schema_name):
        listing_type = ContentType.objects.get_for_model(ColumnListingPage).pk
        items = _item_figures_by_parent()
        # 互动交流 (two queries): the 互动渠道 column's content is its published replies.
        published, newest_reply, interaction = interaction_selectors.freshness_state()
        replies = (published, newest_reply)
        columns = []
        for row in _columns():
            if row["requirement_key"] and row["requirement_key"] in retired:
                continue
            kind = ColumnKind(row["column_kind"])
            own = items.get(row["path"], {"count": 0, "newest": None})
            count, newest = own["count"], own["newest"]
            if kind is ColumnKind.STATIC and row["content_type_id"] != listing_type and row["last_published_at"] is not None:
                # A static page (机构概况, 领导信息 …) is itself the column's content.
                count += 1
                newest = _newest(newest, row["last_published_at"])
            if kind is ColumnKind.INTERACTION:
                # Not a text page: its content is the published replies (interaction), judged by the interaction rule.
                count, newest = replies
            policy_days = row["policy_days"] if row["policy_days"] is not None else DEFAULT_POLICY_DAYS[kind]
            columns.append(
                ColumnState(
                    column_id=row["id"],
                    title=row["title"],
                    path=row["url_path"],
                    kind=kind,
                    policy_days=policy_days,
                    item_count=count,
                    newest_publish=newest,
                    last_confirmed=row["last_confirmed_at"],
                    edit_url=edit_url(row["id"]),
                )
            )
        homepage = _homepage_newest_dynamic()
    return UnitState(
        unit_code=unit.code,
        unit_name=unit.name,
        columns=tuple(columns),
        homepage_newest_dynamic=homepage,
        broken_links=broken,
        availability_failure_ratio=failure,
        interaction=interaction,
    )


def static_column(*, page_id: int):
    for model in scored_column_types():
        page = model.objects.filter(pk=page_id).first()
        if page is not None:
            if page.column_kind != ColumnKind.STATIC:
                raise ValidationError("只有静态信息类栏目需要核查确认")
            return page
    raise ValidationError("栏目不存在")


def site_unit(code: str):
    """A unit with a site, by its code; None when there is none."""
    from tenants.models import Unit

    return Unit.objects.sites().filter(code=code).first()


def broken_links_by_recency(*, unit):
    """The unit's open broken links, the most recently seen first."""
    return open_broken_links(unit=unit).order_by("-last_seen", "url")


def _page_ids_by_path(paths: set[str]) -> dict[str, int]:
    """URL path on the unit's site → page id (inside the unit's schema)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first() or Site.objects.first()
    if site is None or not paths:
        return {}
    root = site.root_page.url_path.rstrip("/")
    wanted = {root + (path if path.endswith("/") else path + "/"): path for path in paths}
    return {wanted[url_path]: pk for pk, url_path in Page.objects.filter(url_path__in=wanted).values_list("pk", "url_path")}


def unit_broken_link_rows(*, unit) -> list[dict]:
    """The unit's own open broken links, each once, with every page it appears on and that page's
    edit link (the unit admin's 本站无法打开的链接 list). Call from the unit's schema or the public one."""
    links = list(broken_links_by_recency(unit=unit))
    # The crawler parses only the unit's own pages, so every source page is one of the unit's.
    paths = {urlsplit(source.get("page", "")).path or "/" for link in links for source in link.sources}
    with schema_named(unit.schema_name):
        page_ids = _page_ids_by_path(paths)
    rows = []
    for link in links:
        sources = []
        for source in link.sources:
            page_id = page_ids.get(urlsplit(source.get("page", "")).path or "/")
            sources.append(
                {"page": source.get("page", ""), "text": source.get("text", ""), "edit_url": edit_url(page_id) if page_id else ""}
            )
        rows.append(
            {
                "url": link.url,
                "problem": link.problem,
                "first_seen": link.first_seen,
                "last_seen": link.last_seen,
                "sources": sources,
            }
        )
    return rows


def check_running(*, unit, kind: str, since: datetime) -> bool:
    """Whether a check of this kind of the unit started after ``since`` and has not finished."""
    return CheckRun.objects.filter(unit=unit, kind=kind, outcome=CheckOutcome.RUNNING, started_at__gte=since).exists()


# --- links ----------------------------------------------------------------------


def _netloc(hostname: str) -> str:
    return urlsplit(base_url_for_host(hostname)).netloc


# A link check run visits every unit within a few hours; a shared-template link checked within
# this window is taken as checked for the run (oversight.models.SharedLinkResult).
SHARED_LINK_RESULT_HOURS = 6


def shared_link_results(*, now: datetime | None = None) -> dict[str, tuple[int | None, str | None]]:
    since = (now or timezone.now()) - timedelta(hours=SHARED_LINK_RESULT_HOURS)
    rows = SharedLinkResult.objects.filter(checked_at__gte=since).values_list("url", "status", "error")
    return {url: (status, error or None) for url, status, error in rows}


def link_config(*, unit, homepage_only: bool = False) -> CheckConfig:
    from tenants.models import Domain

    domains = Domain.objects.filter(tenant=unit).values_list("domain", flat=True)
    own = frozenset(_netloc(domain) for domain in domains)
    return CheckConfig(
        start_url=unit_base_url(unit) + "/",
        internal_hosts=own,
        # The unit's own hosts are the platform's: an intranet deployment
        # serves them on private addresses, which must not block the check.
        allowed_private_hosts=frozenset(settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS) | own,
        max_concurrency=settings.LINKCHECK_CONCURRENCY,
        only_start_page=homepage_only,
        known_results=shared_link_results(),
    )


# --- the records, for the admin ---------------------------------------------------

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
                unit=unit,
                snapshot=latest.get(unit.pk),
                broken_links=broken.get(unit.pk, 0),
                availability_failure=failure,
                trend=tuple(trends.get(unit.pk, ())),
            )
        )
    return rows


def recent_runs(*, unit, limit: int = 12) -> list[CheckRun]:
    return list(CheckRun.objects.filter(unit=unit).order_by("-started_at", "-id")[:limit])


def unit_row(*, unit) -> UnitRow:
    return UnitRow(
        unit=unit,
        snapshot=latest_snapshot(unit=unit),
        broken_links=open_broken_links(unit=unit).count(),
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
    snapshots = FreshnessSnapshot.objects.filter(unit__in=units, taken_at__gte=since, taken_at__lte=until).order_by(
        "taken_at", "id"
    )
    for unit_id, taken_at, score in snapshots.values_list("unit_id", "taken_at", "score"):
        local = taken_at.astimezone(SHANGHAI).date()
        by_unit.setdefault(unit_id, {})[local - timedelta(days=local.weekday())] = score
    return {unit_id: sorted(weeks_.items()) for unit_id, weeks_ in by_unit.items()}


def vetoed_weeks(*, unit, until: datetime | None = None, weeks: int = TREND_WEEKS) -> set[date]:
    """Mondays of the weeks whose last snapshot carried a single-item veto (drawn red in the trend)."""
    until = until or timezone.now()
    last: dict[date, bool] = {}
    snapshots = FreshnessSnapshot.objects.filter(
        unit=unit, taken_at__gte=until - timedelta(weeks=weeks), taken_at__lte=until
    ).order_by("taken_at", "id")
    for taken_at, passed in snapshots.values_list("taken_at", "passed"):
        local = taken_at.astimezone(SHANGHAI).date()
        last[local - timedelta(days=local.weekday())] = passed
    return {week for week, passed in last.items() if not passed}


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


def trend_svg_bars(
    points: list[tuple[date, int]], *, width: int = 480, height: int = 160, vetoed: set[date] | frozenset = frozenset()
) -> list[dict]:
    """Bar geometry of a 0–100 score trend for the template's inline SVG; a week in ``vetoed``
    (a single-item veto, whatever the score) is drawn red."""
    if not points:
        return []
    slot = width / len(points)
    bar = max(4.0, slot * 0.6)
    plot = height - 30
    bars = []
    for index, (week, score) in enumerate(points):
        h = plot * max(0, min(score, 100)) / 100
        bars.append(
            {
                "x": round(index * slot + (slot - bar) / 2, 1),
                "y": round(10 + plot - h, 1),
                "width": round(bar, 1),
                "height": round(h, 1),
                "label_x": round(index * slot + slot / 2, 1),
                "label_y": height - 6,
                "score_y": round(10 + plot - h - 3, 1),
                "week": week.strftime("%m-%d"),
                "score": score,
                "vetoed": week in vetoed,
            }
        )
    return bars


# --- monthly report -------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, month, 1), time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=calendar.monthrange(year, month)[1])
    return start, end


def published_by_type(*, unit, start: datetime, end: datetime) -> dict[str, int]:
    from sitepages.models import ITEM_TYPES

    counts: dict[str, int] = {}
    with schema_named(unit.schema_name):
        for model in ITEM_TYPES.values():
            label = str(model._meta.verbose_name)
            counts[label] = (
                model.objects.live()
                .filter(
                    Q(publish_date__gte=start.date(), publish_date__lt=end.date())
                    | Q(publish_date__isnull=True, first_published_at__gte=start, first_published_at__lt=end)
                )
                .count()
            )
    return counts


def in_grace(*, unit, moment: datetime) -> bool:
    """Whether ``moment`` is within the unit's grace period (settings.OVERSIGHT_GRACE_DAYS after it was opened)."""
    return moment < unit.created_at + timedelta(days=settings.OVERSIGHT_GRACE_DAYS)


def _figures(*, unit, snapshot: FreshnessSnapshot | None, start: datetime, end: datetime) -> UnitMonthlyFigures:
    """One unit's month, from that month's last snapshot only: no snapshot, no figures (无记录 / 未开通)."""
    if unit.created_at >= end:
        return UnitMonthlyFigures(
            unit_code=unit.code,
            unit_name=unit.name,
            published_by_type={},
            score=0,
            passed=True,
            stale_columns=0,
            empty_columns=0,
            broken_links=0,
            availability_ratio=None,
            deductions=(),
            status=NOT_OPEN,
        )
    published = published_by_type(unit=unit, start=start, end=end)
    if snapshot is None:
        return UnitMonthlyFigures(
            unit_code=unit.code,
            unit_name=unit.name,
            published_by_type=published,
            score=0,
            passed=True,
            stale_columns=0,
            empty_columns=0,
            broken_links=0,
            availability_ratio=None,
            deductions=(),
            status=NO_RECORD,
        )
    grace = ""
    if in_grace(unit=unit, moment=snapshot.taken_at):
        grace = f"开通未满 {settings.OVERSIGHT_GRACE_DAYS} 天"
    return UnitMonthlyFigures(
        unit_code=unit.code,
        unit_name=unit.name,
        published_by_type=published,
        score=snapshot.score,
        passed=snapshot.passed,
        stale_columns=snapshot.stale_columns,
        empty_columns=snapshot.empty_columns,
        broken_links=snapshot.broken_links,
        availability_ratio=snapshot.availability_ratio,
        deductions=tuple(f"扣 {d['points']} 分：{d['reason']}" for d in snapshot.deductions),
        vetoes=tuple(snapshot.vetoes),
        grace_note=grace,
    )


def _links_at(*, unit, moment: datetime):
    """The unit's broken links open at ``moment`` (what a snapshot taken then counted)."""
    return BrokenLink.objects.filter(unit=unit, first_seen__lte=moment).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment)
    )


def _cases(*, unit, start: datetime, end: datetime, snapshot: FreshnessSnapshot | None = None) -> list[Article11Case]:
    """第十一条 cases of the month, from the same records as the table: the month's snapshots
    (vetoes not counted during the grace period) and the broken links the month's last snapshot counted."""
    cases = []
    failed = FreshnessSnapshot.objects.filter(unit=unit, taken_at__gte=start, taken_at__lt=end, passed=False)
    failed = failed.filter(taken_at__gte=unit.created_at + timedelta(days=settings.OVERSIGHT_GRACE_DAYS))
    span = failed.aggregate(first=Min("taken_at"), last=Max("taken_at"))
    if span["first"] is not None:
        last = failed.first()
        cases.append(
            Article11Case(
                unit_name=unit.name,
                clause=CLAUSE_MAINTENANCE,
                evidence="；".join(last.vetoes),
                first_seen=span["first"].astimezone(SHANGHAI).date(),
                last_seen=span["last"].astimezone(SHANGHAI).date(),
            )
        )
    if snapshot is not None and snapshot.broken_links:
        links = _links_at(unit=unit, moment=snapshot.taken_at)
        span = links.aggregate(first=Min("first_seen"))
        sample = "、".join(links.order_by("url").values_list("url", flat=True)[:3])
        cases.append(
            Article11Case(
                unit_name=unit.name,
                clause=CLAUSE_UNREACHABLE,
                evidence=f"{snapshot.broken_links} 个链接无法打开" + (f"（如 {sample}）" if sample else ""),
                first_seen=max(span["first"] or snapshot.taken_at, start).astimezone(SHANGHAI).date(),
                last_seen=snapshot.taken_at.astimezone(SHANGHAI).date(),
            )
        )
    from interaction.selectors import article11_evidence

    with schema_named(unit.schema_name):
        interaction = article11_evidence(start=start, end=end)
    if interaction is not None:
        _count, evidence, first_seen, last_seen = interaction
        cases.append(
            Article11Case(
                unit_name=unit.name,
                clause=CLAUSE_INTERACTION,
                evidence=evidence,
                first_seen=first_seen,
                last_seen=last_seen,
            )
        )
    return cases


def monthly_report(*, year: int, month: int) -> MonthlyReport:
    from tenants.selectors import directory_units

    start, end = month_bounds(year, month)
    directory = list(directory_units())
    # The month's last snapshot and the weekly trend of every unit, one query each.
    last_snapshots = {
        snapshot.unit_id: snapshot
        for snapshot in FreshnessSnapshot.objects.filter(unit__in=directory, taken_at__gte=start, taken_at__lt=end)
        .order_by("unit_id", "-taken_at", "-id")
        .distinct("unit_id")
    }
    trends = weekly_scores_by_unit(units=directory, until=min(end, timezone.now()))
    from interaction.selectors import report_rows

    units, cases, trend, interaction = [], [], {}, []
    for unit in directory:
        snapshot = last_snapshots.get(unit.pk)
        units.append(_figures(unit=unit, snapshot=snapshot, start=start, end=end))
        if unit.created_at < end:
            cases.extend(_cases(unit=unit, start=start, end=end, snapshot=snapshot))
        trend[unit.code] = trends.get(unit.pk, [])
        with schema_named(unit.schema_name):
            interaction.extend(report_rows(year=year, month=month, unit=unit))
    return MonthlyReport(
        year=year,
        month=month,
        generated_at=timezone.now(),
        units=tuple(units),
        cases=tuple(cases),
        trend=trend,
        weights=WEIGHTS,
        interaction=tuple(interaction),
    )
