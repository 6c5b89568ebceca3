"""Writes of 网上抓取: runs of a source (fetch, parse, deduplicate, store), the schedule, reviews.

A run never raises for what a source does wrong: a fetch error (HTTP status,
timeout, refused or private address, robots.txt), a body that does not parse,
or a database refusal is recorded on the run, the source is given a back-off,
and the next source runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from . import selectors
from .events import items_reviewed
from .fetch import FetchError, FetchLimits, fetch_sync
from .models import HarvestedItem, HarvestRun, HarvestSource, ItemStatus, RunOutcome, RunTrigger, SourceKind
from .parse import ListSelectors, ParseError, ParseResult, content_hash, parse_feed, parse_list_page, url_key

FETCH_LIMITS = FetchLimits()
# After a failure the source is tried again after 5, 10, 20 … minutes, at most 6 hours later.
RETRY_BASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
# A due source is leased for this long when a scheduled run claims it: a second worker skips it.
LEASE = timedelta(minutes=15)
MAX_SOURCES_PER_TICK = 50
# 立即抓取 is refused while a run of the source that started this recently has not finished.
ON_DEMAND_GUARD = timedelta(minutes=10)
# A date further ahead than this is not believed for ordering (the item sorts as harvested now).
FUTURE_TOLERANCE = timedelta(days=1)


def _allowed_private_hosts() -> frozenset[str]:
    return frozenset(settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS)


@dataclass(frozen=True)
class _Stored:
    new: int
    duplicate: int


def _store(*, source: HarvestSource, run: HarvestRun, parsed: ParseResult, now: datetime) -> _Stored:
    """Keep the items not seen before (by URL or by content, from any source)."""
    rows = []
    for item in parsed.items:
        digest = content_hash(title=item.title, summary=item.summary, published_at=item.published_at)
        rows.append((item, url_key(item.url), digest))
    known_urls, known_contents = selectors.known_keys(url_keys=[r[1] for r in rows], hashes=[r[2] for r in rows])
    status = ItemStatus.PENDING if source.requires_review else ItemStatus.SHOWN
    new = duplicate = 0
    for item, key, digest in rows:
        if key in known_urls or digest in known_contents:
            duplicate += 1
            continue
        published = item.published_at
        sort_at = published if published is not None and published <= now + FUTURE_TOLERANCE else now
        try:
            with transaction.atomic():
                HarvestedItem.objects.create(
                    source=source,
                    section_id=source.section_id,
                    run=run,
                    title=item.title,
                    url=item.url,
                    url_key=key,
                    content_hash=digest,
                    published_at=published,
                    harvested_at=now,
                    sort_at=sort_at,
                    summary=item.summary,
                    status=status,
                )
        except IntegrityError:
            # Stored meanwhile by another run (the unique keys are the last word).
            duplicate += 1
            continue
        known_urls.add(key)
        known_contents.add(digest)
        new += 1
    return _Stored(new=new, duplicate=duplicate)


def _parse(source: HarvestSource, *, body: bytes, url: str, content_type: str, charset: str | None) -> ParseResult:
    if source.kind == SourceKind.HTML:
        return parse_list_page(
            body,
            url=url,
            charset=charset,
            selectors=ListSelectors(
                item=source.item_selector,
                title=source.title_selector,
                date=source.date_selector,
                date_format=source.date_format,
                summary=source.summary_selector,
            ),
        )
    return parse_feed(body, url=url, content_type=content_type)


def _backoff(*, source: HarvestSource, failures: int, transient: bool) -> timedelta:
    delay = min(RETRY_BASE * (2 ** (failures - 1)), MAX_BACKOFF)
    if not transient:
        # Nothing suggests the next minutes will differ (refused, robots.txt, unreadable): the usual interval at least.
        delay = max(delay, timedelta(minutes=source.interval_minutes))
    return delay


def _finish_ok(*, run: HarvestRun, source: HarvestSource, parsed: ParseResult, stored: _Stored, now: datetime) -> None:
    run.items_found = len(parsed.items) + len(parsed.skipped)
    run.items_new = stored.new
    run.items_duplicate = stored.duplicate
    run.items_skipped = len(parsed.skipped)
    notes = [f"读到 {run.items_found} 条，新增 {stored.new} 条，重复 {stored.duplicate} 条"]
    if stored.new and source.requires_review:
        notes.append(f"{stored.new} 条待审核")
    if parsed.skipped:
        notes.append(f"跳过 {len(parsed.skipped)} 条：" + "；".join(sorted(set(parsed.skipped))[:5]))
    if parsed.undated:
        notes.append(f"{parsed.undated} 条日期无法识别，按抓取时间排序")
    run.detail = "；".join(notes)[:2000]
    run.outcome = RunOutcome.OK
    run.attempt = 0
    run.next_attempt_at = now + timedelta(minutes=source.interval_minutes)
    source.consecutive_failures = 0
    source.next_run_at = run.next_attempt_at


def _finish_failed(*, run: HarvestRun, source: HarvestSource, message: str, transient: bool, now: datetime) -> None:
    failures = source.consecutive_failures + 1
    run.outcome = RunOutcome.FAILED
    run.error = message[:2000]
    run.attempt = failures
    run.next_attempt_at = now + _backoff(source=source, failures=failures, transient=transient)
    run.detail = f"连续第 {failures} 次失败，{timezone.localtime(run.next_attempt_at):%m-%d %H:%M} 重试"
    source.consecutive_failures = failures
    source.next_run_at = run.next_attempt_at


def _harvest(*, source: HarvestSource, trigger: str, body: bytes | None = None, now: datetime | None = None) -> HarvestRun:
    """One run: fetch the source (or read ``body``, the demo's copy of it), store what is new, record it."""
    started = now or timezone.now()
    run = HarvestRun.objects.create(source=source, trigger=trigger, started_at=started)
    try:
        if body is None:
            fetched = fetch_sync(source.url, limits=FETCH_LIMITS, allowed_private_hosts=_allowed_private_hosts())
            run.status_code = fetched.status
            body, url, content_type, charset = fetched.body, fetched.url, fetched.content_type, fetched.charset
        else:
            url, content_type, charset = source.url, "", None
        parsed = _parse(source, body=body, url=url, content_type=content_type, charset=charset)
        with transaction.atomic():
            stored = _store(source=source, run=run, parsed=parsed, now=timezone.now())
    except FetchError as exc:
        run.status_code = exc.status
        _finish_failed(run=run, source=source, message=exc.message, transient=exc.transient, now=timezone.now())
    except ParseError as exc:
        _finish_failed(run=run, source=source, message=str(exc), transient=False, now=timezone.now())
    except DatabaseError as exc:
        _finish_failed(run=run, source=source, message=f"数据库错误：{type(exc).__name__}", transient=True, now=timezone.now())
    else:
        _finish_ok(run=run, source=source, parsed=parsed, stored=stored, now=timezone.now())
    run.finished_at = timezone.now()
    run.save()
    HarvestSource.objects.filter(pk=source.pk).update(
        consecutive_failures=source.consecutive_failures, next_run_at=source.next_run_at
    )
    return run


def run_source(*, source_id: int, trigger: str = RunTrigger.SCHEDULE) -> HarvestRun | None:
    """Run one source now (None if it no longer exists); the outcome is on the returned run."""
    source = HarvestSource.objects.select_related("section").filter(pk=source_id).first()
    if source is None:
        return None
    return _harvest(source=source, trigger=trigger)


def run_source_from_body(*, source_id: int, body: bytes, trigger: str = RunTrigger.DEMO) -> HarvestRun:
    """A run that reads ``body`` instead of fetching (the demo seeds before its web server listens)."""
    source = HarvestSource.objects.select_related("section").get(pk=source_id)
    return _harvest(source=source, trigger=trigger, body=body)


def run_due_sources(*, now: datetime) -> list[HarvestRun]:
    """The schedule's tick: claim the due sources (a lease, so a parallel tick skips them) and run each."""
    with transaction.atomic():
        claimed = list(
            selectors.due_sources(now=now).select_for_update(skip_locked=True).values_list("pk", flat=True)[:MAX_SOURCES_PER_TICK]
        )
        HarvestSource.objects.filter(pk__in=claimed).update(next_run_at=now + LEASE)
    runs = []
    for source_id in claimed:
        run = run_source(source_id=source_id, trigger=RunTrigger.SCHEDULE)
        if run is not None:
            runs.append(run)
    return runs


def request_run(*, source: HarvestSource) -> None:
    """立即抓取: queue a run of the source after commit (refused while one is under way)."""
    from govplatform.tasking import enqueue

    if selectors.run_in_progress(source=source, since=timezone.now() - ON_DEMAND_GUARD):
        raise ValidationError(f"「{source.name}」正在抓取，请稍后查看结果")
    enqueue(
        "harvest.tasks.run_source",
        schema_name="public",
        task_name=f"harvest:{source.pk}:on-demand",
        source_id=source.pk,
        trigger=str(RunTrigger.MANUAL),
    )


def reschedule(*, source: HarvestSource) -> None:
    """After the centre edits a source: due at the next tick, its failure count forgotten."""
    HarvestSource.objects.filter(pk=source.pk).update(next_run_at=None, consecutive_failures=0)


# --- review -------------------------------------------------------------------------

DECISIONS = {"approve": ItemStatus.SHOWN, "reject": ItemStatus.REJECTED}


def decide_items(*, item_ids: list[int], decision: str, user) -> int:
    """Show (approve) or withdraw (reject) harvested items; returns how many changed."""
    if decision not in DECISIONS:
        raise ValidationError("未知的审核操作")
    if not item_ids:
        raise ValidationError("请先选择要处理的信息")
    status = DECISIONS[decision]
    changed = (
        HarvestedItem.objects.filter(pk__in=item_ids)
        .exclude(status=status)
        .update(status=status, reviewed_at=timezone.now(), reviewed_by=user)
    )
    if changed:
        transaction.on_commit(lambda: items_reviewed.send(sender=HarvestedItem, changed=changed))
    return changed
