"""The minute schedule's task (it runs without govplatform.tasking's schema wrapper)."""

from __future__ import annotations

from . import services


def resend_unsent() -> str:
    return f"已重新入队 {services.resend_unsent()} 个后台任务"
