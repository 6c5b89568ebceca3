"""Which pages the public may see, without reading the view restrictions at every list.

Wagtail's `PageQuerySet.public()` reads every PageViewRestriction each time it is called: a unit's
home with its lists and menus called it eight times a request. `public(queryset)` here filters the
same way from the restricted pages' tree paths, kept in Django's cache per schema (emptied with the
unit's menus on every privacy change, move or delete: sitepages.navigation.forget_navigation) and
read at most once per request (`RestrictionsPerRequestMiddleware`). Production shares that cache
between processes (Redis), so a page made private leaves every list at once.
"""

from __future__ import annotations

import contextvars

from django.core.cache import cache
from django.db.models import Q
from wagtail.models import PageViewRestriction

from tenants.context import current_schema_name

# schema name -> tree paths of restricted pages, for the current request only.
_per_request: contextvars.ContextVar[dict[str, tuple[str, ...]] | None] = contextvars.ContextVar(
    "sitepages_restricted_paths", default=None
)


RESTRICTED_PATHS_KEY = "sitepages:restricted-paths"
RESTRICTED_PATHS_SECONDS = 300


def _read() -> tuple[str, ...]:
    paths = cache.get(RESTRICTED_PATHS_KEY)
    if paths is None:
        paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
        cache.set(RESTRICTED_PATHS_KEY, paths, RESTRICTED_PATHS_SECONDS)
    return paths


def restricted_paths() -> tuple[str, ...]:
    """Tree paths of the pages under a view restriction (each hides its whole subtree)."""
    memo = _per_request.get()
    if memo is None:
        return _read()
    schema = current_schema_name()
    if schema not in memo:
        memo[schema] = _read()
    return memo[schema]


def public(queryset):
    """`queryset.public()`, reading the restrictions at most once per request."""
    hidden = Q()
    for path in restricted_paths():
        hidden |= Q(path__startswith=path)
    return queryset.exclude(hidden) if hidden else queryset


class RestrictionsPerRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _per_request.set({})
        try:
            return self.get_response(request)
        finally:
            _per_request.reset(token)
