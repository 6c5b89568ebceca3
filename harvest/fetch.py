"""Fetching a harvested source: one guarded GET, within a size cap and a timeout, as robots.txt allows.

The link checker's guard applies (:mod:`oversight.linkcheck.guard`): names are
resolved by :class:`GuardedResolver`, which refuses private, loopback and
reserved addresses unless the host is listed, literal IP addresses are vetted
before connecting, and every redirect hop passes the same checks and the
robots.txt of its own origin.

Every failure is a :class:`FetchError` with a Chinese message for the run's record.

Free of Django.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from oversight.linkcheck.guard import BlockedAddress, GuardedResolver, host_port, is_public_address
from oversight.linkcheck.html import decode_html, normalize_url

__all__ = ["FetchError", "FetchLimits", "Fetched", "fetch", "fetch_sync"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class FetchLimits:
    timeout_s: float = 20.0
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "ZhuhaiGovPortalHarvester/1.0 (+网上抓取)"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str
    charset: str | None


class FetchError(Exception):
    """A fetch that failed; ``transient`` ones (timeouts, 5xx, connection errors) are worth retrying soon."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient


class _TooLarge(Exception):
    pass


async def _read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes:
    if response.content_length is not None and response.content_length > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class _Fetcher:
    def __init__(self, session: aiohttp.ClientSession, resolver: GuardedResolver, limits: FetchLimits):
        self.session = session
        self.resolver = resolver
        self.limits = limits
        self.headers = {
            "User-Agent": limits.user_agent,
            "Accept": "application/rss+xml, application/atom+xml, application/xml, text/xml, text/html;q=0.9, */*;q=0.5",
        }
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    async def guard(self, url: str) -> None:
        """Refuse a non-public destination before any connection (aiohttp does not resolve literal IPs)."""
        host, port = host_port(url)
        if self.resolver.is_allowed_private(host, port):
            return
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            await self.resolver.resolve(host, port, socket.AF_UNSPEC)
            return
        if not is_public_address(address):
            raise BlockedAddress(host)

    async def _get(self, url: str, limit: int) -> tuple[aiohttp.ClientResponse, bytes | None]:
        async with self.session.get(URL(url, encoded=True), allow_redirects=False, headers=self.headers) as response:
            body = await _read_limited(response, limit) if 200 <= response.status < 300 else None
            return response, body

    async def robots_allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = await self._fetch_robots(origin)
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.limits.user_agent, url)

    async def _fetch_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The origin's robots.txt; None (no restriction) when it has none or cannot be read."""
        robots_url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            await self.guard(robots_url)
            response, body = await self._get(robots_url, MAX_ROBOTS_BYTES)
        except (_TooLarge, aiohttp.ClientError, TimeoutError, OSError):
            return None
        if response.status in (401, 403):
            parser.disallow_all = True  # urllib.robotparser.read()'s convention
            return parser
        if response.status >= 300 or body is None:
            return None
        parser.parse(decode_html(body, response.charset or "utf-8").splitlines())
        return parser

    async def fetch(self, url: str) -> Fetched:
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            await self.guard(current)
            if not await self.robots_allows(current):
                raise FetchError(f"robots.txt 禁止抓取：{current}")
            response, body = await self._get(current, self.limits.max_bytes)
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                try:
                    target = normalize_url(location, base=current)
                except ValueError:
                    target = None
                if target is None:
                    raise FetchError(f"重定向到无效或不支持的地址：{location[:200]}", status=response.status)
                current = target
                continue
            if response.status >= 400:
                transient = response.status >= 500 or response.status == 429
                raise FetchError(f"HTTP {response.status}", status=response.status, transient=transient)
            if body is None:
                raise FetchError(f"HTTP {response.status}：没有内容", status=response.status)
            return Fetched(
                url=current,
                status=response.status,
                body=body,
                content_type=response.headers.get("Content-Type", ""),
                charset=response.charset,
            )
        raise FetchError(f"重定向次数过多（超过 {self.limits.max_redirects} 次）")


async def fetch(url: str, *, limits: FetchLimits, allowed_private_hosts: frozenset[str] = frozenset()) -> Fetched:
    """GET ``url`` (following redirects by hand) or raise FetchError."""
    try:
        checked = normalize_url(url)
    except ValueError:
        checked = None
    if checked is None:
        raise FetchError(f"地址无效或不是 http(s)：{url[:200]}")
    resolver = GuardedResolver(allowed_private_hosts)
    connector = aiohttp.TCPConnector(resolver=resolver, limit=4)
    timeout = aiohttp.ClientTimeout(total=limits.timeout_s, sock_connect=limits.timeout_s)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            return await asyncio.wait_for(_Fetcher(session, resolver, limits).fetch(checked), limits.timeout_s * 2)
    except BlockedAddress as exc:
        raise FetchError(f"禁止访问内网地址：{exc}") from exc
    except _TooLarge as exc:
        raise FetchError(f"内容超过 {limits.max_bytes // 1024} KB 上限") from exc
    except TimeoutError as exc:
        raise FetchError(f"超时（{limits.timeout_s:g} 秒内未完成）", transient=True) from exc
    except aiohttp.ClientConnectorDNSError as exc:
        raise FetchError(f"域名解析失败：{exc.host}", transient=True) from exc
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(f"连接失败：{exc.host}:{exc.port}", transient=True) from exc
    except aiohttp.InvalidURL as exc:
        raise FetchError(f"地址无效：{exc}") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}"[:500], transient=True) from exc
    except (UnicodeError, ValueError) as exc:
        raise FetchError(f"地址无效：{exc}"[:500]) from exc
    except OSError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}"[:500], transient=True) from exc
    finally:
        await resolver.close()


def fetch_sync(url: str, *, limits: FetchLimits, allowed_private_hosts: frozenset[str] = frozenset()) -> Fetched:
    return asyncio.run(fetch(url, limits=limits, allowed_private_hosts=allowed_private_hosts))
