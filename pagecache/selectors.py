"""Reads of the page cache: an entry, and the generation counters it must still match (one round trip)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import caches

from .keys import PageKey

CACHE_ALIAS = "pagecache"


def page_cache():
    return caches[CACHE_ALIAS]


@dataclass(frozen=True)
class Lookup:
    """What one request found: the entry if it is still valid, and the counters as they were before rendering."""

    entry: dict[str, Any] | None
    generations: tuple[int | None, ...]


def cached_page(*, key: PageKey) -> Lookup:
    found = page_cache().get_many([key.entry, *key.generations])
    generations = tuple(found.get(name) for name in key.generations)
    entry = found.get(key.entry)
    valid = entry is not None and None not in generations and tuple(entry.get("generations", ())) == generations
    return Lookup(entry=entry if valid else None, generations=generations)
