"""首页动态信息: which columns' items a unit's homepage shows, and their newest date.

One selection, read by the homepage (``UnitHomePage.get_context``) and by the oversight
homepage rule (``oversight.selectors``), so the unit is judged on what its homepage shows.
The unit administrator chooses the columns (``HomepageDynamicSetting``); without a choice the
default is every dynamic-type column, the leaders' pages (领导讲话与活动) and the 公告公示
columns. Runs inside the unit's schema.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Max, Q
from wagtail.models import Page

from columns.types import ColumnKind

SHANGHAI_NOON = time(12, 0)


def selectable_columns(home: Page | None = None):
    """Columns whose items can be homepage dynamic information: listing columns and leaders' pages."""
    from .models import ColumnListingPage, LeaderPage

    home = home or _home()
    if home is None:
        return Page.objects.none()
    return Page.objects.descendant_of(home).type(ColumnListingPage, LeaderPage).order_by("path")


def _default_condition() -> Q:
    return (
        Q(columnlistingpage__column_kind=ColumnKind.DYNAMIC)
        | Q(columnlistingpage__item_type="notice")
        | Q(leaderpage__isnull=False)
    )


def default_homepage_columns(home: Page):
    """Every dynamic-type column, the 公告公示 (notice) columns and the leaders' pages (领导讲话与活动)."""
    return Page.objects.descendant_of(home).filter(_default_condition()).order_by("path")


def _home():
    from .models import UnitHomePage

    return UnitHomePage.objects.live().first()


def homepage_columns(home: Page | None = None) -> list[Page]:
    """The columns whose items count as the homepage's dynamic information: the unit's choice
    (设置 → 首页动态信息) when it made one, else the default. One query."""
    from django.db.models import Exists, OuterRef

    from .models import HomepageDynamicSetting

    home = home or _home()
    if home is None:
        return []
    chosen = HomepageDynamicSetting.columns.through.objects.filter(
        page_id=OuterRef("pk"), homepagedynamicsetting__site__root_page=home
    )
    candidates = list(
        Page.objects.descendant_of(home)
        .annotate(chosen=Exists(chosen))
        .filter(Q(chosen=True) | _default_condition())
        .order_by("path")
        .distinct()
    )
    picked = [page for page in candidates if page.chosen]
    if picked:
        return picked
    # No choice: the default (a candidate that is not chosen matched the default condition).
    return candidates


def _children_of(columns) -> Q | None:
    condition = None
    for column in columns:
        one = Q(path__startswith=column.path, depth=column.depth + 1)
        condition = one if condition is None else condition | one
    return condition


def latest_items(home: Page | None = None, *, limit: int = 8) -> list:
    """The newest live, public items of the homepage columns, newest first (specific pages)."""
    from .models import ITEM_TYPES

    home = home or _home()
    condition = _children_of(homepage_columns(home))
    if condition is None:
        return []
    private = Page.objects.all().private_q()  # one query for every item type
    items = []
    for model in ITEM_TYPES.values():
        items.extend(
            model.objects.live().exclude(private).filter(condition).order_by("-publish_date", "-first_published_at")[:limit]
        )
    items.sort(key=_sort_key, reverse=True)
    return items[:limit]


def _noon(day) -> datetime | None:
    from oversight.freshness import SHANGHAI

    return None if day is None else datetime.combine(day, SHANGHAI_NOON, tzinfo=SHANGHAI)


def _moment(page) -> datetime:
    from oversight.freshness import SHANGHAI

    return _noon(page.publish_date) or page.first_published_at or page.last_published_at or datetime.min.replace(tzinfo=SHANGHAI)


def _sort_key(page):
    return (_moment(page), page.pk)


def newest_dynamic(home: Page | None = None) -> datetime | None:
    """The newest date of the homepage's dynamic information (None when there is none): one UNION query."""
    from .models import ITEM_TYPES

    home = home or _home()
    if home is None:
        return None
    condition = _children_of(homepage_columns(home))
    if condition is None:
        return None
    private = Page.objects.all().private_q()  # one query for every item type
    queries = [
        model.objects.live()
        .exclude(private)
        .filter(condition)
        .values("live")
        .annotate(
            newest_date=Max("publish_date"),
            newest_undated=Max("last_published_at", filter=Q(publish_date__isnull=True)),
        )
        .values("newest_date", "newest_undated")
        .order_by()
        for model in ITEM_TYPES.values()
    ]
    moments = []
    for row in queries[0].union(*queries[1:], all=True):
        moments.extend(m for m in (_noon(row["newest_date"]), row["newest_undated"]) if m is not None)
    return max(moments) if moments else None
