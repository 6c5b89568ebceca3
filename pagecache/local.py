"""What each web process keeps of the page cache itself, so that most hits make no round trip to Redis.

- `pages`: copies of stored entries (up to PAGE_CACHE_LOCAL_BYTES, least recently used out first, expiring
  with the shared entry PAGE_CACHE_SECONDS after it was stored). A copy is only ever served when the
  generation counters it was stored under are still the current ones.
- `generations`: the counters as this process last read them from the shared cache. A purge in this
  process forgets the counters it increments at once (pagecache.services.bump_generations); a purge in
  another process or on another web node is forgotten here when its notice is read, before the next
  request trusts the memory (pagecache.notices). Values are trusted for PAGE_CACHE_GENERATION_MS at most,
  and never when read before something was forgotten: a read that raced a purge is not remembered.
  A miss never renders on remembered counters: it reads them afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.conf import settings

# What pagecache.services.store_page keeps: generations, status, headers, content, etag, modified.
CacheEntry = dict[str, Any]


class LocalPages:
    def __init__(self) -> None:
        self._copies: OrderedDict[str, tuple[float, CacheEntry]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def limit() -> int:
        return max(0, int(getattr(settings, "PAGE_CACHE_LOCAL_BYTES", 0)))

    def get(self, key: str) -> CacheEntry | None:
        with self._lock:
            found = self._copies.get(key)
            if found is None:
                return None
            expires, entry = found
            if expires <= time.time():
                self._drop(key)
                return None
            self._copies.move_to_end(key)
            return entry

    def put(self, key: str, entry: CacheEntry) -> None:
        size = len(entry["content"])
        limit = self.limit()
        with self._lock:
            self._drop(key)
            if size > limit:
                return
            self._copies[key] = (entry["modified"] + max(1, int(settings.PAGE_CACHE_SECONDS)), entry)
            self._bytes += size
            while self._bytes > limit:
                self._drop(next(iter(self._copies)))

    def forget(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        found = self._copies.pop(key, None)
        if found is not None:
            self._bytes -= len(found[1]["content"])


class RememberedGenerations:
    # Counters are few (a platform one, one per host prefix and per path) but unbounded over time: past this
    # many the whole memory is dropped, which costs one round trip per page.
    MAX_NAMES = 100_000

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        # Counts what was forgotten: counters read before a forget may predate the purge it was for.
        self._forgotten = 0

    @staticmethod
    def seconds() -> float:
        return max(0, int(getattr(settings, "PAGE_CACHE_GENERATION_MS", 0))) / 1000

    def get(self, names: tuple[str, ...]) -> tuple[int, ...] | None:
        """All of `names` as read less than `seconds()` ago, or None."""
        now = time.monotonic()
        values = []
        for name in names:
            found = self._values.get(name)
            if found is None or found[0] <= now:
                return None
            values.append(found[1])
        return tuple(values)

    def mark(self) -> int:
        """Taken before the counters are read from the shared cache; `remember` needs it unchanged."""
        return self._forgotten

    def remember(self, names: tuple[str, ...], values: tuple[int | None, ...], *, mark: int) -> None:
        seconds = self.seconds()
        if not seconds:
            return
        until = time.monotonic() + seconds
        with self._lock:
            if mark != self._forgotten:
                return
            if len(self._values) > self.MAX_NAMES:
                self._values.clear()
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    self._values[name] = (until, value)

    def forget(self, names: Iterable[str]) -> None:
        with self._lock:
            self._forgotten += 1
            for name in names:
                self._values.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._forgotten += 1
            self._values.clear()


pages = LocalPages()
generations = RememberedGenerations()


def forget_everything() -> None:
    """This process's copies and counters (the shared cache emptied, a test's start)."""
    pages.clear()
    generations.clear()
