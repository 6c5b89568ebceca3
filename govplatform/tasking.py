"""Background work that always knows which unit it belongs to.

A task is a dotted path plus keyword arguments and the unit's schema name. It
is handed to django-q2 after the current transaction commits and runs inside
`schema_context`, so a worker never touches a unit it was not sent for. A task the
broker cannot take (Redis away) is kept in PostgreSQL and sent later (handoff/).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

from handoff import services as handoff
from tenants.context import current_schema_name, schema_named

logger = logging.getLogger(__name__)


def run_in_schema(schema_name: str, func_path: str, kwargs: dict[str, Any]) -> Any:
    with schema_named(schema_name):
        return import_string(func_path)(**kwargs)


def enqueue(func_path: str, *, schema_name: str | None = None, task_name: str | None = None, **kwargs: Any) -> None:
    """Queue `func_path(**kwargs)` to run in `schema_name` once this transaction commits."""
    schema = schema_name or current_schema_name()

    def _send() -> None:
        handoff.send(
            schema_name=schema,
            func="govplatform.tasking.run_in_schema",
            args=[schema, func_path, kwargs],
            task_name=task_name or f"{schema}:{func_path.rsplit('.', 1)[-1]}",
        )

    transaction.on_commit(_send)


def run_django_task(schema_name: str, module_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    with schema_named(schema_name):
        task = import_string(module_path)
        return task.call(*args, **kwargs)


class SchemaAwareTaskBackend(BaseTaskBackend):
    """django-tasks backend for Wagtail's own tasks, run by django-q2 in the enqueuing schema."""

    supports_defer = False
    supports_priority = True

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:  # type: ignore[override]
        self.validate_task(task)
        schema = current_schema_name()
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        handoff.send(
            schema_name=schema,
            func="govplatform.tasking.run_django_task",
            args=[schema, task.module_path, list(args), dict(kwargs)],
            task_name=f"{schema}:{task.name}",
        )
        return result
