"""Counts page views of the public sites: one statement per counted view, never an error to the visitor.

Counted: GET requests answered 200 with an HTML page, outside the admin, static files, media,
documents, the API and the captcha, from a browser (not a crawler, a monitor or a prefetch).
The site is the request's tenant (the tenant middleware, tenants.middleware.CachedTenantMainMiddleware,
runs first): a unit, or the portal. Nothing of the request is stored but a keyed digest (visits.services.visitor_digest).
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError, InterfaceError

from accounts.network import client_ip

from . import services

logger = logging.getLogger(__name__)

EXCLUDED_PREFIXES = ("/admin/", "/static/", "/media/", "/documents/", "/api/", "/captcha/", "/favicon")
# Crawlers, command-line clients, the platform's own link checker and availability probe, previews.
BOT_PATTERN = re.compile(
    r"bot|spider|crawl|slurp|archiver|checker|monitor|probe|curl|wget|python|httpx|aiohttp|okhttp|go-http|java/|libwww"
    r"|headless|phantom|scrapy|preview|externalhit|feedfetcher|lighthouse",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def counts(request, response) -> bool:
    """Whether this request is a page view of a public page."""
    return is_page_view(request, status_code=response.status_code, content_type=response.get("Content-Type", ""))


def is_page_view(request, *, status_code: int, content_type: str) -> bool:
    if request.method != "GET" or status_code != 200:
        return False
    if not content_type.startswith("text/html"):
        return False
    if request.path.startswith(EXCLUDED_PREFIXES):
        return False
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    if "prefetch" in purpose.lower():
        return False
    return not is_bot(request.headers.get("User-Agent", ""))


class VisitCounterMiddleware:
    """Place directly after the tenant middleware: it then sees the final response of every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.pk is not None:
            count_view(request=request, response=response, unit_id=tenant.pk)
        return response


def count_view(*, request, response, unit_id: int) -> None:
    """Count `response` to `request` as a view of the site `unit_id` if it is one (`counts`)."""
    if counts(request, response):
        record_view(request=request, unit_id=unit_id)


def record_view(*, request, unit_id: int) -> None:
    """Count a page view (`is_page_view`) of the site `unit_id`; also called by the page cache's answer before
    Django (pagecache.wsgi)."""
    try:
        services.record_visit(unit_id=unit_id, ip=client_ip(request) or "", user_agent=request.headers.get("User-Agent", ""))
    except (DatabaseError, InterfaceError):
        # Counting is never worth a broken page.
        logger.exception("访问计数写入失败（%s %s）", unit_id, request.path)
