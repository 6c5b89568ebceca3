"""Absolute URLs on the right host: every unit has its own, never one global base URL."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import remove_www

from .context import current_unit


def _port_suffix() -> str:
    port = settings.PORTAL_PORT
    default = "443" if settings.PORTAL_SCHEME == "https" else "80"
    return f":{port}" if port and port != default else ""


def unit_hostname(code: str) -> str:
    return f"{code}.{settings.PORTAL_DOMAIN}"


def base_url_for_host(hostname: str) -> str:
    return f"{settings.PORTAL_SCHEME}://{hostname}{_port_suffix()}"


def portal_base_url() -> str:
    return base_url_for_host(settings.PORTAL_DOMAIN)


def unit_base_url(unit) -> str:
    domain = unit.get_primary_domain()
    hostname = domain.domain if domain is not None else unit_hostname(unit.code)
    return base_url_for_host(hostname)


def current_base_url() -> str:
    """Base URL of the unit whose schema is active (the portal in the public schema)."""
    unit = current_unit()
    return portal_base_url() if unit is None else unit_base_url(unit)


def site_port() -> int:
    if settings.PORTAL_PORT:
        return int(settings.PORTAL_PORT)
    return 443 if settings.PORTAL_SCHEME == "https" else 80


def tenant_hostname(request) -> str:
    """The host name a request's unit is looked up by, as django-tenants' middleware does: without the port and a
    leading "www." (raises DisallowedHost for a host outside ALLOWED_HOSTS)."""
    return remove_www(request.get_host().split(":")[0])
