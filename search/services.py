"""Writes of the portal index: the outbox, draining it, and full rebuilds."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from govplatform.tasking import enqueue
from tenants.models import Unit

from .backends import get_backend
from .backends.base import PortalDoc, PortalSearchBackend, document_key
from .documents import build_documents, indexable_pages, iter_unit_documents
from .models import OutboxAction, OutboxEntry

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
    schema = connection.schema_name
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
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"已索引 {self.indexed} 条，已移除 {self.removed} 条，失败 {self.failed} 条"


def backoff(*, attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def drain_outbox(*, batch_size: int = DRAIN_BATCH, ignore_backoff: bool = False) -> DrainReport:
    """Bring the index in line with every queued page; failed writes wait with back-off.

    Runs in the public schema. Entries are locked with SKIP LOCKED so that the
    minute schedule and the post-commit drains never process one entry twice.
    """
    backend = get_backend()
    report = DrainReport()
    last_id = 0
    while True:
        with transaction.atomic():
            due = OutboxEntry.objects.select_for_update(skip_locked=True).filter(id__gt=last_id)
            if not ignore_backoff:
                due = due.exclude(next_attempt_at__gt=timezone.now())
            entries = list(due.order_by("id")[:batch_size])
            if not entries:
                break
            last_id = entries[-1].id
            _drain_batch(entries=entries, backend=backend, report=report)
        if len(entries) < batch_size:
            break
    return report


def _drain_batch(*, entries: list[OutboxEntry], backend: PortalSearchBackend, report: DrainReport) -> None:
    by_schema: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        by_schema[entry.schema_name].add(entry.page_id)
    docs: list[PortalDoc] = []
    removals: list[str] = []
    for schema, page_ids in by_schema.items():
        unit = Unit.objects.filter(schema_name=schema).first()
        if unit is None or not schema_exists(schema):
            removals += [document_key(schema_name=schema, page_id=page_id) for page_id in page_ids]
            continue
        with schema_context(schema):
            built, gone = build_documents(unit=unit, page_ids=page_ids)
        docs += built
        removals += [document_key(schema_name=schema, page_id=page_id) for page_id in gone]
    failures = _write(backend=backend, docs=docs, removals=removals)
    report.indexed += sum(1 for doc in docs if doc.key not in failures)
    report.removed += sum(1 for key in removals if key not in failures)
    report.failed += len(failures)
    report.errors += list(failures.values())
    done = [e.id for e in entries if document_key(schema_name=e.schema_name, page_id=e.page_id) not in failures]
    OutboxEntry.objects.filter(id__in=done).delete()
    now = timezone.now()
    for entry in entries:
        error = failures.get(document_key(schema_name=entry.schema_name, page_id=entry.page_id))
        if error is None:
            continue
        entry.attempts += 1
        entry.next_attempt_at = now + backoff(attempts=entry.attempts)
        entry.last_error = error[:2000]
        entry.save(update_fields=["attempts", "next_attempt_at", "last_error"])


def _write(*, backend: PortalSearchBackend, docs: list[PortalDoc], removals: list[str]) -> dict[str, str]:
    """Write the batch; if it fails, write one by one so one bad entry holds back only itself."""
    try:
        with transaction.atomic():
            backend.upsert(docs)
            backend.delete(removals)
        return {}
    except backend.transient_errors as error:
        logger.warning("门户索引批量写入失败，改为逐条写入：%s", error)
    failures: dict[str, str] = {}
    for doc in docs:
        try:
            with transaction.atomic():
                backend.upsert([doc])
        except backend.transient_errors as error:
            failures[doc.key] = f"{type(error).__name__}: {error}"
    for key in removals:
        try:
            with transaction.atomic():
                backend.delete([key])
        except backend.transient_errors as error:
            failures[key] = f"{type(error).__name__}: {error}"
    return failures


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
    with schema_context(unit.schema_name):
        docs: Iterable[PortalDoc] = iter_unit_documents(unit=unit)
        if progress is not None:
            docs = progress(docs, unit, indexable_pages(unit=unit).count())
        return list(docs)


def reindex_portal(*, unit_code: str | None = None, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the portal index from the units' live pages; returns documents per unit code.

    A full rebuild replaces the index atomically (one transaction in PostgreSQL,
    an alias swap in Elasticsearch), so searches never see a half-built index.
    """
    if connection.schema_name != "public":
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
    return {unit.code: counts.get(unit.code, 0) for unit in units}
