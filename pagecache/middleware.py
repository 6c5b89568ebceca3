"""The full-page cache of anonymous readers, for unit sites and the portal alike.

Placed after the tenant middleware (the schema and URL conf are the host's) and the visit counter (a
page served from the cache is still a counted view), before everything else: a hit skips the rest of
the stack and replays the headers it added when the page was rendered (security headers, CSP).

A request is answered from the cache (and its response may be stored) only when it is an anonymous
GET or HEAD: no session cookie (a logged-in editor, a reader who passed a page password), no flash
message waiting in a cookie, no Authorization header, and not the admin, files, forms or the other
paths of EXCLUDED_PREFIXES. Everything else bypasses the cache entirely.

A response is stored only when it is a complete, public page (`refusal` says why not otherwise).
Stored pages say `Cache-Control: public, max-age=0, s-maxage=N` with an ETag and Last-Modified and
answer If-None-Match / If-Modified-Since with 304; anonymous responses that are not stored say
`private`, so no shared cache keeps them. `X-Page-Cache` tells hit, miss or bypass.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from accessibility.preferences import elder_mode_on
from tenants.context import current_schema_name

from . import selectors, services
from .keys import ELDER_VARIANT, STANDARD_VARIANT, PageKey, page_key

# Never cached: admins; files (each has its own access rule: media per host, documents per page privacy);
# the captcha (a new image each time) and the 长者模式 switch (sets a cookie); and the sections whose
# data changes without a purge hook: 互动交流 (forms, replies), the 考评 sections, 年度报表, the API.
EXCLUDED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/static/",
    "/media/",
    "/documents/",
    "/captcha/",
    "/zhangzhe/",
    "/hudong/",
    "/kaoping/",
    "/kaohe/",
    "/pingbi/",
    "/tongbao/",
    "/nianbao/",
    "/api/",
)
# Headers a stored page may vary on: the key covers them. Cookie: the session and message cookies
# bypass the cache and 长者模式 is part of the key (SessionMiddleware adds Vary: Cookie to every page
# the authentication middlewares looked at). Accept-Language: the platform has one language.
KEYED_VARY = frozenset({"cookie", "accept-language"})
MAX_STORED_BYTES = 2 * 1024 * 1024
HEADER = "X-Page-Cache"


def bypasses(request) -> bool:
    """The request neither reads nor fills the cache."""
    if request.method not in ("GET", "HEAD"):
        return True
    if request.path.startswith(EXCLUDED_PREFIXES):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return True
    return "authorization" in request.headers


def request_key(request, *, schema: str | None = None) -> PageKey:
    """The entry of this request in the unit `schema` (the active one unless given)."""
    return page_key(
        scheme=request.scheme,
        host=request.get_host(),
        schema=schema or current_schema_name(),
        variant=ELDER_VARIANT if elder_mode_on(request) else STANDARD_VARIANT,
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
    )


def remember_served_page(page, request, serve_args, serve_kwargs) -> None:
    """before_serve_page hook (first of all): which Wagtail page this request serves."""
    request.page_cache_page = page


def _restricted(request) -> bool:
    page = getattr(request, "page_cache_page", None)
    if page is None:
        return False
    from sitepages.visibility import restricted_paths

    return any(page.path.startswith(path) for path in restricted_paths())


def _cache_control_forbids(response) -> bool:
    value = response.get("Cache-Control", "").lower()
    return any(directive in value for directive in ("private", "no-store", "no-cache"))


def _vary_outside_key(response) -> bool:
    varied = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return bool(varied - KEYED_VARY)


def refusal(request, response) -> str | None:
    """Why `response` must not be stored, or None when it may."""
    checks = (
        ("method", request.method != "GET"),
        ("status", response.status_code != 200),
        ("streaming", response.streaming),
        ("set-cookie", bool(response.cookies)),
        ("cache-control", _cache_control_forbids(response)),
        ("vary", _vary_outside_key(response)),
        # A form with a CSRF token renders the token of this reader (and sets the cookie).
        ("csrf", bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))),
        ("preview", bool(getattr(request, "is_preview", False))),
        ("authenticated", bool(getattr(getattr(request, "user", None), "is_authenticated", False))),
        ("restricted", _restricted(request)),
    )
    for reason, applies in checks:
        if applies:
            return reason
    if len(response.content) > MAX_STORED_BYTES:
        return "size"
    return None


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    return response


def _conditional(request, response, entry: dict):
    return get_conditional_response(request, etag=entry["etag"], last_modified=entry["modified"], response=response)


def hit_response(request, entry: dict) -> HttpResponse:
    """The stored page, or 304 when the reader's copy is current."""
    response = _conditional(request, _from_entry(entry), entry)
    response[HEADER] = "hit"
    return response


# Where pagecache.wsgi leaves the lookup it made before handing a miss to Django: not read twice.
LOOKUP_ENVIRON_KEY = "pagecache.lookup"


def _lookup(request, key: PageKey) -> selectors.Lookup:
    earlier = request.META.pop(LOOKUP_ENVIRON_KEY, None)
    if earlier is not None and earlier[0] == key:
        return earlier[1]
    return selectors.cached_page(key=key)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED:
            return self.get_response(request)
        if bypasses(request):
            response = self.get_response(request)
            services.mark_uncacheable(response)
            response[HEADER] = "bypass"
            return response
        key = request_key(request)
        lookup = _lookup(request, key)
        if lookup.entry is not None:
            return hit_response(request, lookup.entry)
        response = self.get_response(request)
        entry = None
        if refusal(request, response) is None:
            entry = services.store_page(key=key, seen=lookup.generations, response=response)
        if entry is None:
            services.mark_uncacheable(response)
        else:
            response = _conditional(request, response, entry)
        response[HEADER] = "miss"
        return response
