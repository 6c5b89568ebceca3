"""The portal index (PostgreSQL backend) and the outbox that feeds it.

Both live in the public schema. A unit schema's search_path ends in public, so a
page change in a unit writes its outbox row in the same transaction.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class OutboxAction(models.TextChoices):
    UPSERT = "upsert", "更新索引"
    DELETE = "delete", "移出索引"


class OutboxEntry(models.Model):
    """A page whose index entry must be brought in line with the unit's database.

    The drain re-reads the page whatever the action says, so the newest state
    always wins and entries may be processed in any order or more than once.
    """

    schema_name = models.CharField("单位模式", max_length=63)
    page_id = models.PositiveIntegerField("页面 ID")
    action = models.CharField("操作", max_length=10, choices=OutboxAction.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "索引待办"
        verbose_name_plural = "索引待办"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], name="outbox_due_idx"),
            models.Index(fields=["schema_name", "page_id"], name="outbox_page_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.page_id} {self.action}"


class PortalDocument(models.Model):
    """One published page of one unit, as the portal searches and lists it."""

    key = models.CharField("文档键", max_length=80, primary_key=True)
    schema_name = models.CharField("单位模式", max_length=63)
    page_id = models.PositiveIntegerField("页面 ID")
    unit_code = models.CharField("单位代码", max_length=20)
    unit_name = models.CharField("单位名称", max_length=120)
    column_path = ArrayField(models.CharField(max_length=255), verbose_name="栏目路径", default=list)
    column_title = models.CharField("栏目", max_length=255, blank=True)
    page_type = models.CharField("信息类型", max_length=40)
    categories = ArrayField(models.CharField(max_length=60), verbose_name="政务公开类别", default=list)
    publish_date = models.DateField("发布日期", null=True)
    written_date = models.DateField("成文日期", null=True)
    year = models.PositiveIntegerField("年份", null=True)
    published_at = models.DateTimeField("上线时间", null=True)
    url = models.CharField("网址", max_length=500)
    title = models.CharField("标题", max_length=255)
    summary = models.TextField("摘要", blank=True)
    body = models.TextField("正文", blank=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issuing_body = models.CharField("发布机构", max_length=120, blank=True)
    subject_words = models.CharField("主题词", max_length=200, blank=True)
    index_number = models.CharField("索引号", max_length=60, blank=True)
    validity = models.CharField("有效性", max_length=20, blank=True)
    search_vector = SearchVectorField("检索向量", null=True)
    # The title alone (search_vector's weight-A entries), GIN-indexed: ranking
    # asks "every query word in the title?" of the index instead of reading
    # each match's vector, which is stored out of line (migration 0003).
    title_vector = SearchVectorField("标题检索向量", null=True)
    indexed_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        verbose_name = "门户索引文档"
        verbose_name_plural = "门户索引文档"
        indexes = [
            GinIndex(fields=["search_vector"], name="portaldoc_vector_gin"),
            GinIndex(fields=["title_vector"], name="portaldoc_title_gin"),
            models.Index(fields=["-publish_date", "-published_at"], name="portaldoc_latest_idx"),
            models.Index(fields=["page_type", "-publish_date", "-published_at"], name="portaldoc_type_latest_idx"),
            models.Index(fields=["unit_code"], name="portaldoc_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.title
