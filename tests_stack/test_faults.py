"""Faults on the running stack, each checked for what it must not lose."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

from tests_stack.conftest import ROOT, get, request, stack, unit_host, wait_for
from tests_stack.publishing import index_counts, news_column, pending_outbox, publish_news, try_publish, unit_schema

STACK = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "deploy" / "stack.py")]


def stack_command(*args: str) -> None:
    subprocess.run([*STACK, *args], check=True, capture_output=True, text=True, timeout=180)


def all_indexed(code: str, page_ids: list[int], *, seconds: float) -> dict[int, int]:
    """Waits until every page has its portal document; returns the counts either way."""
    wait_for(lambda: all(n == 1 for n in index_counts(code=code, page_ids=page_ids).values()), seconds=seconds, step=1)
    return index_counts(code=code, page_ids=page_ids)


def found_once(title: str, page_id: int) -> bool:
    """Portal search for the title lists the page exactly once (one result heading links to it)."""
    from wagtail.models import Page

    from tenants.context import schema_named

    with schema_named(unit_schema("fgj")):
        url = Page.objects.get(id=page_id).full_url
    status, body = get("/search/?" + urllib.parse.urlencode({"q": title}), timeout=10)
    links = re.findall(r'<h3[^>]*>\s*<a href="([^"]+)"', body.decode())
    return status == 200 and links.count(url) == 1


def test_killing_a_worker_during_the_drain_loses_no_publish_and_indexes_each_once():
    column = news_column("fgj")
    stamp = time.strftime("%H%M%S")
    page_ids: list[int] = []

    def publisher() -> None:
        for n in range(40):
            page_ids.append(publish_news(code="fgj", column_id=column, title=f"故障测试一{stamp}号{n:02d}"))

    thread = threading.Thread(target=publisher)
    thread.start()
    # Let the drains start on both workers, then crash one of them (SIGKILL of its whole cluster).
    wait_for(lambda: len(page_ids) >= 10, seconds=60)
    stack_command("kill", "worker-1")
    thread.join(timeout=300)
    assert len(page_ids) == 40
    try:
        counts = all_indexed("fgj", page_ids, seconds=150)
        assert counts == dict.fromkeys(page_ids, 1), {k: v for k, v in counts.items() if v != 1}
        assert pending_outbox(code="fgj", page_ids=page_ids) == 0
    finally:
        stack_command("start", "worker-1")
    assert found_once(f"故障测试一{stamp}号07", page_ids[7])


def test_restarting_postgresql_under_traffic_recovers_within_10_s_and_keeps_every_acknowledged_publish():
    column = news_column("fgj")
    stamp = time.strftime("%H%M%S")
    acknowledged: list[int] = []
    stop = threading.Event()
    failures: list[float] = []
    served_after: list[float] = []
    restarted_at: list[float] = []

    def readers() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            # A query string that no cache holds: every request reaches Django and the database.
            path = f"/?probe={stamp}{n}"
            try:
                status, _ = get(path, host=unit_host("fgj"), timeout=5)
            except OSError:
                status = 0
            now = time.monotonic()
            if status != 200:
                failures.append(now)
            elif restarted_at and now > restarted_at[0]:
                served_after.append(now)
            time.sleep(0.05)

    def publisher() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            page_id = try_publish(code="fgj", column_id=column, title=f"故障测试二{stamp}号{n:03d}")
            if page_id:
                acknowledged.append(page_id)
            time.sleep(0.3)

    threads = [threading.Thread(target=readers), threading.Thread(target=publisher)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    stack_command("restart", "postgres")
    restarted_at.append(time.monotonic())
    # Served again within 10 s of the server being back, and serving stays up after that.
    recovered = wait_for(lambda: served_after, seconds=10, step=0.2)
    time.sleep(5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    # This thread's own connection died with the server too.
    connection.close()
    assert recovered, "PostgreSQL 重启后 10 秒内网站仍未恢复"
    late_failures = [t for t in failures if t > restarted_at[0] + 10]
    assert not late_failures, f"重启 10 秒后仍有 {len(late_failures)} 次请求失败"
    assert len(acknowledged) >= 5
    counts = all_indexed("fgj", acknowledged, seconds=150)
    assert counts == dict.fromkeys(acknowledged, 1), {k: v for k, v in counts.items() if v != 1}


def test_with_redis_stopped_for_a_minute_publishing_succeeds_and_the_backlog_drains_when_it_returns():
    from handoff.models import UnsentTask

    column = news_column("fgj")
    stamp = time.strftime("%H%M%S")
    stack_command("stop", "redis")
    try:
        page_ids = [publish_news(code="fgj", column_id=column, title=f"故障测试三{stamp}号{n}") for n in range(3)]
        # Citizens still read the portal and the unit (from PostgreSQL, uncached).
        for host in (stack.DOMAIN, unit_host("fgj")):
            status, _headers, _ = request("GET", f"/?probe=redis{stamp}", host=host, timeout=10)
            assert status == 200, host
        assert UnsentTask.objects.exists()
        assert pending_outbox(code="fgj", page_ids=page_ids) == 3
        time.sleep(60)
        assert index_counts(code="fgj", page_ids=page_ids) == dict.fromkeys(page_ids, 0)
    finally:
        stack_command("start", "redis")
    counts = all_indexed("fgj", page_ids, seconds=180)
    assert counts == dict.fromkeys(page_ids, 1)
    assert wait_for(lambda: not UnsentTask.objects.exists(), seconds=120, step=1)
    assert found_once(f"故障测试三{stamp}号1", page_ids[1])
    assert stack.status() == {name: True for name in stack.status()}


@pytest.fixture
def full_media_volume():
    """The unit's media folder on a 1 MB volume of its own, filled to the last block."""
    folder = Path(stack.stack_env()["MEDIA_ROOT"]) / unit_schema("fgj")
    folder.mkdir(parents=True, exist_ok=True)
    # Mounted over the unit's folder for the test: its existing files are hidden meanwhile, not touched.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)], check=True)
    subprocess.run(["dd", "if=/dev/zero", f"of={folder / 'filler'}", "bs=64k"], capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_media_disk_refuses_uploads_with_a_clear_message_and_nothing_else_breaks(browser, full_media_volume):
    from wagtail.documents.models import Document

    from tenants.context import schema_named
    from tests_stack.conftest import https_url, screenshot
    from tests_stack.test_publish import _fresh_staff, _log_in_with_second_factor

    with schema_named(unit_schema("fgj")):
        documents_before = Document.objects.count()
    _fresh_staff("fgj_editor")
    context = browser.new_context(ignore_https_errors=True, locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    base = https_url(unit_host("fgj"), "")
    _log_in_with_second_factor(page, base=base, username="fgj_editor", name="editor-disk")
    page.goto(base + "/admin/documents/add/")
    page.locator("#id_title").fill("磁盘已满时上传的文件")
    page.set_input_files(
        "#id_file", files=[{"name": "通知.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 200_000}]
    )
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    screenshot(page, "media-disk-full")
    assert "存储空间已满" in page.content()
    with schema_named(unit_schema("fgj")):
        assert Document.objects.count() == documents_before
    assert not [p for p in full_media_volume.rglob("*") if p.is_file() and p.name != "filler"]
    # Everything else goes on: the unit's pages, the portal, another unit's admin.
    assert get("/", host=unit_host("fgj"))[0] == 200
    assert get("/")[0] == 200
    page.goto(base + "/admin/")
    assert page.locator("main").count() == 1
    context.close()
