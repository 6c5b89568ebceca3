"""A commit whose task the broker refuses (Redis away) keeps the task in PostgreSQL and sends it later."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from handoff import services
from handoff.models import UnsentTask
from search.models import OutboxEntry, PortalDocument
from tests.support.portal import keys


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(services, "async_task", refuse)


def test_a_publish_while_the_broker_is_down_succeeds_and_its_drain_is_kept(unit_a, content, broker_down):
    column = content.column(unit_a, title="部门动态")
    page_id = content.news(unit_a, column=column, title="经纪人中断期间发布的通知", body="正文")

    kept = list(UnsentTask.objects.values_list("func", "args", "task_name"))
    assert ("govplatform.tasking.run_in_schema", ["public", "search.tasks.drain_outbox", {}], "public:drain_outbox") in [
        (func, args, name) for func, args, name in kept
    ]
    assert UnsentTask.objects.filter(error__contains="Connection refused").exists()
    # The publish is in the outbox (PostgreSQL), not yet in the index.
    assert OutboxEntry.objects.filter(schema_name=unit_a.schema_name, page_id=page_id).exists()
    assert not PortalDocument.objects.filter(key__in=keys(unit_a, page_id)).exists()


def test_resending_stops_at_the_first_refusal_and_counts_the_attempt(unit_a, broker_down):
    for n in range(3):
        UnsentTask.objects.create(
            schema_name="public", func="govplatform.tasking.run_in_schema", args=["public", "x.y", {}], task_name=f"t{n}"
        )
    assert services.resend_unsent() == 0
    assert sorted(UnsentTask.objects.values_list("task_name", "attempts")) == [("t0", 2), ("t1", 1), ("t2", 1)]


def test_once_the_broker_answers_the_kept_tasks_run_and_are_gone(unit_a, content, monkeypatch):
    from django_q import tasks as q_tasks

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Connection refused.")

    monkeypatch.setattr(services, "async_task", refuse)
    column = content.column(unit_a, title="部门动态")
    page_id = content.news(unit_a, column=column, title="恢复后补发的索引任务", body="正文")
    assert UnsentTask.objects.exists()

    # The broker is back: the real django-q2 async_task (synchronous in the test settings) runs the drain.
    monkeypatch.setattr(services, "async_task", q_tasks.async_task)
    sent = services.resend_unsent()
    assert sent >= 1
    assert not UnsentTask.objects.exists()
    assert PortalDocument.objects.filter(key__in=keys(unit_a, page_id)).count() == 1
