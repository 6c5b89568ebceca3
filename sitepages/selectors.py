"""Reads on a unit's pages (run inside the unit's schema)."""

from __future__ import annotations

from collections import defaultdict

from wagtail.models import Page


def column_pages(*, home: Page):
    from .models import COLUMN_PAGE_TYPES

    return [page for page in Page.objects.descendant_of(home).type(*COLUMN_PAGE_TYPES).specific().order_by("path")]


def disclosure_catalogue(*, home: Page) -> list[tuple[str, list[Page]]]:
    """Live columns the public may see, grouped by 政务公开类别, in table order.

    A column under a view restriction (login, password, groups) is not listed:
    the public catalogue must not show even the titles of restricted columns.
    """
    from .models import COLUMN_PAGE_TYPES

    groups: dict[str, list[Page]] = defaultdict(list)
    visible = Page.objects.descendant_of(home).type(*COLUMN_PAGE_TYPES).live().public().specific().order_by("path")
    for column in visible:
        for category in column.categories:
            groups[category].append(column)
    return sorted(groups.items(), key=lambda item: item[0])


def live_items(*, home: Page):
    from .models import ITEM_TYPES

    return Page.objects.live().public().descendant_of(home).type(*ITEM_TYPES.values())
