"""Records of scheduled publishing (public schema): one run per unit per minute that had something to do."""

from __future__ import annotations

from django.db import models


class ScheduledPublishRun(models.Model):
    """One pass of Wagtail's scheduled publishing over one unit (scheduling.services.run_unit).

    `pages` lists what went live and what expired ({"published": [{"page_id",
    "title"}], "expired": [...]}); `blocked` the go-lives the platform's publish
    checks refused, each with its reason. Runs that found nothing due are
    `idle` and kept only for a while (IDLE_RUN_RETENTION).
    """

    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    published = models.PositiveIntegerField("到期上线", default=0)
    expired = models.PositiveIntegerField("到期下线", default=0)
    blocked = models.JSONField("未能上线", default=list, blank=True)
    pages = models.JSONField("页面", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    idle = models.BooleanField("无到期页面", default=False)

    class Meta:
        verbose_name = "定时发布记录"
        verbose_name_plural = "定时发布记录"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-started_at"], name="sched_run_unit_idx"),
            models.Index(fields=["idle", "started_at"], name="sched_run_idle_idx"),
        ]

    def __str__(self) -> str:
        return f"定时发布 {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def outcome(self) -> str:
        if self.finished_at is None:
            return "进行中"
        if self.error:
            return "出错"
        if self.blocked:
            return "有页面未能上线"
        return "成功"
