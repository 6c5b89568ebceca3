"""The responsibility table (责任分解表) as the platform keeps it: public schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from .types import COLUMN_TYPES, KIND_CHOICES

PAGE_TYPE_CHOICES = tuple((key, ctype.label) for key, ctype in COLUMN_TYPES.items())


class ColumnRequirement(models.Model):
    """One required column of one unit, as the information centre's table demands."""

    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="requirements")
    key = models.CharField("条目标识", max_length=64)
    level1 = models.CharField("一级栏目", max_length=60)
    level2 = models.CharField("二级栏目", max_length=60, blank=True)
    level3 = models.CharField("三级栏目", max_length=80, blank=True)
    content = models.TextField("具体内容", blank=True)
    guarantee = models.CharField("保障方式", max_length=40, blank=True)
    categories = ArrayField(models.CharField(max_length=80), verbose_name="政务公开类别", default=list)
    page_type = models.CharField("页面类型", max_length=40, choices=PAGE_TYPE_CHOICES)
    column_kind = models.CharField("栏目类型", max_length=20, choices=KIND_CHOICES)
    policy_days = models.PositiveIntegerField("更新期限（天）", null=True, blank=True)
    policy_overridden = models.BooleanField("期限由信息中心调整", default=False)
    position = models.PositiveIntegerField("顺序", default=0)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "栏目责任"
        verbose_name_plural = "栏目责任"
        ordering = ["unit", "position"]
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="unique_requirement_key_per_unit")]

    def __str__(self) -> str:
        return " / ".join(part for part in (self.level1, self.level2, self.level3) if part)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(part for part in (self.level1, self.level2, self.level3) if part)


class ImportRun(models.Model):
    """One import of the table: who, when, from what, and what it changed."""

    started_at = models.DateTimeField("导入时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_name = models.CharField("来源文件", max_length=255)
    dry_run = models.BooleanField("试运行", default=False)
    added = models.PositiveIntegerField("新增", default=0)
    changed = models.PositiveIntegerField("变更", default=0)
    retired = models.PositiveIntegerField("停用", default=0)
    units_created = models.PositiveIntegerField("新开通单位", default=0)
    report = models.TextField("导入报告", blank=True)

    class Meta:
        verbose_name = "责任表导入记录"
        verbose_name_plural = "责任表导入记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_name}（{self.started_at:%Y-%m-%d %H:%M}）"
