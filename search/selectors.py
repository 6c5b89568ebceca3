"""Reads of the portal index, shared by the portal pages, feeds and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .backends import get_backend
from .backends.base import MAX_PAGE, MAX_QUERY_LENGTH, Hit, Order, SearchQuery, SearchResult
from .segmentation import query_terms

PER_PAGE = 10

EMPTY_QUERY = "请输入检索词。"
NO_TERMS = "检索词中没有可检索的文字，请换一个检索词。"


def too_long_message(length: int) -> str:
    return f"检索词过长：最多 {MAX_QUERY_LENGTH} 个字符，您输入了 {length} 个。请缩短后再试。"


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


def parse_search(params: Mapping[str, str], *, require_text: bool) -> ParsedSearch:
    """A SearchQuery from request parameters (q, unit, type, category, year, order, page).

    The portal page and the API both use this, so they always show the same results.
    """
    text = " ".join((params.get("q") or "").split())
    order = params.get("order") or Order.RELEVANCE
    query = SearchQuery(
        text=text,
        unit=(params.get("unit") or "").strip(),
        page_type=(params.get("type") or "").strip(),
        category=(params.get("category") or "").strip(),
        year=_int(params.get("year"), default=None, low=1949, high=2100),
        order=order if order in Order.ALL else Order.RELEVANCE,
        page=_int(params.get("page"), default=1, low=1, high=MAX_PAGE) or 1,
        per_page=PER_PAGE,
    )
    if require_text and not text:
        return ParsedSearch(query=query, error=EMPTY_QUERY)
    if len(text) > MAX_QUERY_LENGTH:
        return ParsedSearch(query=query, error=too_long_message(len(text)))
    if text and not query_terms(text):
        return ParsedSearch(query=query, error=NO_TERMS)
    return ParsedSearch(query=query)


def search_documents(*, query: SearchQuery) -> SearchResult:
    return get_backend().search(query)


def latest_documents(*, page_type: str = "", limit: int = 8) -> list[Hit]:
    query = SearchQuery(page_type=page_type, order=Order.DATE, per_page=limit, with_facets=False)
    return get_backend().search(query).hits
