"""Per-schema caches that keep a page's fixed lookups out of the database (issue: fast pages).

- `SchemaKeyedContentTypeCache`: Django's ContentType cache, one per schema (the backend in
  tenants/postgresql_backend no longer empties it at every schema change).
- `DomainCache`: host name → unit, for TenantMainMiddleware's lookup at the start of each request.
  Per process, for a short time; a change of a unit or domain empties it in the process that
  made it, and other processes see the change within `DOMAIN_CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
import time

from django.db import connections

DOMAIN_CACHE_SECONDS = 30


class SchemaKeyedContentTypeCache(dict):
    """ContentTypeManager keys its cache by database alias; this keys it by (alias, the schema of the
    calling thread's connection), so a public-schema id never answers in a unit and vice versa."""

    @staticmethod
    def _key(alias):
        return alias, getattr(connections[alias], "schema_name", None)

    def __getitem__(self, alias):
        return super().__getitem__(self._key(alias))

    def __setitem__(self, alias, value):
        super().__setitem__(self._key(alias), value)

    def __contains__(self, alias):
        return super().__contains__(self._key(alias))

    def get(self, alias, default=None):
        return super().get(self._key(alias), default)

    def setdefault(self, alias, default=None):
        return super().setdefault(self._key(alias), default)


def install_content_type_cache() -> None:
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(ContentType.objects._cache, SchemaKeyedContentTypeCache):
        ContentType.objects._cache = SchemaKeyedContentTypeCache()


def forget_content_types() -> None:
    """After a schema is created, dropped or migrated: its ids may have changed."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


class DomainCache:
    def __init__(self, seconds: float = DOMAIN_CACHE_SECONDS):
        self.seconds = seconds
        self._entries: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, hostname: str):
        entry = self._entries.get(hostname)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, hostname: str, tenant) -> None:
        with self._lock:
            self._entries[hostname] = (time.monotonic() + self.seconds, tenant)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


domains = DomainCache()
