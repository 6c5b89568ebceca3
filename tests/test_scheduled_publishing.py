"""Scheduled publishing: go_live_at and expire_at take effect in every unit, through the publish checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule
from django_tenants.utils import schema_context
from wagtail.models import Page, Revision
from wagtail.rich_text import RichText

from moderation.models import SensitiveWord
from scheduling import services
from scheduling.models import ScheduledPublishRun
from search.backends import get_backend
from search.backends.base import SearchQuery
from sitepages.models import NewsPage
from tests.support.clients import centre_client
from tests.support.portal import indexed_keys, keys, portal_search

RUNS_URL = "/admin/scheduled-publishing/"


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def run_schedule(django_capture_on_commit_callbacks):
    """What the minute schedule does: fan out one task per unit; tasks and drains run as after commit."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.run_for_all_units()

    return run


def _news(unit, *, column: int, title: str, body: str, slug: str, **dates) -> NewsPage:
    parent = Page.objects.get(id=column)
    return parent.add_child(
        instance=NewsPage(
            title=title,
            slug=slug,
            author="张三",
            source="本局",
            publish_date=dt.date(2026, 11, 20),
            live=False,
            body=[("paragraph", RichText(f"<p>{body}</p>"))],
            **dates,
        )
    )


@pytest.fixture
def scheduled(django_capture_on_commit_callbacks):
    def schedule(unit, *, column: int, title: str, body: str, slug: str) -> int:
        return schedule_go_live(unit, django_capture_on_commit_callbacks, column=column, title=title, body=body, slug=slug)

    return schedule


def schedule_go_live(unit, capture, *, column: int, title: str, body: str, slug: str) -> int:
    """Publish with a go-live time in the future (the revision waits), then let that time pass."""
    with capture(execute=True), schema_context(unit.schema_name):
        page = _news(unit, column=column, title=title, body=body, slug=slug, go_live_at=timezone.now() + dt.timedelta(hours=1))
        revision = page.save_revision()
        revision.publish()
        page.refresh_from_db()
        assert not page.live and Revision.objects.get(id=revision.id).approved_go_live_at
    with schema_context(unit.schema_name):
        past = timezone.now() - dt.timedelta(minutes=1)
        revision = Revision.objects.get(id=revision.id)
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save(update_fields=["content", "approved_go_live_at"])
        Page.objects.filter(id=page.id).update(go_live_at=past)
    return page.id


def test_a_page_goes_live_when_its_time_comes_and_is_indexed(unit_a, unit_b, content, run_schedule, scheduled):
    column = content.column(unit_a)
    page_id = scheduled(unit_a, column=column, title="定时发布的通知", body="定时发布正文", slug="timed")
    assert indexed_keys() == set()

    assert run_schedule() == 2
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(id=page_id)
        assert page.live and page.first_published_at
    assert indexed_keys() == keys(unit_a, page_id)
    assert [hit.title for hit in get_backend().search(SearchQuery(text="定时发布")).hits] == ["定时发布的通知"]
    run = ScheduledPublishRun.objects.get(unit=unit_a, published__gt=0)
    assert (run.published, run.expired, run.blocked, run.error) == (1, 0, [], "")
    assert run.finished_at and run.pages["published"] == [{"page_id": page_id, "title": "定时发布的通知"}]
    assert ScheduledPublishRun.objects.filter(unit=unit_b).exists()


def test_an_expired_page_leaves_the_site_and_the_portal_index(
    client, unit_a, content, run_schedule, django_capture_on_commit_callbacks
):
    column = content.column(unit_a)
    expire_at = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True), schema_context(unit_a.schema_name):
        page = _news(unit_a, column=column, title="限期公示的名单", body="公示内容", slug="expiring", expire_at=expire_at)
        page.save_revision().publish()
    assert indexed_keys() == keys(unit_a, page.id)
    with schema_context(unit_a.schema_name):
        Page.objects.filter(id=page.id).update(expire_at=timezone.now() - dt.timedelta(minutes=1))

    run_schedule()
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(id=page.id)
        assert not page.live and page.expired
    assert indexed_keys() == set()
    assert get_backend().search(SearchQuery(text="公示名单")).total == 0
    assert "限期公示" not in portal_search(client, q="公示名单").content.decode()
    assert client.get("/feeds/rss/", HTTP_HOST="localhost").content.decode().count("限期公示的名单") == 0
    run = ScheduledPublishRun.objects.get(unit=unit_a, expired__gt=0)
    assert (run.published, run.expired) == (0, 1)
    assert run.pages["expired"] == [{"page_id": page.id, "title": "限期公示的名单"}]


def test_a_go_live_blocked_by_the_publish_checks_is_recorded_and_the_others_go_on(unit_a, content, run_schedule, scheduled):
    column = content.column(unit_a)
    blocked = scheduled(unit_a, column=column, title="含新禁词的稿件", body="文中提到测试禁词丙的内容", slug="blocked")
    clean = scheduled(unit_a, column=column, title="正常定时稿件", body="正常内容", slug="clean")
    # The dictionary grew after the page was scheduled: going live must still pass the secrecy review.
    with schema_context("public"):
        SensitiveWord.objects.create(word="测试禁词丙")

    run_schedule()
    with schema_context(unit_a.schema_name):
        assert not Page.objects.get(id=blocked).live
        assert Page.objects.get(id=clean).live
    assert indexed_keys() == keys(unit_a, clean)
    run = ScheduledPublishRun.objects.get(unit=unit_a, published__gt=0)
    assert run.published == 1 and run.error == ""
    assert [(b["page_id"], b["title"]) for b in run.blocked] == [(blocked, "含新禁词的稿件")]
    assert "保密审查" in run.blocked[0]["reason"]

    html = centre_client().get(RUNS_URL).content.decode()
    assert "测试甲局" in html and "含新禁词的稿件" in html and "保密审查" in html


def test_the_minute_schedule_exists_and_idle_runs_are_pruned(unit_a, run_schedule):
    schedule = Schedule.objects.get(func="scheduling.tasks.run_for_all_units")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
    run_schedule()
    idle = ScheduledPublishRun.objects.get(unit=unit_a)
    assert idle.idle and idle.finished_at
    ScheduledPublishRun.objects.filter(id=idle.id).update(started_at=timezone.now() - dt.timedelta(days=1))
    run_schedule()
    assert not ScheduledPublishRun.objects.filter(id=idle.id).exists()
    assert ScheduledPublishRun.objects.filter(unit=unit_a).count() == 1
