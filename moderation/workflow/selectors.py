"""Reads of the workflow: what waits for a user (待我处理)."""

from __future__ import annotations

from wagtail.models import TaskState


def task_states_for_user(*, user) -> list:
    states = TaskState.objects.reviewable_by(user).select_related("workflow_state", "task", "revision").order_by("-started_at")
    return list(states[:50])
