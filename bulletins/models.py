"""通报 (第十一条 of the 2007 measures) as a decision: the monitoring's register proposes cases, the
information centre confirms (with its 造成严重影响 judgement) or dismisses each, the unit answers, the
政务公开领导小组 approves a 通报 gathering the serious cases, and it is published on the portal.

Public schema only (the app is a shared app). A unit's staff read and answer their cases from their
own admin through `tenants.context.public_schema()`; people are recorded by name (accounts are per
schema, so a user id of a unit means nothing here), the centre's and the leading group's also by id.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .log_actions import label_of

# Working days a unit has to answer a confirmed case, unless the centre sets another when confirming.
DEFAULT_ANSWER_WORKING_DAYS = 5
MAX_ANSWER_WORKING_DAYS = 30


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", "待核实"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "不予认定"


class BulletinCase(models.Model):
    """One 第十一条 case of one unit in one month, proposed by the monitoring's register."""

    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年份")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    clause = models.CharField("条款", max_length=100)
    evidence = models.TextField("事实依据")
    first_day = models.DateField("首次发现")
    last_day = models.DateField("最近发现")
    status = models.CharField("状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.PROPOSED, db_index=True)
    proposed_at = models.DateTimeField("登记时间")
    # The centre's decision.
    serious = models.BooleanField("造成严重影响", null=True, blank=True)
    judgement = models.TextField("影响判断说明", blank=True)
    dismissal_reason = models.TextField("不予认定理由", blank=True)
    decided_by = models.CharField("核实人", max_length=150, blank=True)
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    # The unit's answer.
    answer_working_days = models.PositiveSmallIntegerField(
        "答复期限（工作日）",
        default=DEFAULT_ANSWER_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ANSWER_WORKING_DAYS)],
    )
    answer_deadline = models.DateTimeField("答复截止时间", null=True, blank=True)
    answer = models.TextField("单位答复", blank=True)
    answered_by = models.CharField("答复人", max_length=150, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "第十一条情形"
        verbose_name_plural = "第十一条情形"
        ordering = ["-year", "-month", "unit__sort_order", "unit_id", "clause"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month", "clause"], name="bulletins_one_case_per_clause_month"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年{self.month}月 {self.clause}"

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def duration_days(self) -> int:
        return (self.last_day - self.first_day).days + 1


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待领导小组审批"
    PUBLISHED = "published", "已发布"


class Bulletin(models.Model):
    """A 通报: drafted by the information centre, approved by the 政务公开领导小组, published on the portal."""

    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    year = models.PositiveSmallIntegerField("年份")
    quarter = models.PositiveSmallIntegerField("季度", validators=[MinValueValidator(1), MaxValueValidator(4)])
    body = models.TextField("正文")
    cases = models.ManyToManyField(BulletinCase, verbose_name="通报情形", related_name="bulletins", blank=True)
    status = models.CharField("状态", max_length=20, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT, db_index=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_by_name = models.CharField("起草人", max_length=150)
    created_at = models.DateTimeField("起草时间")
    updated_at = models.DateTimeField("修改时间")
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField("审批人", max_length=150, blank=True)
    approval_comment = models.TextField("审批意见", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    # Written once at publication: what the portal serves is what was approved.
    pdf = models.BinaryField("PDF 文件", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def is_editable(self) -> bool:
        return self.status == BulletinStatus.DRAFT


class BulletinEvent(models.Model):
    """The audit trail of every step (who, when, what) of a case or a 通报."""

    case = models.ForeignKey(
        BulletinCase, verbose_name="情形", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    bulletin = models.ForeignKey(
        Bulletin, verbose_name="通报", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("操作", max_length=40)
    actor = models.CharField("操作人", max_length=150)
    # The unit whose admin the actor used; "" for the information centre's admin.
    actor_unit = models.CharField("操作人所在单位", max_length=60, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "通报操作记录"
        verbose_name_plural = "通报操作记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.label}"

    @property
    def label(self) -> str:
        return label_of(self.action)
