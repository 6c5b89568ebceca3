"""Pages through nginx's proxy_cache and Django's page cache: kept for anonymous readers, never stale after a change."""

from __future__ import annotations

import time

from tests_stack.conftest import request, unit_host, wait_for
from tests_stack.publishing import news_column, publish_news, unit_schema


def _read(path: str, host: str) -> tuple[int, dict[str, str], str]:
    status, headers, body = request("GET", path, host=host)
    return status, headers, body.decode()


def test_anonymous_pages_are_cached_and_a_publish_is_visible_at_once():
    host = unit_host("fgj")
    column_id = news_column("fgj")
    from wagtail.models import Page

    from tenants.context import schema_named

    with schema_named(unit_schema("fgj")):
        column_path = Page.objects.get(id=column_id).get_url_parts()[2]
    for path in ("/", column_path):
        _read(path, host)
        status, headers, _ = _read(path, host)
        assert status == 200 and headers.get("x-cache-status") == "HIT", (path, headers.get("x-cache-status"))

    title = f"缓存即时更新测试{time.strftime('%H%M%S')}"
    publish_news(code="fgj", column_id=column_id, title=title)
    # Straight after the commit: the unit's home and the column list through nginx show it.
    for path in ("/", column_path):
        status, _headers, body = _read(path, host)
        assert status == 200 and title in body, path
    # The portal home shows it once the workers have indexed it (its cache is purged on indexing).
    assert wait_for(lambda: title in _read("/", "zhuhai.localhost")[2], seconds=10, step=0.5)


def test_a_page_made_private_is_gone_from_every_cache_at_once():
    from django.db import transaction
    from wagtail.models import Page, PageViewRestriction

    from tenants.context import schema_named

    host = unit_host("fgj")
    title = f"即将设为私有的信息{time.strftime('%H%M%S')}"
    page_id = publish_news(code="fgj", column_id=news_column("fgj"), title=title)
    with schema_named(unit_schema("fgj")):
        path = Page.objects.get(id=page_id).get_url_parts()[2]
    _read(path, host)
    status, headers, body = _read(path, host)
    assert status == 200 and title in body and headers.get("x-cache-status") == "HIT"

    with schema_named(unit_schema("fgj")), transaction.atomic():
        PageViewRestriction.objects.create(
            page=Page.objects.get(id=page_id), restriction_type=PageViewRestriction.PASSWORD, password="stack-secret-1"
        )
    status, headers, body = _read(path, host)
    assert "生产环境故障测试" not in body
    assert headers.get("x-cache-status") != "HIT"
