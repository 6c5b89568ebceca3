"""Writes of the portal index: the outbox, draining it, and full rebuilds."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from govplatform.tasking import enqueue
from tenants.context import current_schema_name, in_public_schema, schema_exists, schema_named
from tenants.models import Unit

from .backends import get_backend
from .backends.base import PortalDoc, PortalSearchBackend, document_key
from .documents import build_documents, indexable_pages, iter_unit_documents
from .events import portal_index_changed
from .models import OutboxAction, OutboxAlert, OutboxEntry, OutboxStatus
from .notifications import notify_outbox_backlog

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
DRAIN_BATCH = 500
_NOT_UNITS = frozenset({"public", settings.TENANT_BASE_SCHEMA})


class ReindexError(Exception):
    pass


# --- recording changes (called from signal receivers, inside the unit's transaction) ---


def record_page_changes(*, page_ids: Iterable[int], action: str) -> int:
    """Queue pages of the active unit schema for re-indexing, in the caller's transaction."""
    schema = current_schema_name()
    if schema in _NOT_UNITS:
        return 0
    entries = [OutboxEntry(schema_name=schema, page_id=page_id, action=action) for page_id in set(page_ids)]
    OutboxEntry.objects.bulk_create(entries)
    if entries:
        schedule_drain()
    return len(entries)


def record_subtree_changes(*, page_id: int, action: str = OutboxAction.UPSERT) -> int:
    """A page and everything below it: moves and privacy changes affect the whole subtree."""
    from wagtail.models import Page

    path = Page.objects.filter(id=page_id).values_list("path", flat=True).first()
    if path is None:
        return record_page_changes(page_ids=[page_id], action=action)
    ids = Page.objects.filter(path__startswith=path).values_list("id", flat=True)
    return record_page_changes(page_ids=ids, action=action)


def schedule_drain() -> None:
    """Drain once the current transaction commits (the task finds nothing if another drain was first)."""
    enqueue("search.tasks.drain_outbox", schema_name="public", task_name="public:drain_outbox")


# --- draining -------------------------------------------------------------------


@dataclass
class DrainReport:
    indexed: int = 0
    removed: int = 0
    failed: int = 0
    parked: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"已索引 {self.indexed} 条，已移除 {self.removed} 条，失败 {self.failed} 条"
        return f"{text}，搁置 {self.parked} 条" if self.parked else text


@dataclass(frozen=True)
class WriteFailure:
    """Why a document (or a removal) was not written, and whether its content is to blame."""

    message: str
    rejected: bool


# After this many writes in a row failed because the index was unreachable,
# the rest of the batch is not tried one by one (it would only wait for
# timeouts); it is retried later like the failed ones.
TRANSIENT_FAILURES_BEFORE_GIVING_UP = 3


def backoff(*, attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "PORTAL_OUTBOX_MAX_ATTEMPTS", 5)))


# Removals first, in their own pass: a page withdrawn or made private leaves
# the portal before any upsert of any unit is written, however many wait.
DRAIN_PASSES = (OutboxAction.DELETE, OutboxAction.UPSERT)


def drain_outbox(*, batch_size: int = DRAIN_BATCH, ignore_backoff: bool = False) -> DrainReport:
    """Bring the index in line with every queued page; failed writes wait with back-off.

    Runs in the public schema. Entries are locked with SKIP LOCKED so that the
    minute schedule and the post-commit drains never process one entry twice.
    A document the index refuses holds back only itself: it is retried with
    back-off and parked after PORTAL_OUTBOX_MAX_ATTEMPTS; parked entries wait
    for the information centre (retry_parked).
    """
    backend = get_backend()
    report = DrainReport()
    for action in DRAIN_PASSES:
        last_id = 0
        while True:
            with transaction.atomic():
                due = OutboxEntry.objects.select_for_update(skip_locked=True).filter(
                    status=OutboxStatus.PENDING, action=action, id__gt=last_id
                )
                if not ignore_backoff:
                    due = due.exclude(next_attempt_at__gt=timezone.now())
                entries = list(due.order_by("id")[:batch_size])
                if not entries:
                    break
                last_id = entries[-1].id
                _drain_batch(entries=entries, backend=backend, report=report)
            if len(entries) < batch_size:
                break
    if report.indexed or report.removed:
        indexed, removed = report.indexed, report.removed
        transaction.on_commit(lambda: portal_index_changed.send(sender=DrainReport, indexed=indexed, removed=removed))
    return report


def _entry_key(entry: OutboxEntry) -> str:
    return document_key(schema_name=entry.schema_name, page_id=entry.page_id)


def _build(*, by_schema: dict[str, set[int]]) -> tuple[list[PortalDoc], list[str], dict[str, WriteFailure]]:
    """Documents to write and keys to remove; a unit whose schema cannot be read fails only its own entries."""
    docs: list[PortalDoc] = []
    removals: list[str] = []
    failures: dict[str, WriteFailure] = {}
    for schema, page_ids in by_schema.items():
        unit = Unit.objects.filter(schema_name=schema).first()
        if unit is None or not schema_exists(schema):
            removals += [document_key(schema_name=schema, page_id=page_id) for page_id in page_ids]
            continue
        try:
            with transaction.atomic(), schema_named(schema):
                built, gone = build_documents(unit=unit, page_ids=page_ids)
        except DatabaseError as error:
            logger.warning("读取单位 %s 的页面失败：%s", schema, error)
            failure = WriteFailure(message=f"读取单位页面失败：{type(error).__name__}: {error}", rejected=False)
            failures.update({document_key(schema_name=schema, page_id=page_id): failure for page_id in page_ids})
            continue
        docs += built
        removals += [document_key(schema_name=schema, page_id=page_id) for page_id in gone]
    return docs, removals, failures


def _drain_batch(*, entries: list[OutboxEntry], backend: PortalSearchBackend, report: DrainReport) -> None:
    docs, removals, failures = _build(by_schema=_pages_by_schema(entries=entries))
    failures.update(_write(backend=backend, docs=docs, removals=removals))
    report.indexed += sum(1 for doc in docs if doc.key not in failures)
    report.removed += sum(1 for key in removals if key not in failures)
    report.failed += len(failures)
    report.errors += [failure.message for failure in failures.values()]
    done = [e for e in entries if _entry_key(e) not in failures]
    OutboxEntry.objects.filter(id__in=[e.id for e in done]).delete()
    # The page's current state is in the index now: whatever was parked for it is moot.
    for schema, page_ids in _pages_by_schema(entries=done).items():
        OutboxEntry.objects.filter(status=OutboxStatus.PARKED, schema_name=schema, page_id__in=page_ids).delete()
    now = timezone.now()
    limit = max_attempts()
    for entry in entries:
        failure = failures.get(_entry_key(entry))
        if failure is None:
            continue
        entry.attempts += 1
        entry.next_attempt_at = now + backoff(attempts=entry.attempts)
        entry.last_error = failure.message[:2000]
        fields = ["attempts", "next_attempt_at", "last_error"]
        # Only a refusal of the document is counted towards parking: an index
        # that is down is waited for (the backlog alert tells the centre).
        if failure.rejected and entry.attempts >= limit:
            entry.status = OutboxStatus.PARKED
            entry.parked_at = now
            fields += ["status", "parked_at"]
            report.parked += 1
            OutboxEntry.objects.filter(status=OutboxStatus.PARKED, schema_name=entry.schema_name, page_id=entry.page_id).exclude(
                id=entry.id
            ).delete()
            logger.error("门户索引待办已搁置（%s 次尝试）：%s %s", entry.attempts, _entry_key(entry), failure.message[:300])
        entry.save(update_fields=fields)


def _pages_by_schema(*, entries: Iterable[OutboxEntry]) -> dict[str, set[int]]:
    pages: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        pages[entry.schema_name].add(entry.page_id)
    return pages


def _write(*, backend: PortalSearchBackend, docs: list[PortalDoc], removals: list[str]) -> dict[str, WriteFailure]:
    """Write removals, then documents; a failing part is written one by one, each in its own savepoint.

    One bad document then holds back only itself, and the transaction of the
    batch stays usable for the others and for the outbox's own bookkeeping.
    """
    failures: dict[str, WriteFailure] = {}
    parts: list[tuple[list[str], Callable[[list], int], list]] = [
        (list(removals), backend.delete, list(removals)),
        ([doc.key for doc in docs], backend.upsert, list(docs)),
    ]
    for keys, write, items in parts:
        if not items:
            continue
        try:
            with transaction.atomic():
                write(items)
        except backend.write_errors as error:
            logger.warning("门户索引批量写入失败，改为逐条写入：%s", error)
            failures.update(_write_one_by_one(backend=backend, write=write, keys=keys, items=items))
    return failures


def _write_one_by_one(
    *, backend: PortalSearchBackend, write: Callable[[list], int], keys: list[str], items: list
) -> dict[str, WriteFailure]:
    failures: dict[str, WriteFailure] = {}
    unreachable = 0
    last = ""
    for key, item in zip(keys, items, strict=True):
        if unreachable >= TRANSIENT_FAILURES_BEFORE_GIVING_UP:
            failures[key] = WriteFailure(message=f"未写入（索引连续 {unreachable} 次写入失败）：{last}", rejected=False)
            continue
        try:
            with transaction.atomic():
                write([item])
            unreachable = 0
        except backend.document_errors as error:
            failures[key] = WriteFailure(message=f"{type(error).__name__}: {error}", rejected=True)
            unreachable = 0
        except backend.transient_errors as error:
            last = f"{type(error).__name__}: {error}"
            failures[key] = WriteFailure(message=last, rejected=False)
            unreachable += 1
    return failures


def retry_parked(*, entry_ids: Iterable[int] | None = None) -> int:
    """Put parked entries back in the queue (the centre's 重试), all of them when no ids are given."""
    parked = OutboxEntry.objects.filter(status=OutboxStatus.PARKED)
    if entry_ids is not None:
        parked = parked.filter(id__in=list(entry_ids))
    count = parked.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None, parked_at=None)
    if count:
        schedule_drain()
    return count


# --- backlog alert -------------------------------------------------------------------


def alert_age() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PORTAL_OUTBOX_ALERT_MINUTES", 5)))


def check_outbox_backlog(*, now: dt.datetime | None = None) -> OutboxAlert | None:
    """Open (and mail) an alert when some entry is older than PORTAL_OUTBOX_ALERT_MINUTES; close it when none is.

    Runs every minute from its own schedule; the centre's superusers are
    mailed once per episode. Returns the open alert, or None.
    """
    now = now or timezone.now()
    stale = OutboxEntry.objects.filter(created_at__lt=now - alert_age())
    oldest = stale.order_by("created_at").values_list("created_at", flat=True).first()
    open_alert = OutboxAlert.objects.filter(closed_at__isnull=True).first()
    if oldest is None:
        if open_alert is not None:
            open_alert.closed_at = now
            open_alert.save(update_fields=["closed_at"])
        return None
    counts = dict(stale.values_list("status").annotate(n=Count("id")).order_by())
    pending, parked = counts.get(OutboxStatus.PENDING, 0), counts.get(OutboxStatus.PARKED, 0)
    if open_alert is not None:
        open_alert.pending, open_alert.parked, open_alert.oldest_created_at = pending, parked, oldest
        open_alert.save(update_fields=["pending", "parked", "oldest_created_at"])
        return open_alert
    try:
        with transaction.atomic():
            alert = OutboxAlert.objects.create(opened_at=now, oldest_created_at=oldest, pending=pending, parked=parked)
    except IntegrityError:
        # Another check opened the episode at the same moment; it sends the mail.
        return OutboxAlert.objects.filter(closed_at__isnull=True).first()
    alert.notified = notify_outbox_backlog(alert=alert, minutes=int(alert_age().total_seconds() // 60))
    alert.save(update_fields=["notified"])
    return alert


# --- rebuilding -------------------------------------------------------------------

Progress = Callable[[Iterable[PortalDoc], Unit, int], Iterable[PortalDoc]]


def _site_units(*, unit_code: str | None) -> list[Unit]:
    units = Unit.objects.sites().exclude(schema_name__in=_NOT_UNITS).order_by("sort_order", "id")
    if unit_code:
        units = units.filter(code=unit_code)
        if not units.exists():
            raise ReindexError(f"找不到单位代码为「{unit_code}」的单位")
    return list(units)


def _unit_documents(*, unit: Unit, progress: Progress | None) -> list[PortalDoc]:
    with schema_named(unit.schema_name):
        docs: Iterable[PortalDoc] = iter_unit_documents(unit=unit)
        if progress is not None:
            docs = progress(docs, unit, indexable_pages(unit=unit).count())
        return list(docs)


def reindex_portal(*, unit_code: str | None = None, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the portal index from the units' live pages; returns documents per unit code.

    A full rebuild replaces the index atomically (one transaction in PostgreSQL,
    an alias swap in Elasticsearch), so searches never see a half-built index.
    """
    if not in_public_schema():
        raise ReindexError("只能在公共模式（public schema）中重建门户索引")
    units = _site_units(unit_code=unit_code)
    backend = get_backend()
    if unit_code:
        unit = units[0]
        docs = _unit_documents(unit=unit, progress=progress)
        stale = backend.keys_of_unit(unit.code) - {doc.key for doc in docs}
        backend.upsert(docs)
        backend.delete(stale)
    else:

        def all_docs() -> Iterator[PortalDoc]:
            for unit in units:
                yield from _unit_documents(unit=unit, progress=progress)

        backend.rebuild(all_docs())
    counts = backend.count_by_unit()
    transaction.on_commit(lambda: portal_index_changed.send(sender=ReindexError, indexed=sum(counts.values()), removed=0))
    return {unit.code: counts.get(unit.code, 0) for unit in units}
