"""The client's address, and whether it may reach /admin/ (ADMIN_ALLOWED_NETWORKS).

REMOTE_ADDR is the client, unless the request came through one of TRUSTED_PROXIES (nginx in
production): then the address is the right-most X-Forwarded-For entry that is not itself a
trusted proxy. A client cannot choose its address by sending X-Forwarded-For: entries left of
the first untrusted hop are never read. django-axes (AXES_CLIENT_IP_CALLABLE), the page
password throttle, the admin network rule and django-ratelimit (`ratelimit_ip`) all use it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=32)
def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _address(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def in_networks(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> Address | None:
    """The client's address as an ipaddress object, or None when the request carries none."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    trusted = parse_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not trusted or not in_networks(remote, trusted):
        return remote
    hops = [hop for hop in (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A malformed entry: nothing to its left can be trusted either.
            return remote
        if not in_networks(address, trusted):
            return address
        remote = address
    return remote


def client_ip(request) -> str | None:
    """The client's address as text (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    address = client_address(request)
    return str(address) if address is not None else None


def ratelimit_ip(request) -> str:
    """django-ratelimit's RATELIMIT_IP_META_KEY: the same client address, never empty.

    Behind nginx REMOTE_ADDR is nginx for every citizen, so counting by it would put the whole city
    in one bucket; a request with no readable address is counted in a bucket of its own.
    """
    return client_ip(request) or "0.0.0.0"


def admin_networks() -> tuple[Network, ...]:
    return parse_networks(tuple(getattr(settings, "ADMIN_ALLOWED_NETWORKS", ()) or ()))


def may_reach_admin(request) -> bool:
    """Whether the request's client is in ADMIN_ALLOWED_NETWORKS (always, when the setting is empty)."""
    networks = admin_networks()
    if not networks:
        return True
    address = client_address(request)
    return address is not None and in_networks(address, networks)


def is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")
