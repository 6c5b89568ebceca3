"""Records of the 保密审查: what a scan found, reviewers' written releases (unit schema) and the
platform-wide sensitive-word dictionary (public schema only, always read through `public_schema()`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.models import TaskState


class SecrecyReviewTaskState(TaskState):
    """The state of a 保密审查 task (secrecy.task.SecrecyReviewTask): the findings of its scan."""

    findings = models.JSONField("审查发现", default=list, blank=True)
    content_hash = models.CharField("内容指纹", max_length=64, blank=True)
    scanned_at = models.DateTimeField("审查时间", null=True, blank=True)

    class Meta:
        app_label = "moderation"
        verbose_name = "保密审查记录"
        verbose_name_plural = "保密审查记录"

    def get_comment(self):
        if self.comment:
            return self.comment
        if self.findings:
            return f"发现 {len(self.findings)} 处需人工审查的内容"
        return ""


class SecrecyOverride(models.Model):
    """A reviewer's written decision to publish content despite secrecy findings."""

    page = models.ForeignKey("wagtailcore.Page", verbose_name="页面", on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name="版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField("内容指纹", max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="放行人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("放行理由")
    findings = models.JSONField("审查发现", default=list)
    created_at = models.DateTimeField("放行时间", auto_now_add=True)

    class Meta:
        app_label = "moderation"
        verbose_name = "保密审查人工放行"
        verbose_name_plural = "保密审查人工放行"
        ordering = ["-created_at"]
        permissions = [("override_secrecy", "可对保密审查发现的问题人工放行")]

    def __str__(self) -> str:
        return f"{self.page_id}@{self.revision_id}"


class SensitiveWord(models.Model):
    """One entry of the platform-wide sensitive-word dictionary (public schema)."""

    word = models.CharField("敏感词", max_length=100, unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        app_label = "moderation"
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词库"
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
