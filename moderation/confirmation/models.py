"""会签 records: the units a page concerns (unit schema) and the requests to them (public schema only,
always read and written through `public_schema()`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# How many working days another unit has to answer a 会签 request, unless the requester sets another.
DEFAULT_CONFIRMATION_WORKING_DAYS = 3


class ConfirmationTarget(models.Model):
    """A unit the page concerns (会签单位), named by the editor."""

    page = models.ForeignKey("wagtailcore.Page", verbose_name="页面", on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField("会签单位代码", max_length=20)
    working_days = models.PositiveSmallIntegerField("答复期限（工作日）", default=DEFAULT_CONFIRMATION_WORKING_DAYS)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        app_label = "moderation"
        verbose_name = "会签单位"
        verbose_name_plural = "会签单位"
        constraints = [models.UniqueConstraint(fields=["page", "unit_code"], name="moderation_target_unique_per_page")]

    def __str__(self) -> str:
        return self.unit_code


class ConfirmationRequest(models.Model):
    """A request from one unit to another to confirm a page before it goes live (public schema).

    It carries a snapshot of what is to be published, so the target unit never
    reads the source unit's schema.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        OBJECTED = "objected", "有异议"
        WITHDRAWN = "withdrawn", "已撤回"

    source_schema = models.CharField("发起单位模式", max_length=63, db_index=True)
    source_unit_code = models.CharField("发起单位代码", max_length=20)
    source_unit_name = models.CharField("发起单位", max_length=60)
    page_id = models.BigIntegerField("页面 ID")
    revision_id = models.BigIntegerField("版本 ID", null=True)
    page_title = models.CharField("标题", max_length=255)
    preview_text = models.TextField("内容快照", blank=True)
    preview_html = models.TextField("内容快照（HTML）", blank=True)
    content_hash = models.CharField("内容指纹", max_length=64)
    target_unit_code = models.CharField("会签单位代码", max_length=20, db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    comment = models.TextField("意见", blank=True)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    # Who wrote the content, by user name and e-mail: accounts are per unit, so the
    # target unit recognises the same person by these, never by a user id.
    author_identities = models.JSONField("作者标识", default=list, blank=True)
    deadline = models.DateTimeField("答复期限", null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    escalated_at = models.DateTimeField("超期通报时间", null=True, blank=True)
    applied_at = models.DateTimeField("发起单位处理时间", null=True, blank=True)
    apply_attempts = models.PositiveSmallIntegerField("发起单位处理次数", default=0)
    apply_error = models.TextField("发起单位处理失败原因", blank=True)

    class Meta:
        app_label = "moderation"
        verbose_name = "会签请求"
        verbose_name_plural = "会签请求"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source_schema", "page_id"], name="moderation_cr_source_page")]

    def __str__(self) -> str:
        return f"{self.source_unit_name}：{self.page_title}"

    @property
    def state_display(self) -> str:
        """The status with what happened around it: reminders, the deadline, the requester's side."""
        text = self.get_status_display()
        notes = []
        if self.status == self.Status.PENDING:
            if self.escalated_at:
                notes.append("已超过答复期限，已通知双方分管领导")
            elif self.reminded_at:
                notes.append("已发送催办提醒")
        if self.apply_error:
            notes.append(f"发起单位处理失败：{self.apply_error}")
        elif self.applied_at and self.status in (self.Status.CONFIRMED, self.Status.OBJECTED):
            notes.append("发起单位已处理")
        return f"{text}（{'；'.join(notes)}）" if notes else text

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.deadline is not None and self.deadline <= timezone.now()
