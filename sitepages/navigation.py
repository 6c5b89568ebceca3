"""A unit site's menus (the header's columns, the home page's 栏目导航) and its home page's lists,
cached per schema.

Built from the live public pages once and kept in Django's cache (the key carries the schema:
django_tenants.cache.make_key); publishing, unpublishing, moving or deleting a page and any
change of a view restriction in that unit empties it (sitepages.apps), so a column made
private leaves the menus at once. The TTL bounds what a process without a shared cache
(the embedded demo's local memory) could show after another process's change.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from wagtail.models import Page

from tenants.context import current_schema_name, schema_named

from .visibility import RESTRICTED_PATHS_KEY, public

NAVIGATION_KEY = "sitepages:navigation"
HOME_LISTS_KEY = "sitepages:home-lists"
NAVIGATION_SECONDS = 300


def _entry(page) -> dict:
    return {"title": page.title, "url": page.get_url(), "id": page.pk}


def _build(root) -> dict:
    live = Page.objects.live()
    columns = list(public(live.child_of(root)).order_by("path"))
    in_menu = [column for column in columns if column.show_in_menus] or columns
    children: dict[str, list[dict]] = {}
    if in_menu:
        grandchildren = public(live.filter(depth=root.depth + 2, path__startswith=root.path)).order_by("path")
        for page in grandchildren:
            children.setdefault(page.path[: -Page.steplen], []).append(_entry(page))
    return {
        "home_url": root.get_url() or "/",
        "header": [_entry(column) for column in columns],
        "columns": [{**_entry(column), "children": children.get(column.path, [])} for column in in_menu],
    }


def navigation(*, root) -> dict:
    """{"home_url", "header": [{title, url}], "columns": [{title, url, children: [...]}]} of a unit's site
    (one site per unit schema, so one entry per schema)."""
    menus = cache.get(NAVIGATION_KEY)
    if menus is None or menus.get("root") != root.pk:
        menus = {"root": root.pk, **_build(root)}
        cache.set(NAVIGATION_KEY, menus, NAVIGATION_SECONDS)
    return menus


def _item(page) -> dict:
    return {"title": page.title, "url": page.get_url(), "publish_date": getattr(page, "publish_date", None)}


def home_lists(*, home) -> dict[str, list[dict]]:
    """The unit home's 最新动态, 公告公示 and 政策文件 lists: [{title, url, publish_date}], newest first."""
    lists = cache.get(HOME_LISTS_KEY)
    if lists is None or lists.get("root") != home.pk:
        from .homepage import latest_items
        from .models import NoticePage, PolicyDocumentPage

        notices = public(NoticePage.objects.live().descendant_of(home)).order_by("-publish_date")[:6]
        documents = public(PolicyDocumentPage.objects.live().descendant_of(home)).order_by("-publish_date")[:6]
        lists = {
            "root": home.pk,
            # 最新动态: the unit's homepage dynamic information (设置 → 首页动态信息), as oversight judges it.
            "news": [_item(page) for page in latest_items(home, limit=8)],
            "notices": [_item(page) for page in notices],
            "documents": [_item(page) for page in documents],
        }
        cache.set(HOME_LISTS_KEY, lists, NAVIGATION_SECONDS)
    return lists


_KEYS = [NAVIGATION_KEY, HOME_LISTS_KEY, RESTRICTED_PATHS_KEY]


def _forget_after_commit(schema_name: str) -> None:
    with schema_named(schema_name):
        cache.delete_many(_KEYS)


def forget_navigation(**kwargs) -> None:
    """Receiver of every change that can alter the active schema's menus or home lists. Forgotten now and
    again once the transaction commits (in this schema, whichever is active then): a request in between
    reads the old rows and would cache them, and the page cache (pagecache/) the pages built from them."""
    cache.delete_many(_KEYS)
    schema_name = current_schema_name()
    transaction.on_commit(lambda: _forget_after_commit(schema_name))


def forget_navigation_on_change(sender, instance, **kwargs) -> None:
    """post_save/post_delete of any model: only pages and view restrictions matter."""
    from wagtail.models import PageViewRestriction

    if isinstance(instance, Page | PageViewRestriction):
        forget_navigation()
