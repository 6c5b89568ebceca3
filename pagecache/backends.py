"""`wagtail.contrib.frontend_cache` backends: the page cache in Django's cache, and nginx's proxy_cache.

A URL names a page with every query string it is requested with (`https://h/a/`); a trailing `*` makes it
a prefix (`https://h/a/*` the page and everything below it, `https://h/*` the whole host).
"""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urlsplit

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from .keys import PLATFORM_GENERATION_KEY, purge_keys

logger = logging.getLogger(__name__)


class DjangoCacheBackend(BaseBackend):
    """Purges the page cache's entries (pagecache.middleware) by incrementing their generation counters:
    O(1) for a page, a subtree or a host alike, and for every web process at once when the cache is Redis."""

    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls) -> None:
        from .services import bump_generations

        bump_generations(name for url in urls for name in purge_keys(url))

    def purge_all_hosts(self) -> None:
        from .services import bump_generations

        bump_generations([PLATFORM_GENERATION_KEY])


class NginxPurgeBackend(BaseBackend):
    """HTTP PURGE to nginx's ngx_cache_purge location (LOCATION, e.g. "http://127.0.0.1:8080").

    Each URL is sent as LOCATION + its path and query with the URL's Host; a trailing `*` stays (a
    partial purge, where the module has it), and the prefix's own page is purged exactly too. A URL without a query is also purged with `?*` (its query
    strings: ?page=, shared links' ?from=). The stack's nginx keeps no 长者模式 page (it bypasses its cache
    for that cookie); where a cache key includes a cookie, VARIANT_COOKIES lists the Cookie headers to
    purge each URL with ("" for none). 200 (purged) and 404 (not cached) are both success. A purge that
    fails is logged and never breaks the publish that caused it; after a connection error the rest of
    the batch is skipped (nginx is down: every request would wait for TIMEOUT).
    """

    def __init__(self, params) -> None:
        super().__init__(params)
        location = urlsplit(params["LOCATION"])
        if location.scheme not in {"http", "https"} or not location.hostname:
            raise ValueError(f"NginxPurgeBackend LOCATION 应为 http(s)://主机[:端口]，实际为 {params['LOCATION']!r}")
        self.location = location
        self.timeout = float(params.get("TIMEOUT", 2.0))
        self.variant_cookies = tuple(params.get("VARIANT_COOKIES", ("",)))

    def _connection(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.location.scheme == "https" else http.client.HTTPConnection
        return kind(self.location.hostname, self.location.port, timeout=self.timeout)

    @staticmethod
    def targets(url: str) -> list[str]:
        """The request targets PURGE is sent to for `url`."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            return [f"{path}?{parts.query}"]
        if path.endswith("*"):
            # The prefix's own page exactly as well: Debian's ngx_cache_purge 2.3 has no partial purge (a key
            # with * is answered 404), so there the page itself goes at once and what lies below it expires
            # within PAGE_CACHE_SHARED_SECONDS; a module with partial purge removes the lot.
            exact = path[:-1] or "/"
            return [exact, path]
        return [path, f"{path}?*"]

    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls) -> None:
        connection = self._connection()
        try:
            for url in urls:
                host = urlsplit(url).hostname
                if not host:
                    continue
                for target in self.targets(url):
                    for cookie in self.variant_cookies:
                        headers = {"Host": host, "User-Agent": "govplatform-pagecache"}
                        if cookie:
                            headers["Cookie"] = cookie
                        try:
                            connection.request("PURGE", target, headers=headers)
                            response = connection.getresponse()
                            response.read()
                        except (OSError, http.client.HTTPException) as error:
                            logger.error("nginx 页面缓存清除失败（%s %s）：%s；其余清除请求本次跳过", host, target, error)
                            return
                        if response.status not in (200, 404):
                            logger.warning("nginx 页面缓存清除返回 %s（%s %s）", response.status, host, target)
        finally:
            connection.close()
