"""Cached pages answered before Django's request handler.

A hit through PageCacheMiddleware still pays for Django's handler: the request signals (which look at
every database connection), the tenant, visit and view-restriction middleware, the response object and
its close signal; more than the cache read itself. `CachedPagesApplication` wraps the WSGI application
and answers a hit itself, with the same rules as the middleware, which it shares:

- only a request the middleware would look up (`bypasses`: anonymous GET/HEAD, outside EXCLUDED_PREFIXES,
  no session or message cookie, no Authorization header), from a host Django accepts (ALLOWED_HOSTS) and
  whose unit this process has looked up already (tenants.caches.domains: the tenant middleware's cache);
- under the same key (scheme, host, the unit's schema, 长者模式 variant, path, query) and the same validity
  check (pagecache.selectors.cached_page);
- with the same response: the stored status and headers, and for a conditional request Django's own
  answer (hit_response: 304 while the reader's copy is current); and the same visit count
  (visits.middleware.is_page_view, record_view) as the middleware chain gives a hit.

Everything else, and every miss, goes to Django unchanged; a miss carries its lookup along, so the
middleware does not read the cache a second time.
"""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections, connection

from tenants.caches import domains
from tenants.hosts import tenant_hostname
from visits.middleware import is_page_view, record_view

from . import selectors
from .middleware import HEADER, LOOKUP_ENVIRON_KEY, bypasses, hit_response, request_key

_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _hit(environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """Status, headers and body of a cache hit, or None (Django answers)."""
    # On a copy: WSGIRequest writes the decoded address back into the dict it is given, and Django's handler,
    # given that dict on a miss, would decode it a second time (a 500 for every address outside Latin-1).
    request = WSGIRequest(dict(environ))
    if bypasses(request):
        return None
    try:
        hostname = tenant_hostname(request)
    except DisallowedHost:
        return None
    tenant = domains.get(hostname)
    if tenant is None:
        return None
    key = request_key(request, schema=tenant.schema_name)
    lookup = selectors.cached_page(key=key)
    entry = lookup.entry
    if entry is None:
        environ[LOOKUP_ENVIRON_KEY] = (key, lookup)
        return None
    if any(name in environ for name in _CONDITIONAL_HEADERS):
        response = hit_response(request, entry)
        status, headers, content = response.status_code, list(response.items()), response.content
    else:
        status, headers, content = entry["status"], [*entry["headers"], (HEADER, "hit")], entry["content"]
    content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
    if tenant.pk is not None and is_page_view(request, status_code=status, content_type=content_type):
        # As Django's handler does around a request: a connection that broke or outlived CONN_MAX_AGE is
        # replaced before the count is written (never inside a transaction: a test's).
        if not connection.in_atomic_block:
            close_old_connections()
        record_view(request=request, unit_id=tenant.pk)
    return _status_line(status), headers, content


class CachedPagesApplication:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if settings.PAGE_CACHE_ENABLED and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            answer = _hit(environ)
            if answer is not None:
                status, headers, content = answer
                start_response(status, headers)
                return [b"" if environ["REQUEST_METHOD"] == "HEAD" else content]
        return self.application(environ, start_response)
