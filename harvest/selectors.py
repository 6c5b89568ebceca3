"""Reads of 网上抓取: the portal's sections and items, the centre's sources, runs and review queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from .models import HarvestedItem, HarvestRun, HarvestSection, HarvestSource, ItemStatus, RunOutcome

# --- the portal -------------------------------------------------------------------


def sections() -> QuerySet[HarvestSection]:
    return HarvestSection.objects.order_by("sort_order", "id")


def section_by_slug(*, slug: str) -> HarvestSection | None:
    return HarvestSection.objects.filter(slug=slug).first()


def shown_items(*, section: HarvestSection | None = None) -> QuerySet[HarvestedItem]:
    """What the portal shows, newest first: approved items only (never a unit's content)."""
    items = HarvestedItem.objects.filter(status=ItemStatus.SHOWN).select_related("source", "section")
    if section is not None:
        items = items.filter(section=section)
    return items.order_by("-sort_at", "-id")


@dataclass(frozen=True)
class SectionBlock:
    section: HarvestSection
    items: list[HarvestedItem]


def section_block(*, slug: str, limit: int) -> SectionBlock | None:
    section = section_by_slug(slug=slug)
    if section is None:
        return None
    return SectionBlock(section=section, items=list(shown_items(section=section)[: max(1, min(limit, 50))]))


def section_blocks(*, limit: int) -> list[SectionBlock]:
    return [SectionBlock(section=section, items=list(shown_items(section=section)[:limit])) for section in sections()]


# --- the schedule -----------------------------------------------------------------


def due_sources(*, now: datetime) -> QuerySet[HarvestSource]:
    """Active sources whose next run is due (never run yet, or its time has come), the longest waiting first."""
    return (
        HarvestSource.objects.filter(active=True)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .order_by(F("next_run_at").asc(nulls_first=True), "id")
    )


def run_in_progress(*, source: HarvestSource, since: datetime) -> bool:
    return HarvestRun.objects.filter(source=source, outcome=RunOutcome.RUNNING, started_at__gte=since).exists()


def known_keys(*, url_keys: list[str], hashes: list[str]) -> tuple[set[str], set[str]]:
    """Which of these URL keys and content hashes are already harvested (by any source)."""
    urls = set(HarvestedItem.objects.filter(url_key__in=url_keys).values_list("url_key", flat=True))
    contents = set(HarvestedItem.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True))
    return urls, contents


# --- the centre's screens ---------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    source: HarvestSource
    last_run: HarvestRun | None
    shown: int
    pending: int


def _with_counts(sources: QuerySet[HarvestSource]) -> QuerySet[HarvestSource]:
    return sources.select_related("section").annotate(
        shown_count=Count("items", filter=Q(items__status=ItemStatus.SHOWN)),
        pending_count=Count("items", filter=Q(items__status=ItemStatus.PENDING)),
    )


def _last_runs(source_ids: list[int]) -> dict[int, HarvestRun]:
    # PostgreSQL DISTINCT ON: the newest run of each source, in one query.
    runs = HarvestRun.objects.filter(source_id__in=source_ids).order_by("source_id", "-started_at", "-id").distinct("source_id")
    return {run.source_id: run for run in runs}


def source_rows() -> list[SourceRow]:
    sources = list(_with_counts(HarvestSource.objects.all()).order_by("section__sort_order", "section_id", "name"))
    last = _last_runs([source.pk for source in sources])
    return [SourceRow(source=s, last_run=last.get(s.pk), shown=s.shown_count, pending=s.pending_count) for s in sources]


def source_row(*, source_id: int) -> SourceRow | None:
    source = _with_counts(HarvestSource.objects.filter(pk=source_id)).first()
    if source is None:
        return None
    return SourceRow(
        source=source,
        last_run=_last_runs([source.pk]).get(source.pk),
        shown=source.shown_count,
        pending=source.pending_count,
    )


def recent_runs(*, source: HarvestSource, limit: int = 30) -> list[HarvestRun]:
    return list(HarvestRun.objects.filter(source=source).order_by("-started_at", "-id")[:limit])


def recent_items(*, source: HarvestSource, limit: int = 20) -> list[HarvestedItem]:
    return list(HarvestedItem.objects.filter(source=source).select_related("section").order_by("-harvested_at", "-id")[:limit])


def review_items(*, status: str) -> QuerySet[HarvestedItem]:
    """The review queue (待审核), or the items shown or turned down, newest harvest first."""
    return (
        HarvestedItem.objects.filter(status=status)
        .select_related("source", "section", "reviewed_by")
        .order_by("-harvested_at", "-id")
    )


def status_counts() -> dict[str, int]:
    counts = dict(HarvestedItem.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in ItemStatus.values}
