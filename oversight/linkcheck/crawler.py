"""The crawler: a unit's own site from its homepage, and every link found there.

Every link, image, stylesheet, script and attachment of the unit's pages is
checked, including links to external sites (which are checked but never
crawled).  Redirects are followed by hand so each hop is recorded and passes
the guard (:mod:`.guard`); servers that mishandle HEAD are asked again with
GET; transient failures are retried with back-off.

Free of Django (asyncio + aiohttp).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
import urllib.robotparser
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .guard import BlockedAddress, GuardedResolver, host_in, host_port, is_public_address
from .html import decode_html, extract_marked_links, looks_non_html, normalize_url

__all__ = ["CheckConfig", "CrawlReport", "LinkResult", "LinkSource", "check_site", "crawl", "make_session"]

# User-facing error texts (shown to the information centre staff).
ERR_REFUSED = "连接被拒绝"
ERR_TIMEOUT = "超时"
ERR_DNS = "DNS解析失败"
ERR_BLOCKED = "禁止访问内网地址"
ERR_ROBOTS = "robots.txt 禁止"
ERR_REDIRECT_LOOP = "重定向循环"
ERR_TOO_MANY_REDIRECTS = "重定向次数过多"
ERR_RESET = "连接被重置"
ERR_SSL = "SSL证书错误"
ERR_INVALID_URL = "无效链接"
ERR_UNSUPPORTED_SCHEME = "不支持的协议"
ERR_CONNECTION = "连接失败"
ERR_BAD_RESPONSE = "响应无效"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Servers that mishandle HEAD answer with one of these; GET tells the truth.
# 400 is included because several CMS front-ends reject body-less HEAD requests.
HEAD_FALLBACK_STATUSES = frozenset({400, 403, 405, 501})
# 404/410 (and other 4xx) are definitive; only transient-looking answers are retried.
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_ROBOTS_BYTES = 512 * 1024
# Small error/redirect bodies are read so the keep-alive connection can be reused;
# anything bigger is abandoned (aiohttp then closes the connection).
DRAIN_LIMIT_BYTES = 64 * 1024
# Parsing large documents blocks the event loop; hand those to a thread.
PARSE_IN_THREAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class CheckConfig:
    start_url: str
    # host[:port] values of the unit's own site: crawled recursively.
    internal_hosts: frozenset[str]
    # Platform hosts allowed although they resolve to private/loopback addresses.
    allowed_private_hosts: frozenset[str] = frozenset()
    max_concurrency: int = 32
    per_host_concurrency: int = 8
    timeout_s: float = 15.0
    retries: int = 1
    max_pages: int = 10_000
    max_redirects: int = 10
    user_agent: str = "GovPlatformLinkChecker/1.0"
    respect_robots: bool = True
    only_start_page: bool = False
    retry_backoff_s: float = 0.3
    max_body_bytes: int = MAX_BODY_BYTES
    # url -> (status, error) of links already checked in this run (the shared header and footer's, by
    # an earlier unit's crawl): taken as they are, not requested again from every unit's pages.
    known_results: Mapping[str, tuple[int | None, str | None]] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class LinkSource:
    page_url: str
    link_text: str
    # In a platform-wide template (header, footer: html.PLATFORM_MARK), not the unit's content.
    platform: bool = False


@dataclass
class LinkResult:
    url: str
    status: int | None = None
    error: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    final_url: str = ""
    elapsed_ms: float = 0.0
    method: str = "HEAD"
    sources: list[LinkSource] = field(default_factory=list)
    skipped: bool = False
    # Taken from CheckConfig.known_results, not requested by this crawl.
    reused: bool = False

    @property
    def broken(self) -> bool:
        if self.skipped:
            return False
        return self.error is not None or (self.status is not None and self.status >= 400)


@dataclass
class CrawlReport:
    start_url: str
    started_at: datetime
    finished_at: datetime
    pages_crawled: int
    links: dict[str, LinkResult]

    @property
    def broken(self) -> list[LinkResult]:
        return [r for r in self.links.values() if r.broken]

    @property
    def skipped(self) -> list[LinkResult]:
        return [r for r in self.links.values() if r.skipped]


@dataclass
class _Outcome:
    """Result of one attempt to fetch a URL (all redirect hops)."""

    status: int | None = None
    error: str | None = None
    skipped: bool = False
    retryable: bool = False
    redirects: list[tuple[int, str]] = field(default_factory=list)
    final_url: str = ""
    method: str = "HEAD"
    elapsed_s: float = 0.0
    body: bytes | None = None
    charset: str | None = None


@dataclass
class _Response:
    status: int
    location: str | None
    charset: str | None
    body: bytes | None


# Sessions built by make_session() -> the resolver their connector uses, so the
# crawler's pre-connection check can share (and pin) the very same answers.
_SESSION_RESOLVERS: weakref.WeakKeyDictionary[aiohttp.ClientSession, GuardedResolver] = weakref.WeakKeyDictionary()


def make_session(config: CheckConfig, *, trace_configs: list[aiohttp.TraceConfig] | None = None) -> aiohttp.ClientSession:
    """Client session whose connector resolves through :class:`GuardedResolver`.

    ``trace_configs`` lets callers (tests, monitoring) observe every request.
    """
    resolver = GuardedResolver(config.allowed_private_hosts)
    connector = aiohttp.TCPConnector(
        resolver=resolver,
        limit=config.max_concurrency,
        limit_per_host=config.per_host_concurrency,
        # The guarded resolver caches vetted answers itself; a second cache in
        # the connector would only add a place where addresses could diverge.
        use_dns_cache=False,
    )
    session = aiohttp.ClientSession(connector=connector, trace_configs=trace_configs)
    _SESSION_RESOLVERS[session] = resolver
    return session


def _is_reset(exc: BaseException) -> bool:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return True
    return isinstance(exc, aiohttp.ClientOSError) and exc.errno in (errno.ECONNRESET, errno.EPIPE)


class _Crawler:
    def __init__(self, config: CheckConfig, session: aiohttp.ClientSession | None) -> None:
        self.config = config
        self._external_session = session
        self._session: aiohttp.ClientSession | None = None
        self._resolver: GuardedResolver | None = None
        self._internal = frozenset(h.lower() for h in config.internal_hosts)
        self._global_sem = asyncio.Semaphore(config.max_concurrency)
        self._host_sems: dict[str, asyncio.Semaphore] = {}
        self._timeout = aiohttp.ClientTimeout(total=config.timeout_s, sock_connect=config.timeout_s)
        self._headers = {
            "User-Agent": config.user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        }
        self._links: dict[str, LinkResult] = {}
        self._source_sets: dict[str, set[LinkSource]] = {}
        self._parsed: set[str] = set()
        self._pages_reserved = 0
        self._robots: dict[str, asyncio.Task[urllib.robotparser.RobotFileParser | None]] = {}
        self._tg: asyncio.TaskGroup | None = None

    # ----------------------------------------------------------------- helpers
    def is_internal(self, url: str) -> bool:
        host, port = host_port(url)
        return host_in(self._internal, host, port)

    def _host_sem(self, url: str) -> asyncio.Semaphore:
        key = urlsplit(url).netloc
        sem = self._host_sems.get(key)
        if sem is None:
            sem = self._host_sems[key] = asyncio.Semaphore(self.config.per_host_concurrency)
        return sem

    async def _guard(self, url: str) -> None:
        """Refuse non-public destinations before any connection is attempted."""
        host, port = host_port(url)
        assert self._resolver is not None
        if self._resolver.is_allowed_private(host, port):
            return
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            # A name (or a legacy numeric form such as "127.1"): resolve and vet.
            await self._resolver.resolve(host, port, socket.AF_UNSPEC)
            return
        if not is_public_address(addr):
            raise BlockedAddress(host)

    # ----------------------------------------------------------------- fetching
    async def _request(self, url: str, method: str, body_mode: str) -> tuple[_Response, float]:
        assert self._session is not None
        # Per-host slot first, then a global one: waiting for a busy host must
        # not tie up global slots other hosts could use.
        async with self._host_sem(url), self._global_sem:
            started = time.perf_counter()
            async with self._session.request(
                method,
                URL(url, encoded=True),
                allow_redirects=False,
                timeout=self._timeout,
                headers=self._headers,
            ) as resp:
                body: bytes | None = None
                wanted = body_mode == "any" or (body_mode == "html" and resp.content_type in HTML_TYPES)
                if method == "GET" and wanted and 200 <= resp.status < 300:
                    limit = MAX_ROBOTS_BYTES if body_mode == "any" else self.config.max_body_bytes
                    body = await self._read_limited(resp, limit)
                elif method == "GET":
                    await self._drain_small(resp)
                response = _Response(resp.status, resp.headers.get("Location"), resp.charset, body)
            return response, time.perf_counter() - started

    @staticmethod
    async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(64 * 1024):
            chunks.append(chunk[: limit - size])
            size += len(chunks[-1])
            if size >= limit:
                break  # the rest is abandoned; the connection is closed on release
        return b"".join(chunks)

    @staticmethod
    async def _drain_small(resp: aiohttp.ClientResponse) -> None:
        length = resp.content_length
        if length is None or length > DRAIN_LIMIT_BYTES:
            return
        try:
            await resp.read()
        except (TimeoutError, aiohttp.ClientError):
            # The status is already known; a broken body only costs the connection.
            return

    async def _follow(self, out: _Outcome, url: str, method: str, body_mode: str, check_robots: bool) -> _Outcome:
        """One attempt: follow redirects by hand so each hop is recorded and guarded.

        ``out`` is filled in as hops complete, so when a later hop raises the
        caller still reports the hops that did happen.
        """
        seen = {url}
        current = url
        while True:
            out.final_url, out.method = current, method
            await self._guard(current)
            if check_robots and not await self._robots_allows(current):
                out.skipped, out.error, out.final_url, out.method = True, ERR_ROBOTS, current, method
                return out
            hop_body = body_mode if (body_mode != "html" or self.is_internal(current)) else "none"
            try:
                resp, took = await self._request(current, method, hop_body)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if method == "HEAD" and _is_reset(exc):
                    method = "GET"  # some servers drop HEAD requests outright
                    continue
                raise
            out.elapsed_s += took
            if method == "HEAD" and resp.status in HEAD_FALLBACK_STATUSES:
                method = "GET"
                continue
            out.status, out.method, out.final_url = resp.status, method, current
            if resp.status in REDIRECT_STATUSES and resp.location:
                try:
                    target = normalize_url(resp.location, base=current)
                except ValueError:
                    out.redirects.append((resp.status, resp.location))
                    out.error = ERR_INVALID_URL
                    return out
                out.redirects.append((resp.status, target or resp.location))
                if target is None:
                    out.error = ERR_UNSUPPORTED_SCHEME
                    return out
                if target in seen:
                    out.error = ERR_REDIRECT_LOOP
                    return out
                if len(out.redirects) > self.config.max_redirects:
                    out.error = ERR_TOO_MANY_REDIRECTS
                    return out
                seen.add(target)
                current = target
                continue
            out.body, out.charset = resp.body, resp.charset
            out.retryable = resp.status in RETRY_STATUSES
            return out

    async def _attempt(self, url: str, method: str, body_mode: str, check_robots: bool) -> _Outcome:
        """Run :meth:`_follow` and translate failures into short user-facing errors."""
        started = time.perf_counter()
        out = _Outcome(final_url=url, method=method)

        def fail(error: str, *, retryable: bool = False, skipped: bool = False) -> _Outcome:
            out.error, out.retryable, out.skipped = error, retryable, skipped
            out.elapsed_s = time.perf_counter() - started
            out.body = None
            return out

        try:
            return await self._follow(out, url, method, body_mode, check_robots)
        except BlockedAddress:
            # Not the unit's fault and nothing was contacted: reported, not "broken".
            return fail(ERR_BLOCKED, skipped=True)
        except TimeoutError:
            return fail(ERR_TIMEOUT, retryable=True)
        except (socket.gaierror, aiohttp.ClientConnectorDNSError):
            return fail(ERR_DNS, retryable=True)
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError):
            return fail(ERR_SSL)
        except aiohttp.ClientConnectorError as exc:
            refused = isinstance(exc.os_error, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED
            return fail(ERR_REFUSED if refused else ERR_CONNECTION, retryable=True)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            return fail(ERR_RESET if _is_reset(exc) else ERR_CONNECTION, retryable=True)
        except aiohttp.InvalidURL:
            return fail(ERR_INVALID_URL)
        except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError):
            return fail(ERR_BAD_RESPONSE, retryable=True)
        except aiohttp.ClientError:
            return fail(ERR_CONNECTION, retryable=True)
        except (ValueError, UnicodeError):
            return fail(ERR_INVALID_URL)
        except OSError:
            return fail(ERR_CONNECTION, retryable=True)

    async def _check(self, url: str, method: str, body_mode: str) -> _Outcome:
        check_robots = self.config.respect_robots
        outcome = await self._attempt(url, method, body_mode, check_robots)
        for attempt in range(self.config.retries):
            if not outcome.retryable:
                break
            # Back off without holding any semaphore so other links proceed.
            await asyncio.sleep(self.config.retry_backoff_s * (2**attempt))
            outcome = await self._attempt(url, method, body_mode, check_robots)
        return outcome

    # ----------------------------------------------------------------- robots
    async def _robots_allows(self, url: str) -> bool:
        if self.is_internal(url):
            return True  # the platform's own sites are always checked
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return True
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch_robots(origin))
            self._robots[origin] = task
        parser = await asyncio.shield(task)
        return parser is None or parser.can_fetch(self.config.user_agent, url)

    async def _fetch_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Fetch robots.txt once per origin; ``None`` means "no restrictions"."""
        outcome = await self._attempt(f"{origin}/robots.txt", "GET", "any", check_robots=False)
        parser = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        if outcome.error is not None or outcome.status is None:
            # Unreachable robots.txt: check the link anyway so its failure is reported.
            return None
        if outcome.status in (401, 403):
            parser.disallow_all = True  # same convention as urllib.robotparser.read()
            return parser
        if outcome.status >= 400 or outcome.body is None:
            return None
        parser.parse(decode_html(outcome.body, outcome.charset or "utf-8").splitlines())
        return parser

    # ----------------------------------------------------------------- crawl
    def _add_link(self, url: str, source: LinkSource | None, kind: str, may_crawl: bool) -> None:
        result = self._links.get(url)
        if result is None:
            result = self._links[url] = LinkResult(url=url, final_url=url)
            self._source_sets[url] = set()
            crawl_it = (
                may_crawl
                and kind == "page"
                and self.is_internal(url)
                and not looks_non_html(url)
                and self._pages_reserved < self.config.max_pages
            )
            known = None if crawl_it else self.config.known_results.get(url)
            if known is not None:
                result.status, result.error = known
                result.reused = True
            else:
                if crawl_it:
                    self._pages_reserved += 1
                assert self._tg is not None
                self._tg.create_task(self._process(result, crawl_it))
        if source is not None and source not in self._source_sets[url]:
            self._source_sets[url].add(source)
            result.sources.append(source)

    def _add_invalid(self, raw: str, source: LinkSource) -> None:
        result = self._links.get(raw)
        if result is None:
            result = self._links[raw] = LinkResult(url=raw, error=ERR_INVALID_URL, final_url=raw)
            self._source_sets[raw] = set()
        if source not in self._source_sets[raw]:
            self._source_sets[raw].add(source)
            result.sources.append(source)

    async def _process(self, result: LinkResult, crawl_it: bool) -> None:
        if crawl_it:
            outcome = await self._check(result.url, "GET", "html")
        else:
            outcome = await self._check(result.url, "HEAD", "none")
        result.status = outcome.status
        result.error = outcome.error
        result.skipped = outcome.skipped
        result.redirects = outcome.redirects
        result.final_url = outcome.final_url
        result.method = outcome.method
        result.elapsed_ms = round(outcome.elapsed_s * 1000, 2)
        if not crawl_it:
            return
        page = outcome.final_url
        if outcome.body is None or page in self._parsed or not self.is_internal(page):
            self._pages_reserved -= 1  # not a page after all: give the budget back
            return
        self._parsed.add(page)
        if len(outcome.body) > PARSE_IN_THREAD_BYTES:
            links = await asyncio.to_thread(extract_marked_links, outcome.body, outcome.charset, page)
        else:
            links = extract_marked_links(outcome.body, outcome.charset, page)
        may_crawl = not self.config.only_start_page
        for raw, text, kind, platform in links:
            source = LinkSource(page, text, platform)
            try:
                url = normalize_url(raw)
            except ValueError:
                self._add_invalid(raw, source)
                continue
            if url is not None:
                self._add_link(url, source, kind, may_crawl)

    async def run(self) -> CrawlReport:
        started_at = datetime.now(UTC)
        start = normalize_url(self.config.start_url)
        if start is None:
            raise ValueError(f"start_url must be http(s): {self.config.start_url!r}")
        own_session = self._external_session is None
        self._session = make_session(self.config) if own_session else self._external_session
        assert self._session is not None
        # Reuse the connector's resolver when it is ours, so the pre-check and the
        # connection share one pinned answer; otherwise pre-check with our own.
        self._resolver = _SESSION_RESOLVERS.get(self._session) or GuardedResolver(self.config.allowed_private_hosts)
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                self._add_link(start, None, "page", may_crawl=True)
        finally:
            for task in self._robots.values():
                task.cancel()
            if own_session:
                await self._session.close()
        return CrawlReport(
            start_url=start,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            pages_crawled=len(self._parsed),
            links=self._links,
        )


async def crawl(config: CheckConfig, *, session: aiohttp.ClientSession | None = None) -> CrawlReport:
    """Crawl ``config.start_url`` and check every link found.

    When ``session`` is given its connector should be built by
    :func:`make_session`; with any other connector every hop is still vetted
    before connecting, but the connection's own DNS look-up is not pinned.
    """
    return await _Crawler(config, session).run()


def check_site(config: CheckConfig) -> CrawlReport:
    """Synchronous wrapper for callers outside an event loop (commands, workers)."""
    return asyncio.run(crawl(config))
