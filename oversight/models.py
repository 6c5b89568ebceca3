"""Oversight records of the information centre (public schema)."""

from __future__ import annotations

from django.db import models


class CheckKind(models.TextChoices):
    LINKS_FULL = "links_full", "全站链接检查"
    LINKS_HOME = "links_home", "首页链接检查"
    AVAILABILITY = "availability", "首页可用性探测"
    FRESHNESS = "freshness", "更新及时性评分"


class CheckOutcome(models.TextChoices):
    RUNNING = "running", "进行中"
    OK = "ok", "成功"
    FAILED = "failed", "失败"


class CheckRun(models.Model):
    kind = models.CharField("检查类型", max_length=20, choices=CheckKind.choices)
    unit = models.ForeignKey(
        "tenants.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=CheckOutcome.choices, default=CheckOutcome.RUNNING)
    detail = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class BrokenLink(models.Model):
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    url = models.URLField("链接地址", max_length=2000)
    status = models.PositiveIntegerField("HTTP 状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    # [{"page": url of the page holding the link, "text": link text}]
    sources = models.JSONField("所在页面", default=list, blank=True)
    first_seen = models.DateTimeField("首次发现")
    last_seen = models.DateTimeField("最近发现")
    resolved_at = models.DateTimeField("修复时间", null=True, blank=True)

    class Meta:
        verbose_name = "无法打开的链接"
        verbose_name_plural = "无法打开的链接"
        ordering = ["unit", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "url"], condition=models.Q(resolved_at__isnull=True), name="oversight_one_open_broken_link"
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def problem(self) -> str:
        return f"HTTP {self.status}" if self.status else (self.error or "无法访问")


class AvailabilityProbe(models.Model):
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField("探测时间", db_index=True)
    ok = models.BooleanField("可访问")
    status = models.PositiveIntegerField("HTTP 状态码", null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "可用性探测"
        verbose_name_plural = "可用性探测"
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["unit", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.checked_at:%Y-%m-%d %H:%M}：{'可访问' if self.ok else '不可访问'}"


class FreshnessSnapshot(models.Model):
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField("评分时间", db_index=True)
    score = models.IntegerField("得分")
    passed = models.BooleanField("未触发单项否决")
    stale_columns = models.PositiveIntegerField("超期栏目数")
    empty_columns = models.PositiveIntegerField("空白栏目数")
    broken_links = models.PositiveIntegerField("无法打开的链接数")
    # Success ratio of the homepage probes over 7 days (0..1); None without data.
    availability_ratio = models.FloatField("首页可用率", null=True, blank=True)
    detail = models.JSONField("评分明细", default=dict)

    class Meta:
        verbose_name = "更新及时性评分"
        verbose_name_plural = "更新及时性评分"
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["unit", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.taken_at:%Y-%m-%d}：{self.score} 分"

    @property
    def vetoes(self) -> list[str]:
        return list(self.detail.get("vetoes", []))

    @property
    def deductions(self) -> list[dict]:
        return list(self.detail.get("deductions", []))


class SharedLinkResult(models.Model):
    """The last result of a link in the platform's shared templates (header, footer).

    Every unit's pages carry the same footer; the first crawl of a run checks its links and the
    other units' crawls take the result from here (``oversight.selectors.link_config``) instead of
    requesting the same external addresses once per unit.
    """

    url = models.URLField("链接地址", max_length=2000, unique=True)
    status = models.PositiveIntegerField("HTTP 状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    checked_at = models.DateTimeField("检查时间", db_index=True)

    class Meta:
        verbose_name = "公共模板链接检查结果"
        verbose_name_plural = "公共模板链接检查结果"

    def __str__(self) -> str:
        return self.url
