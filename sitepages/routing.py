"""A unit site's URL resolved to its page by the page's stored url_path, not segment by segment.

Wagtail's Page.route walks the tree one URL segment at a time, two queries per segment (the child by
slug, then its specific row): six to eight queries for an item three 栏目分组 deep, more than a whole
page's budget. Every page already stores its url_path (its ancestors' slugs, kept by Wagtail on every
move and slug change), so the page at `/a/b/c/` is the one whose url_path is the root's plus `a/b/c/`.

The id and content type found for a url_path are kept in the unit's cache as a hint: the page is then
one query by primary key, and that query also checks the url_path, so a stale hint (a page moved,
renamed or deleted since) is never served: it falls back to the lookup.
"""

from __future__ import annotations

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from wagtail.models import Page

ROUTE_KEY = "sitepages:route:"
ROUTE_SECONDS = 600


def _key(url_path: str) -> str:
    # The default cache's key function puts the active schema in front (django_tenants.cache.make_key).
    return ROUTE_KEY + hashlib.blake2b(url_path.encode(), digest_size=16).hexdigest()


def _specific(*, page_id: int, content_type_id: int, url_path: str) -> Page | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:  # a page type whose code is gone: let Wagtail's own routing decide
        return None
    return model.objects.filter(pk=page_id, url_path=url_path).first()


def page_at(*, root: Page, path_components: list[str]) -> Page | None:
    """The specific page at `path_components` below `root` (live or not: Page.route decides), or None."""
    url_path = root.url_path + "".join(f"{component}/" for component in path_components)
    key = _key(url_path)
    hint = cache.get(key)
    if hint is not None:
        page = _specific(page_id=hint[0], content_type_id=hint[1], url_path=url_path)
        if page is not None:
            return page
    row = (
        Page.objects.filter(url_path=url_path, path__startswith=root.path)
        .order_by("path")
        .values_list("id", "content_type_id")
        .first()
    )
    if row is None:
        return None
    cache.set(key, row, ROUTE_SECONDS)
    return _specific(page_id=row[0], content_type_id=row[1], url_path=url_path)
