"""Reads of the page cache: an entry, and the generation counters it must still match (one round trip at most)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import caches

from . import local, notices
from .keys import PageKey
from .local import CacheEntry

CACHE_ALIAS = "pagecache"


def page_cache():
    return caches[CACHE_ALIAS]


@dataclass(frozen=True)
class Lookup:
    """What one request found: the entry if it is still valid, and the counters as they were before rendering."""

    entry: CacheEntry | None
    generations: tuple[int | None, ...]


def _memory_mark() -> int | None:
    """Forgets the counters whose purge notices arrived; the mark to remember what is read next under, or None
    when the remembered counters may not be trusted for this request (no memory, or no subscription yet)."""
    if not local.generations.seconds():
        return None
    cache = page_cache()
    if notices.needed(cache) and not notices.subscription.read(
        cache=cache, forget=local.generations.forget, forget_all=local.generations.clear
    ):
        return None
    return local.generations.mark()


def _valid(entry: CacheEntry | None, generations: tuple[int | None, ...]) -> bool:
    return entry is not None and None not in generations and tuple(entry.get("generations", ())) == generations


def cached_page(*, key: PageKey) -> Lookup:
    """The entry of `key` if its counters are unchanged.

    This process's copy (pagecache.local) is checked against the counters it remembers (once the purge
    notices that arrived are read: pagecache.notices), and then against
    the shared ones; the shared entry is fetched with the shared counters in the same round trip. A miss
    always returns the shared counters: the page is rendered and stored against those, never remembered ones.
    """
    mark = _memory_mark()
    copy = local.pages.get(key.entry)
    if copy is not None and mark is not None:
        remembered = local.generations.get(key.generations)
        if remembered is not None and _valid(copy, remembered):
            return Lookup(entry=copy, generations=remembered)
    found = page_cache().get_many([*key.generations] if copy is not None else [key.entry, *key.generations])
    generations = tuple(found.get(name) for name in key.generations)
    if mark is not None:
        local.generations.remember(key.generations, generations, mark=mark)
    if copy is not None and _valid(copy, generations):
        return Lookup(entry=copy, generations=generations)
    if copy is not None:
        local.pages.forget(key.entry)
        entry = page_cache().get(key.entry) if None not in generations else None
    else:
        entry = found.get(key.entry)
    if not _valid(entry, generations):
        return Lookup(entry=None, generations=generations)
    local.pages.put(key.entry, entry)
    return Lookup(entry=entry, generations=generations)
