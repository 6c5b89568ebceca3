"""Pages through nginx's proxy_cache and Django's page cache: kept for anonymous readers, never stale after a change."""

from __future__ import annotations

import http.client
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from tests_stack.conftest import ROOT, request, stack, unit_host, wait_for
from tests_stack.publishing import news_column, publish_news, unit_schema

# Concurrent readers: enough that every gunicorn worker process (3 in the stack, 4 threads each) answers some.
READERS = 24


def _read(path: str, host: str) -> tuple[int, dict[str, str], str]:
    status, headers, body = request("GET", path, host=host)
    return status, headers, body.decode()


def _from_web_processes(path: str, host: str) -> list[tuple[int, str, str]]:
    """(status, X-Page-Cache, body) of READERS concurrent requests straight to gunicorn, as nginx makes them on a
    miss: each on its own connection, so the worker processes share them out."""

    def one(_n: int) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", stack.PORTS["web"], timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
            response = connection.getresponse()
            return response.status, response.getheader("X-Page-Cache", ""), response.read().decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return list(pool.map(one, range(READERS)))


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


def test_a_publish_is_read_straight_away_from_every_web_process_copy():
    """Every worker process holds its own copy of the home and remembers its purge counters; the publish
    (in this process) reaches each of them through the purge notice before the next request does."""
    host = unit_host("fgj")
    column_id = news_column("fgj")
    for round_ in range(3):
        for _warm in range(3):
            replies = _from_web_processes("/", host)
        assert all(status == 200 for status, _state, _body in replies)
        assert sum(state == "hit" for _status, state, _body in replies) >= READERS - 3, [r[1] for r in replies]
        title = f"各进程即时更新{round_}号{time.strftime('%H%M%S')}"
        publish_news(code="fgj", column_id=column_id, title=title)
        stale = [state for status, state, body in _from_web_processes("/", host) if status != 200 or title not in body]
        assert not stale, f"第 {round_ + 1} 轮：发布后立即读取，{len(stale)}/{READERS} 次仍是旧页面（{stale[:5]}）"


def test_without_its_subscription_a_process_trusts_no_remembered_counters_and_forgets_all_on_its_return():
    from django.conf import settings
    from django.test import override_settings

    from pagecache import local, notices
    from pagecache.selectors import page_cache

    cache = page_cache()
    assert notices.needed(cache)
    memory = local.RememberedGenerations()
    subscription = notices.Subscription()

    def read() -> bool:
        return subscription.read(cache=cache, forget=memory.forget, forget_all=memory.clear)

    with override_settings(PAGE_CACHE_GENERATION_MS=max(settings.PAGE_CACHE_GENERATION_MS, 60_000)):
        assert wait_for(read, seconds=5, step=0.05), "订阅未能建立"
        memory.remember(("stack:a", "stack:b"), (1, 2), mark=memory.mark())
        notices.announce(cache, ["stack:a"])
        assert wait_for(lambda: read() and memory.get(("stack:a",)) is None, seconds=2, step=0.01)
        assert memory.get(("stack:b",)) == (2,)
        # Notices queued one behind another on the socket are all read by the next request's one read.
        memory.remember(("stack:d", "stack:e", "stack:f"), (4, 5, 6), mark=memory.mark())
        for name in ("stack:d", "stack:e", "stack:f"):
            notices.announce(cache, [name])
        time.sleep(0.2)
        assert read()
        assert [memory.get((name,)) for name in ("stack:b", "stack:d", "stack:e", "stack:f")] == [(2,), None, None, None]

        subprocess.run([str(ROOT / ".venv/bin/python"), str(ROOT / "deploy/stack.py"), "stop", "redis"], check=True, timeout=120)
        try:
            assert wait_for(lambda: not read(), seconds=5, step=0.1)
            assert memory.get(("stack:b",)) is None
        finally:
            subprocess.run(
                [str(ROOT / ".venv/bin/python"), str(ROOT / "deploy/stack.py"), "start", "redis"], check=True, timeout=120
            )
        memory.remember(("stack:c",), (3,), mark=memory.mark())
        # Notices sent while it was away are lost: subscribed again, it forgets everything it remembered.
        assert wait_for(read, seconds=10, step=0.2), "Redis 恢复后订阅未能重新建立"
        assert memory.get(("stack:c",)) is None

        # A process that missed a purge while Redis was away empties the page cache when it is back, and says so.
        memory.remember(("stack:g",), (7,), mark=memory.mark())
        cache._missed_invalidation.set()
        assert cache.get("stack:probe") is None
        assert not cache._missed_invalidation.is_set()
        assert wait_for(lambda: read() and memory.get(("stack:g",)) is None, seconds=2, step=0.01)
        subscription.close()


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
