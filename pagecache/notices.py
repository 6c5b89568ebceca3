"""Purge notices: how a purge made in one process reaches the counters every other web process remembers.

Each web process remembers the generation counters it read (pagecache.local), so that a hit on its own copy
of a page makes no round trip to Redis. A purge increments the counters in Redis and then announces their
names on a Redis channel (`announce`); every web process subscribes (`Subscription`) and, before it trusts
its memory for a request, reads what has arrived on its socket and forgets those names.

Redis writes a PUBLISH to its subscribers' sockets in the same event-loop turn as its answer to the publisher.
So the notice is already on a subscriber's socket when the publisher's next request reaches that process (on
another host, it is as far behind as the network): a page read straight after a publish is served afresh by
every process, not after a timer.

A process whose subscription is not established (starting, Redis away, the connection lost) trusts no memory:
it reads the counters at every hit until it is subscribed again, and forgets everything it remembered whenever
its subscription starts, since notices sent meanwhile are lost. PAGE_CACHE_GENERATION_MS remains the bound for
what no notice can report: a subscriber's connection that died without an error. (No health-check PINGs: their
answers would end a read of the socket early, before a notice queued behind them.)

A process that emptied the page cache after an outage (govplatform.cache) announces every counter at once
(`announce_all`): the counters others remember are gone from Redis, and the purges it missed with them.

Without Redis the page cache is this process's memory, shared with nobody, and needs no notices.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

import redis
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from govplatform.cache import UNREACHABLE

logger = logging.getLogger(__name__)

# The notice for every counter (the page cache was emptied); a notice is otherwise a JSON list of names.
ALL = "*"
# A process whose subscription failed tries again at most this often (each attempt may wait for the connect timeout).
RETRY_SECONDS = 1.0


def channel(cache) -> str:
    # Channels are not scoped by database number: the key prefix keeps two deployments on one Redis apart.
    return f"{cache.key_prefix}:purged"


def needed(cache) -> bool:
    """Notices are needed when the page cache is shared between processes (Redis)."""
    return isinstance(cache, RedisCache)


def announce(cache, names: Iterable[str]) -> None:
    """Tell every web process that these counters of `cache` moved (after they were incremented)."""
    names = list(names)
    if names and needed(cache):
        _publish(cache, names, what=", ".join(names[:3]))


def announce_all(cache) -> None:
    """Tell every web process that all counters of `cache` are gone (after it was emptied)."""
    if needed(cache):
        _publish(cache, ALL, what="全部")


def _publish(cache, notice: list[str] | str, *, what: str) -> None:
    client = cache._cache.get_client(write=True)
    try:
        client.publish(channel(cache), json.dumps(notice))
    except UNREACHABLE as error:
        # The counters could not be announced: other processes see the purge when their memory of the counters
        # ages out (PAGE_CACHE_GENERATION_MS). If Redis is away, their subscriptions fail too and they trust nothing.
        logger.warning("页面缓存清除通知未能发送（%s）：%s", what, error)


class Subscription:
    """This process's subscription to the purge channel, read without waiting.

    `read(cache, forget, forget_all)` hands each notice that arrived to `forget` (the counter names) and calls
    `forget_all` whenever the subscription (re)starts or fails; it returns whether the subscription is
    established, i.e. whether the memory may be trusted for this request. Thread-safe; opened lazily in the
    process that serves (a connection opened before a fork would be shared by the children).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pubsub = None
        self._pid = 0
        self._established = False
        self._retry_at = 0.0

    def read(self, *, cache, forget: Callable[[list[str]], None], forget_all: Callable[[], None]) -> bool:
        with self._lock:
            if self._pid != os.getpid():
                self._drop()
                self._pid = os.getpid()
            if self._pubsub is None and not self._open(cache, forget_all):
                return False
            try:
                while (message := self._pubsub.get_message(timeout=0.0)) is not None:
                    self._handle(message, forget=forget, forget_all=forget_all)
            except UNREACHABLE + (OSError,) as error:
                logger.warning("页面缓存清除通知的订阅已断开：%s", error)
                self._fail(forget_all)
                return False
            return self._established

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _open(self, cache, forget_all: Callable[[], None]) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        # The first server is the one Django's Redis cache writes to (its increments, hence their notices).
        client = redis.Redis.from_url(
            cache._servers[0],
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            # No silent reconnect: notices sent while it was away would be lost without this process knowing.
            retry=Retry(NoBackoff(), 0),
        )
        self._pubsub = client.pubsub()
        try:
            self._pubsub.subscribe(channel(cache))
        except UNREACHABLE + (OSError,) as error:
            logger.warning("页面缓存清除通知无法订阅：%s", error)
            self._fail(forget_all)
            return False
        return True

    def _handle(self, message: dict, *, forget: Callable[[list[str]], None], forget_all: Callable[[], None]) -> None:
        if message["type"] == "subscribe":
            # Established now; whatever was remembered before may have missed a notice.
            forget_all()
            self._established = True
        elif message["type"] == "message":
            try:
                names = json.loads(message["data"])
            except (ValueError, UnicodeDecodeError):
                names = None
            if isinstance(names, list) and all(isinstance(name, str) for name in names):
                forget(names)
            else:
                # ALL, or a notice this version cannot read: forgetting everything is always safe.
                forget_all()

    def _fail(self, forget_all: Callable[[], None]) -> None:
        forget_all()
        self._drop()
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def _drop(self) -> None:
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except UNREACHABLE + (OSError,):
                pass
        self._pubsub = None
        self._established = False


subscription = Subscription()
