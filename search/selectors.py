"""Reads of the portal index, shared by the portal pages, feeds and the JSON API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from wagtail.models import Page

from tenants.context import schema_exists, schema_named
from tenants.hosts import unit_base_url
from tenants.models import Unit

from .backends import get_backend
from .backends.base import MAX_PAGE, MAX_QUERY_LENGTH, VALIDITY_KEYS, Hit, Order, SearchQuery, SearchResult
from .models import OutboxAlert, OutboxEntry, OutboxStatus, PortalDocument
from .normalize import MAX_FILTER_CHARS, MAX_QUERY_TERMS, clean_input
from .segmentation import plan_query
from .synonyms import synonym_map

PER_PAGE = 10

EMPTY_QUERY = "请输入检索词。"
NO_TERMS = "检索词中没有可检索的文字，请换一个检索词。"
# The filters a search or a list takes besides the words (the names of their request parameters).
FILTER_PARAMS = ("unit", "type", "category", "year", "validity")


def too_long_message(length: int) -> str:
    return f"检索词过长：最多 {MAX_QUERY_LENGTH} 个字符，您输入了 {length} 个。请缩短后再试。"


def too_many_message(terms: int) -> str:
    return f"检索词过多：最多 {MAX_QUERY_TERMS} 个词，您输入了 {terms} 个。请减少检索词后再试。"


@dataclass(frozen=True)
class ParsedSearch:
    query: SearchQuery
    error: str = ""


def _int(value: str | None, *, default: int | None, low: int, high: int) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _filter(params: Mapping[str, str], name: str) -> str:
    """A filter value as typed, without control characters (a NUL reached PostgreSQL and answered 500)."""
    return clean_input(params.get(name))[:MAX_FILTER_CHARS]


def parse_search(params: Mapping[str, str], *, require_text: bool) -> ParsedSearch:
    """A SearchQuery from request parameters (q, unit, type, category, year, validity, order, page).

    The portal page and the API both use this, so they always show the same results.
    Every value is cleaned of control characters; the words are capped at
    MAX_QUERY_LENGTH characters and MAX_QUERY_TERMS words, with a Chinese message.
    """
    text = clean_input(params.get("q"))
    order = _filter(params, "order") or Order.RELEVANCE
    validity = _filter(params, "validity")
    query = SearchQuery(
        text=text[: MAX_QUERY_LENGTH * 2],
        unit=_filter(params, "unit"),
        page_type=_filter(params, "type"),
        category=_filter(params, "category"),
        year=_int(_filter(params, "year"), default=None, low=1949, high=2100),
        validity=VALIDITY_KEYS.get(validity, validity),
        order=order if order in Order.ALL else Order.RELEVANCE,
        page=_int(_filter(params, "page"), default=1, low=1, high=MAX_PAGE) or 1,
        per_page=PER_PAGE,
    )
    if require_text and not text:
        return ParsedSearch(query=query, error=EMPTY_QUERY)
    if len(text) > MAX_QUERY_LENGTH:
        return ParsedSearch(query=query, error=too_long_message(len(text)))
    if text:
        plan = plan_query(text)
        if plan.terms > MAX_QUERY_TERMS:
            return ParsedSearch(query=query, error=too_many_message(plan.terms))
        if not plan.required:
            return ParsedSearch(query=query, error=NO_TERMS)
    return ParsedSearch(query=query)


def search_documents(*, query: SearchQuery) -> SearchResult:
    return get_backend().search(query)


def latest_documents(*, page_type: str = "", validity: str = "", limit: int = 8) -> list[Hit]:
    query = SearchQuery(page_type=page_type, validity=validity, order=Order.DATE, per_page=limit, with_facets=False)
    return get_backend().search(query).hits


@dataclass(frozen=True)
class Suggestion:
    """Another search to try when one found nothing: its words, whether the filters are kept, and what it finds."""

    text: str
    keep_filters: bool
    count: int
    reason: str


def suggestions(*, query: SearchQuery, limit: int = 3) -> list[Suggestion]:
    """Searches that find something when `query` found nothing.

    - the query without its least frequent word (the one that excluded the most),
      with the same filters;
    - the same words without the filters.
    """
    if not query.text:
        return []
    backend = get_backend()
    found: list[Suggestion] = []
    plan = plan_query(query.text, synonyms=synonym_map())
    if len(plan.groups) > 1:
        counts = [(backend.count(replace(query, text=group.label)), index) for index, group in enumerate(plan.groups)]
        _, rarest = min(counts)
        near = plan.without(rarest)
        count = backend.count(replace(query, text=near))
        if count:
            reason = f"去掉“{plan.groups[rarest].label}”"
            found.append(Suggestion(text=near, keep_filters=True, count=count, reason=reason))
    if query.has_filters:
        bare = SearchQuery(text=query.text)
        count = backend.count(bare)
        if count:
            found.append(Suggestion(text=query.text, keep_filters=False, count=count, reason="不限筛选条件"))
    return found[:limit]


# --- the outbox, for the information centre's admin -----------------------------


@dataclass(frozen=True)
class OutboxRow:
    entry: OutboxEntry
    unit_name: str
    page_title: str
    edit_url: str


@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    waiting_with_error: int
    parked: int
    oldest_created_at: dt.datetime | None
    alert: OutboxAlert | None
    alert_minutes: int


def _outbox_rows(entries: list[OutboxEntry]) -> list[OutboxRow]:
    """Entries with their unit's name and the page's title, read once per unit schema."""
    schemas = {entry.schema_name for entry in entries}
    units = {unit.schema_name: unit for unit in Unit.objects.filter(schema_name__in=schemas).prefetch_related("domains")}
    titles: dict[tuple[str, int], str] = {}
    for schema in schemas:
        if schema not in units or not schema_exists(schema):
            continue
        ids = [entry.page_id for entry in entries if entry.schema_name == schema]
        try:
            with schema_named(schema):
                titles.update({(schema, pk): title for pk, title in Page.objects.filter(id__in=ids).values_list("id", "title")})
        except DatabaseError:
            continue
    rows = []
    for entry in entries:
        unit = units.get(entry.schema_name)
        title = titles.get((entry.schema_name, entry.page_id), "")
        edit_url = f"{unit_base_url(unit)}/admin/pages/{entry.page_id}/edit/" if unit is not None and title else ""
        rows.append(
            OutboxRow(
                entry=entry,
                unit_name=unit.name if unit else entry.schema_name,
                page_title=title or f"页面 {entry.page_id}（已不存在）",
                edit_url=edit_url,
            )
        )
    return rows


def parked_outbox_rows(*, limit: int = 500) -> list[OutboxRow]:
    return _outbox_rows(list(OutboxEntry.objects.filter(status=OutboxStatus.PARKED).order_by("-parked_at", "-id")[:limit]))


def failing_outbox_rows(*, limit: int = 100) -> list[OutboxRow]:
    """Entries waiting for a retry after a failed write (not parked yet)."""
    failing = OutboxEntry.objects.filter(status=OutboxStatus.PENDING, attempts__gt=0).order_by("id")[:limit]
    return _outbox_rows(list(failing))


def outbox_summary() -> OutboxSummary:
    figures = OutboxEntry.objects.aggregate(
        pending=Count("id", filter=Q(status=OutboxStatus.PENDING)),
        waiting=Count("id", filter=Q(status=OutboxStatus.PENDING, attempts__gt=0)),
        parked=Count("id", filter=Q(status=OutboxStatus.PARKED)),
        oldest=Min("created_at"),
    )
    return OutboxSummary(
        pending=figures["pending"],
        waiting_with_error=figures["waiting"],
        parked=figures["parked"],
        oldest_created_at=figures["oldest"],
        alert=OutboxAlert.objects.filter(closed_at__isnull=True).first(),
        alert_minutes=int(getattr(settings, "PORTAL_OUTBOX_ALERT_MINUTES", 5)),
    )


def truncated_documents(*, limit: int = 50):
    """Index rows that PostgreSQL's or Elasticsearch's limits cut (PostgreSQL index only)."""
    return (
        PortalDocument.objects.filter(truncated=True)
        .only("key", "unit_name", "title", "url", "truncation_note", "indexed_at")
        .order_by("-indexed_at")[:limit]
    )
