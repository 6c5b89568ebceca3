"""Django's Redis cache, kept working while Redis is away.

Every page a citizen reads goes through the cache (menus, home lists, view restrictions, whole pages),
so Django's own RedisCache would turn a stopped Redis into a 500 on every page. Here a read that cannot
reach Redis is a miss and a write is skipped: pages are rendered from PostgreSQL, more slowly.

A delete that cannot reach Redis is an invalidation that did not happen (a publish that should have
emptied a cached menu or page). The process remembers it, and the first time it reaches Redis again it
removes every key of this alias before anything is read, so no page cached before the outage outlives
a change made during it. Redis in the stack keeps no data across a restart either (deploy/stack.py).
"""

from __future__ import annotations

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Keys deleted per round trip when the alias is emptied after an outage.
SCAN_BATCH = 500

# Sent (cache=the emptied ResilientRedisCache) once an alias was emptied after an outage: other processes may
# hold what they read from it before, and only its owner knows how to tell them (pagecache.notices).
cache_emptied = Signal()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis around the pool at every call, and redis-py fills a dict of
    some 170 response callbacks in each: about 0.2 ms per cache read, on every page. One client per pool
    (redis.Redis is safe across threads; its connections come from the pool) does the same work."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # A Redis that hangs must not hold a page for long: fail fast and render from the database.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._missed_invalidation = threading.Event()

    # --- outage bookkeeping ---------------------------------------------------------

    def _unreachable(self, operation: str, error: Exception) -> None:
        logger.warning("Redis 缓存不可用（%s %s）：%s", self.key_prefix, operation, error)

    def _missed(self, operation: str, error: Exception) -> None:
        self._unreachable(operation, error)
        self._missed_invalidation.set()

    def _recover(self) -> bool:
        """True when the cache may be read: reachable, and emptied if this process missed an invalidation."""
        if not self._missed_invalidation.is_set():
            return True
        client = self._cache.get_client(write=True)
        try:
            # Keys are <schema>:<alias>:<version>:<key> (django_tenants.cache.make_key): this alias, every schema.
            pattern = f"*:{self.key_prefix}:*" if self.key_prefix else "*"
            batch: list[bytes] = []
            for key in client.scan_iter(match=pattern, count=SCAN_BATCH):
                batch.append(key)
                if len(batch) >= SCAN_BATCH:
                    client.delete(*batch)
                    batch.clear()
            if batch:
                client.delete(*batch)
        except UNREACHABLE as error:
            self._unreachable("recover", error)
            return False
        self._missed_invalidation.clear()
        logger.warning("Redis 缓存已恢复：%s 在中断期间未能清除的缓存已全部清空", self.key_prefix)
        cache_emptied.send(sender=type(self), cache=self)
        return True

    # --- reads: a miss when Redis is away ---------------------------------------

    def get(self, key, default=None, version=None):
        if not self._recover():
            return default
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._unreachable("get", error)
            return default

    def get_many(self, keys, version=None):
        if not self._recover():
            return {}
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        if not self._recover():
            return False
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            self._unreachable("has_key", error)
            return False

    # --- writes: skipped when Redis is away -------------------------------------

    def add(self, key, value, timeout=None, version=None):
        if not self._recover():
            return False
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("add", error)
            return False

    def set(self, key, value, timeout=None, version=None):
        if not self._recover():
            return
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set", error)

    def set_many(self, data, timeout=None, version=None):
        if not self._recover():
            return list(data)
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set_many", error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        if not self._recover():
            return False
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("touch", error)
            return False

    def incr(self, key, delta=1, version=None):
        if not self._recover():
            raise ValueError(f"Key '{key}' not found (Redis 不可用)")
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._unreachable("incr", error)
            raise ValueError(f"Key '{key}' not found (Redis 不可用)") from error

    # --- invalidations: remembered when Redis is away ---------------------------

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._missed("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._missed("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._missed("clear", error)
            return False
