"""网上抓取 (第五条（四）): sources the information centre reads, their runs, and what they brought.

All in the public schema. Harvested items live in their own table: they are no
unit's pages, so no unit's freshness score and no portal list of unit content
ever counts them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .css import SelectorError, css_to_xpath
from .parse import MAX_SUMMARY, MAX_TITLE, MAX_URL, ParseError, validate_date_format

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60


class HarvestSection(models.Model):
    """A portal section harvested items appear in (国务院信息, 省政府信息 …): /zhuanzai/<slug>/."""

    name = models.CharField("栏目名称", max_length=60, unique=True)
    slug = models.SlugField(
        "网址标识", max_length=60, unique=True, help_text="用于门户网址 /zhuanzai/<网址标识>/，只能使用字母、数字、连字符"
    )
    description = models.CharField("栏目说明", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0, help_text="数字小的排在前面")

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "转载栏目"
        verbose_name_plural = "转载栏目"

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS/Atom 订阅源"
    HTML = "html", "HTML 列表页（CSS 选择器）"


class HarvestSource(models.Model):
    name = models.CharField("来源名称", max_length=100, unique=True, help_text="门户上显示为信息来源，如：中国政府网")
    kind = models.CharField("类型", max_length=10, choices=SourceKind.choices, default=SourceKind.FEED)
    url = models.URLField("地址", max_length=MAX_URL, help_text="订阅源地址，或 HTML 列表页地址")
    section = models.ForeignKey(HarvestSection, on_delete=models.PROTECT, related_name="sources", verbose_name="门户栏目")
    interval_minutes = models.PositiveIntegerField(
        "抓取间隔（分钟）",
        default=60,
        validators=[MinValueValidator(MIN_INTERVAL_MINUTES), MaxValueValidator(MAX_INTERVAL_MINUTES)],
        help_text=f"{MIN_INTERVAL_MINUTES} 至 {MAX_INTERVAL_MINUTES} 分钟",
    )
    requires_review = models.BooleanField(
        "需审核后显示", default=False, help_text="选中后，新抓取的信息经信息中心审核通过才在门户显示"
    )
    active = models.BooleanField("启用", default=True, help_text="停用后不再抓取，已显示的信息保留")
    item_selector = models.CharField(
        "条目选择器", max_length=500, blank=True, help_text="HTML 列表页：每条信息的元素，如 ul.list > li"
    )
    title_selector = models.CharField(
        "标题/链接选择器",
        max_length=500,
        blank=True,
        help_text="条目内标题链接的元素，如 a；留空表示条目本身。链接取该元素（或其中第一个链接）的 href，标题优先取 title 属性",
    )
    date_selector = models.CharField("日期选择器", max_length=500, blank=True, help_text="条目内日期的元素，如 span.date")
    date_format = models.CharField(
        "日期格式", max_length=50, blank=True, help_text="如 %Y-%m-%d 或 %Y年%m月%d日；留空时自动识别年月日"
    )
    summary_selector = models.CharField("摘要选择器", max_length=500, blank=True, help_text="可选：条目内摘要的元素")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # The schedule's own state: when the source is next due, and how many runs in a row failed.
    next_run_at = models.DateTimeField("下次抓取", null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField("连续失败次数", default=0, editable=False)

    class Meta:
        ordering = ["section__sort_order", "name"]
        verbose_name = "抓取来源"
        verbose_name_plural = "抓取来源"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.url and not self.url.lower().startswith(("http://", "https://")):
            errors["url"] = "地址须以 http:// 或 https:// 开头"
        if self.kind == SourceKind.HTML:
            if not self.item_selector.strip():
                errors["item_selector"] = "HTML 列表页须填写条目选择器"
            for name in ("item_selector", "title_selector", "date_selector", "summary_selector"):
                value = getattr(self, name).strip()
                setattr(self, name, value)
                if value and name not in errors:
                    try:
                        css_to_xpath(value)
                    except SelectorError as exc:
                        errors[name] = str(exc)
            try:
                validate_date_format(self.date_format.strip())
            except ParseError as exc:
                errors["date_format"] = str(exc)
        if errors:
            raise ValidationError(errors)


class RunOutcome(models.TextChoices):
    RUNNING = "running", "进行中"
    OK = "ok", "成功"
    FAILED = "failed", "失败"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "定时"
    MANUAL = "manual", "立即抓取"
    DEMO = "demo", "演示数据"


class HarvestRun(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs", verbose_name="来源")
    trigger = models.CharField("方式", max_length=10, choices=RunTrigger.choices, default=RunTrigger.SCHEDULE)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING)
    status_code = models.PositiveSmallIntegerField("HTTP 状态", null=True, blank=True)
    items_found = models.PositiveIntegerField("读到条目", default=0)
    items_new = models.PositiveIntegerField("新增", default=0)
    items_duplicate = models.PositiveIntegerField("重复", default=0)
    items_skipped = models.PositiveIntegerField("跳过", default=0)
    error = models.TextField("错误", blank=True)
    detail = models.TextField("说明", blank=True)
    # Retries: the consecutive failure this run was (0 when it succeeded) and when the next try is due.
    attempt = models.PositiveIntegerField("连续失败次数", default=0)
    next_attempt_at = models.DateTimeField("下次抓取", null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "-started_at"], name="harvest_run_source_recent")]
        verbose_name = "抓取记录"
        verbose_name_plural = "抓取记录"

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class ItemStatus(models.TextChoices):
    SHOWN = "shown", "已显示"
    PENDING = "pending", "待审核"
    REJECTED = "rejected", "未通过"


class HarvestedItem(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="items", verbose_name="来源")
    section = models.ForeignKey(HarvestSection, on_delete=models.PROTECT, related_name="items", verbose_name="栏目")
    run = models.ForeignKey(HarvestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    title = models.CharField("标题", max_length=MAX_TITLE)
    url = models.URLField("原文地址", max_length=MAX_URL)
    # sha256 of the canonical URL and of the content (harvest.parse.content_hash): the two dedup keys.
    url_key = models.CharField(max_length=64, unique=True, editable=False)
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    harvested_at = models.DateTimeField("抓取时间")
    # What lists are ordered by: the original's date, or when it was harvested if the original gives none.
    sort_at = models.DateTimeField("排序时间", editable=False)
    summary = models.TextField("摘要", max_length=MAX_SUMMARY, blank=True)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.SHOWN)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人"
    )

    class Meta:
        ordering = ["-sort_at", "-id"]
        indexes = [
            models.Index(fields=["section", "status", "-sort_at"], name="harvest_item_section_recent"),
            models.Index(fields=["status", "-harvested_at"], name="harvest_item_status_recent"),
        ]
        verbose_name = "抓取信息"
        verbose_name_plural = "抓取信息"

    def __str__(self) -> str:
        return self.title
