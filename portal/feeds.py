"""Aggregated RSS 2.0 and Atom feeds of every unit's latest information (from the portal index)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from search.backends.base import Hit
from search.selectors import latest_documents
from tenants.hosts import portal_base_url

FEED_LIMIT = 50


class PortalFeed(Feed):
    feed_type = Rss201rev2Feed
    title = "“中国·珠海”政府门户网站 - 全市最新信息"
    description = "珠海市各单位网站发布的最新动态、公告公示与政府文件"

    def link(self) -> str:
        return portal_base_url() + "/"

    def items(self) -> list[Hit]:
        return latest_documents(limit=FEED_LIMIT)

    def item_title(self, item: Hit) -> str:
        return f"【{item.unit_name}】{item.title}"

    def item_description(self, item: Hit) -> str:
        return item.summary

    def item_link(self, item: Hit) -> str:
        return item.url

    def item_guid(self, item: Hit) -> str:
        return item.url

    def item_author_name(self, item: Hit) -> str:
        return item.metadata.get("issuing_body") or item.unit_name

    def item_categories(self, item: Hit) -> list[str]:
        return [c for c in (item.column_title, *item.categories) if c]

    def item_pubdate(self, item: Hit) -> dt.datetime | None:
        if item.publish_date:
            return timezone.make_aware(dt.datetime.combine(item.publish_date, dt.time(9, 0)))
        return item.published_at

    def item_updateddate(self, item: Hit) -> dt.datetime | None:
        return item.published_at


class PortalAtomFeed(PortalFeed):
    feed_type = Atom1Feed
    subtitle = PortalFeed.description
