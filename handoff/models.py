"""Background tasks the broker could not take when their transaction committed."""

from __future__ import annotations

from django.db import models


class UnsentTask(models.Model):
    """A task whose hand-off to django-q2 failed (Redis away): kept in PostgreSQL until it is sent.

    The work it stands for was committed (a 会签 decision, a handover, an index write), so losing
    the task would lose the work's follow-up; the minute schedule sends it once the broker is back.
    """

    schema_name = models.CharField("模式", max_length=63)
    # What django-q2 is given: govplatform.tasking's runner and its arguments (schema first).
    func = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list)
    task_name = models.CharField("任务名", max_length=200)
    error = models.TextField("未能入队的原因", blank=True)
    attempts = models.PositiveIntegerField("入队尝试次数", default=1)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    last_attempt_at = models.DateTimeField("最近一次尝试", auto_now=True)

    class Meta:
        verbose_name = "未入队的后台任务"
        verbose_name_plural = "未入队的后台任务"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_name}（{self.schema_name}）"
