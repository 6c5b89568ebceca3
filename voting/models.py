"""网站考评专栏 (第八条): the public's votes on every unit's website, in the public schema.

Nothing personal is stored: a voter's mobile number and IP address are kept only as keyed hashes
(`voting.identity`), and the comment is capped, cleaned and never published.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from . import figures

DEFAULT_QUESTION = "您对该单位政府网站的信息公开、办事服务和互动交流是否满意？"
COMMENT_MAX_LENGTH = 300


class Answer(models.TextChoices):
    SATISFIED = figures.SATISFIED, figures.ANSWER_LABELS[figures.SATISFIED]
    BASIC = figures.BASIC, figures.ANSWER_LABELS[figures.BASIC]
    UNSATISFIED = figures.UNSATISFIED, figures.ANSWER_LABELS[figures.UNSATISFIED]


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", "草稿（未开始）"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已结束"


class VotePeriod(models.Model):
    """A round of voting, created by the information centre: one question per site unit."""

    title = models.CharField("投票名称", max_length=120)
    question = models.CharField("投票问题", max_length=200, default=DEFAULT_QUESTION)
    note = models.TextField("投票说明", blank=True, help_text="显示在网站考评专栏，说明投票规则和用途")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # The published daily snapshot covers the days up to `snapshot_through` (see services.take_snapshot).
    snapshot_at = models.DateTimeField("快照时间", null=True, blank=True, editable=False)
    snapshot_through = models.DateField("快照统计截至", null=True, blank=True, editable=False)
    checked_at = models.DateTimeField("异常检查时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "投票期"
        verbose_name_plural = "投票期"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="open"),
                name="voting_one_open_period",
                violation_error_message="同一时间只能有一个投票中的投票期，请先结束当前投票期",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="voting_period_dates_in_order",
                violation_error_message="结束日期不能早于开始日期",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期"})

    def accepts_votes_on(self, day: date) -> bool:
        return self.status == PeriodStatus.OPEN and self.starts_on <= day <= self.ends_on


class Annulment(models.Model):
    """The information centre annulled votes: who, when, why (the audit record of the action)."""

    period = models.ForeignKey(VotePeriod, verbose_name="投票期", on_delete=models.PROTECT, related_name="annulments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("作废时间")
    reason = models.TextField("作废理由")
    rules = ArrayField(models.CharField(max_length=20), verbose_name="依据的异常规则", default=list, blank=True)
    count = models.PositiveIntegerField("作废票数")

    class Meta:
        verbose_name = "作废记录"
        verbose_name_plural = "作废记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} 作废 {self.count} 票"


class Vote(models.Model):
    """One verified vote. The identity and the address are keyed hashes only (voting.identity).

    `block_hash` + `block_suffix` let the sequential-number check work without the number: the hash of
    the number without its last two digits (its block of 100 numbers) and those two digits.
    """

    period = models.ForeignKey(VotePeriod, verbose_name="投票期", on_delete=models.PROTECT, related_name="votes")
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField("评价", max_length=12, choices=Answer.choices)
    comment = models.TextField("意见（不公开）", max_length=COMMENT_MAX_LENGTH, blank=True)
    voted_on = models.DateField("投票日期")
    created_at = models.DateTimeField("投票时间")
    identity_hash = models.CharField("号码摘要", max_length=64)
    block_hash = models.CharField("号段摘要", max_length=64)
    block_suffix = models.PositiveSmallIntegerField("号码末两位")
    ip_hash = models.CharField("IP 摘要", max_length=64, blank=True)
    network_hash = models.CharField("网段摘要", max_length=64, blank=True)
    flags = ArrayField(models.CharField(max_length=20), verbose_name="异常标记", default=list, blank=True)
    annulment = models.ForeignKey(
        Annulment, verbose_name="作废记录", on_delete=models.PROTECT, null=True, blank=True, related_name="votes"
    )

    class Meta:
        verbose_name = "投票"
        verbose_name_plural = "投票"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_hash", "unit", "voted_on"],
                name="voting_one_vote_per_identity_unit_day",
                violation_error_message="该手机号码今天已为该单位投过票",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "unit", "voted_on"], name="voting_vote_period_unit_day"),
            models.Index(fields=["voted_on", "unit"], name="voting_vote_day_unit"),
            models.Index(fields=["period", "created_at"], name="voting_vote_period_time"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.answer}@{self.created_at:%Y-%m-%d %H:%M}"

    @property
    def annulled(self) -> bool:
        return self.annulment_id is not None


class PendingVote(models.Model):
    """A vote waiting for its SMS code: the code and the token of the form are stored hashed only."""

    token_hash = models.CharField("表单令牌摘要", max_length=64, unique=True)
    code_hash = models.CharField("验证码摘要", max_length=64)
    period = models.ForeignKey(VotePeriod, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("tenants.Unit", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    identity_hash = models.CharField(max_length=64, db_index=True)
    block_hash = models.CharField(max_length=64)
    block_suffix = models.PositiveSmallIntegerField()
    ip_hash = models.CharField(max_length=64, blank=True)
    network_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "待验证投票"
        verbose_name_plural = "待验证投票"

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.created_at:%Y-%m-%d %H:%M}"


class VoteTally(models.Model):
    """The published daily snapshot: one unit's votes cast on one day of a period, as counted at `taken_at`."""

    period = models.ForeignKey(VotePeriod, verbose_name="投票期", on_delete=models.CASCADE, related_name="tallies")
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("投票日期")
    satisfied = models.PositiveIntegerField("满意", default=0)
    basic = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    annulled = models.PositiveIntegerField("已作废", default=0)
    taken_at = models.DateTimeField("快照时间")

    class Meta:
        verbose_name = "每日票数快照"
        verbose_name_plural = "每日票数快照"
        ordering = ["period", "unit", "day"]
        constraints = [models.UniqueConstraint(fields=["period", "unit", "day"], name="voting_one_tally_per_day")]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.unit_id}/{self.day}"

    @property
    def as_figures(self) -> figures.SatisfactionFigures:
        return figures.SatisfactionFigures.of(
            satisfied=self.satisfied, basic=self.basic, unsatisfied=self.unsatisfied, annulled=self.annulled
        )
