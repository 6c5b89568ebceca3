"""Handing tasks to django-q2, and keeping those the broker could not take.

govplatform.tasking.enqueue calls `send` after commit. When Redis refuses, the task is written to
UnsentTask (PostgreSQL, the same database as the work that committed) and `resend_unsent`, run by
the minute schedule, hands it over again once the broker answers. Tasks are therefore delivered at
least once; every task of the platform re-reads its rows and is safe to run twice.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_q.tasks import async_task
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tenants.context import public_schema

from .models import UnsentTask

logger = logging.getLogger(__name__)

BROKER_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RESEND_BATCH = 200


def _hand_over(*, func: str, args: list[Any], task_name: str) -> None:
    async_task(func, *args, task_name=task_name)


def send(*, schema_name: str, func: str, args: list[Any], task_name: str) -> bool:
    """Hand `func(*args)` to the broker; True when it took it, False when it was kept for later.

    `args` must be JSON (a task carries ids and the schema's name, never objects).
    """
    try:
        _hand_over(func=func, args=args, task_name=task_name)
    except BROKER_UNREACHABLE as error:
        logger.warning("后台任务未能入队，已保存待重发：%s（%s）：%s", task_name, schema_name, error)
        with public_schema():
            UnsentTask.objects.create(schema_name=schema_name, func=func, args=args, task_name=task_name, error=str(error)[:2000])
        return False
    return True


def resend_unsent(*, batch_size: int = RESEND_BATCH) -> int:
    """Hand over the kept tasks, oldest first; stops at the first refusal (the broker is still away)."""
    sent = 0
    with public_schema():
        while True:
            with transaction.atomic():
                tasks = list(UnsentTask.objects.select_for_update(skip_locked=True).order_by("created_at", "id")[:batch_size])
                if not tasks:
                    return sent
                for task in tasks:
                    try:
                        _hand_over(func=task.func, args=task.args, task_name=task.task_name)
                    except BROKER_UNREACHABLE as error:
                        UnsentTask.objects.filter(pk=task.pk).update(attempts=task.attempts + 1, error=str(error)[:2000])
                        return sent
                    task.delete()
                    sent += 1
