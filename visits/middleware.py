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
    if request.method != "GET" or response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
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
        if tenant is None or tenant.pk is None or not counts(request, response):
            return response
        try:
            services.record_visit(
                unit_id=tenant.pk, ip=client_ip(request) or "", user_agent=request.headers.get("User-Agent", "")
            )
        except (DatabaseError, InterfaceError):
            # Counting is never worth a broken page.
            logger.exception("访问计数写入失败（%s %s）", tenant.pk, request.path)
        return response
