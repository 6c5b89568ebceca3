"""RSS 2.0 and Atom feeds per unit and per column, with absolute URLs on the unit's host."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from wagtail.models import Page, Site

from .models import ColumnListingPage
from .selectors import live_items


class _ItemFeedMixin:
    feed_type = Rss201rev2Feed
    limit = 30

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.specific.summary

    def item_link(self, item):
        return item.full_url

    def item_pubdate(self, item):
        specific = item.specific
        if specific.publish_date:
            return timezone.make_aware(dt.datetime.combine(specific.publish_date, dt.time(9, 0)))
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        specific = item.specific
        return getattr(specific, "author", "") or getattr(specific, "issuing_body", "") or None

    def item_guid(self, item):
        return item.full_url

    def _ordered(self, queryset):
        return [page.specific for page in queryset.specific().order_by("-first_published_at")[: self.limit]]


class UnitFeed(_ItemFeedMixin, Feed):
    def get_object(self, request):
        site = Site.find_for_request(request)
        if site is None:
            raise Http404("该主机名没有对应的网站")
        return site

    def title(self, site):
        return f"{site.site_name} - 最新信息"

    def link(self, site):
        return site.root_url + "/"

    def description(self, site):
        return f"{site.site_name}发布的最新动态、公告与文件"

    def items(self, site):
        items = self._ordered(live_items(home=site.root_page))
        return sorted(items, key=lambda p: (p.publish_date or dt.date.min, p.first_published_at), reverse=True)


class UnitAtomFeed(UnitFeed):
    feed_type = Atom1Feed
    subtitle = UnitFeed.description


class ColumnFeed(_ItemFeedMixin, Feed):
    def get_object(self, request, page_id: int):
        site = Site.find_for_request(request)
        page = get_object_or_404(Page.objects.live().public().type(ColumnListingPage), pk=page_id)
        if site is None or not page.is_descendant_of(site.root_page):
            raise Http404("栏目不存在")
        return page.specific

    def title(self, column):
        return f"{column.get_site().site_name} - {column.title}"

    def link(self, column):
        return column.full_url

    def description(self, column):
        return f"栏目「{column.title}」的最新信息"

    def items(self, column):
        return list(column.items()[: self.limit])


class ColumnAtomFeed(ColumnFeed):
    feed_type = Atom1Feed
    subtitle = ColumnFeed.description
