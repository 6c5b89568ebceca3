"""The link checker's guard against server-side request forgery.

The checker fetches arbitrary URLs found in user-editable pages, so every hop
is guarded.  Host names are resolved by :class:`GuardedResolver`, which
refuses private / loopback / link-local / reserved addresses and pins the
vetted answer, so the connection aiohttp opens goes to exactly the address
that was checked (no DNS rebinding window).  Platform hosts that live on
private addresses (an intranet deployment, the demo's ``*.localhost``) are let
through only when listed.

Free of Django.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["DEFAULT_PORTS", "BlockedAddress", "GuardedResolver", "host_in", "host_port", "is_public_address"]

DEFAULT_PORTS = {"http": 80, "https": 443}
RESOLVER_CACHE_TTL_S = 300.0


class BlockedAddress(Exception):
    """Raised when a host resolves to an address the checker must not contact."""


def is_public_address(ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True if ``ip`` is a globally routable unicast address.

    Private, loopback, link-local, multicast, reserved, unspecified and
    carrier-grade NAT (not ``is_global``) addresses are all refused; IPv4-mapped
    IPv6 addresses are judged by the IPv4 address they carry so ``::ffff:10.0.0.1``
    cannot sneak past.
    """
    try:
        addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast or addr.is_reserved or addr.is_unspecified:
        return False
    return addr.is_global


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host, parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


def host_in(hosts: frozenset[str], host: str, port: int) -> bool:
    """Match ``host`` against ``host`` or ``host:port`` entries.

    An entry without a port matches every port of that host; an entry with a
    port matches only that port (tests run two "sites" on one loopback IP).
    An entry with a leading dot matches the domain and every sub-domain, as in
    Django's ALLOWED_HOSTS (".localhost" covers fgj.localhost).
    """
    bracketed = f"[{host}]" if ":" in host else host
    if {host, bracketed, f"{bracketed}:{port}", f"{host}:{port}"} & hosts:
        return True
    return any(entry.startswith(".") and (host == entry[1:] or host.endswith(entry)) for entry in hosts)


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that only ever returns vetted public addresses.

    The answer is cached (and shared between concurrent look-ups) for the
    duration of a crawl, and the same object is used for the pre-connection
    check and by the connector, so the address that was checked is the address
    that is connected to.
    """

    def __init__(self, allowed_private_hosts: frozenset[str] = frozenset()) -> None:
        self._allowed = frozenset(h.lower() for h in allowed_private_hosts)
        self._cache: dict[str, tuple[float, asyncio.Task[list[tuple[int, int, tuple]]]]] = {}

    def is_allowed_private(self, host: str, port: int) -> bool:
        return host_in(self._allowed, host.lower(), port)

    async def _lookup(self, host: str, port: int) -> list[tuple[int, int, tuple]]:
        loop = asyncio.get_running_loop()
        # RFC 6761: every name under .localhost is loopback, although the
        # system resolver may not know sub-domains such as fgj.localhost.
        lookup_host = "localhost" if host.lower().endswith(".localhost") else host
        infos = await loop.getaddrinfo(lookup_host, port, type=socket.SOCK_STREAM, family=socket.AF_UNSPEC)
        found = [(fam, proto, sockaddr) for fam, _t, proto, _c, sockaddr in infos]
        if not self.is_allowed_private(host, port):
            # Any non-public answer refuses the whole host: mixing public and
            # private records is a classic rebinding trick.
            for _fam, _proto, sockaddr in found:
                if not is_public_address(str(sockaddr[0]).split("%", 1)[0]):
                    raise BlockedAddress(f"{host} -> {sockaddr[0]}")
        return found

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        key = f"{host.lower()}:{port}"
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is None or now - cached[0] > RESOLVER_CACHE_TTL_S:
            task = asyncio.get_running_loop().create_task(self._lookup(host, port))
            self._cache[key] = (now, task)
        else:
            task = cached[1]
        try:
            # shield: one cancelled waiter must not cancel the shared look-up.
            infos = await asyncio.shield(task)
        except OSError:
            # DNS failures may be transient; do not cache them so a retry resolves again.
            if self._cache.get(key, (0.0, None))[1] is task:
                del self._cache[key]
            raise
        results: list[ResolveResult] = []
        for fam, proto, sockaddr in infos:
            if family not in (socket.AF_UNSPEC, fam):
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(sockaddr[0]),
                    port=port,
                    family=fam,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise OSError(errno.EADDRNOTAVAIL, f"no usable address for {host}")
        return results

    async def close(self) -> None:
        for _stamp, task in self._cache.values():
            task.cancel()
        self._cache.clear()
