"""评比 (第十条 of the 2007 measures): a themed contest the information centre runs, units' nominations,
scores by named jury members, and results published on the portal.

Public schema only (a shared app). Units nominate from their own admin through
`tenants.context.public_schema()`; their people are recorded by name (accounts are per schema). Jury members
are users of the public schema in the 考评专家 group (tenants.roles.CentreRole.EXPERT).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .log_actions import label_of


class Phase(models.TextChoices):
    UPCOMING = "upcoming", "未开始"
    NOMINATING = "nominating", "申报中"
    SCORING = "scoring", "评审中"
    CLOSED = "closed", "评审结束，待公布"
    PUBLISHED = "published", "结果已公布"


class Prize(models.TextChoices):
    FIRST = "first", "一等奖"
    SECOND = "second", "二等奖"
    THIRD = "third", "三等奖"


class Contest(models.Model):
    title = models.CharField("评比名称", max_length=120)
    theme = models.TextField("评比主题与要求")
    year = models.PositiveSmallIntegerField("年度")
    nomination_opens_at = models.DateTimeField("申报开始")
    nomination_closes_at = models.DateTimeField("申报截止")
    scoring_closes_at = models.DateTimeField("评审截止")
    max_nominations_per_unit = models.PositiveSmallIntegerField(
        "每个单位最多申报", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    first_prizes = models.PositiveSmallIntegerField("一等奖名额", default=1, validators=[MaxValueValidator(50)])
    second_prizes = models.PositiveSmallIntegerField("二等奖名额", default=2, validators=[MaxValueValidator(50)])
    third_prizes = models.PositiveSmallIntegerField("三等奖名额", default=3, validators=[MaxValueValidator(50)])
    jury = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="评委", related_name="+", blank=True)
    created_by_name = models.CharField("创建人", max_length=150)
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("结果公布时间", null=True, blank=True, db_index=True)
    published_by_name = models.CharField("公布人", max_length=150, blank=True)

    class Meta:
        verbose_name = "评比活动"
        verbose_name_plural = "评比活动"
        ordering = ["-nomination_opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def phase(self, now) -> str:
        if self.published_at is not None:
            return Phase.PUBLISHED
        if now < self.nomination_opens_at:
            return Phase.UPCOMING
        if now < self.nomination_closes_at:
            return Phase.NOMINATING
        if now < self.scoring_closes_at:
            return Phase.SCORING
        return Phase.CLOSED


class Criterion(models.Model):
    contest = models.ForeignKey(Contest, verbose_name="评比", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("评分项", max_length=60)
    max_points = models.PositiveSmallIntegerField("满分", validators=[MinValueValidator(1), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["contest", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_criterion_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points} 分）"


class Nomination(models.Model):
    contest = models.ForeignKey(Contest, verbose_name="评比", on_delete=models.CASCADE, related_name="nominations")
    unit = models.ForeignKey("tenants.Unit", verbose_name="申报单位", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("作品名称", max_length=200)
    url = models.URLField("作品网址", max_length=500)
    statement = models.TextField("申报说明")
    submitted_by = models.CharField("申报人", max_length=150)
    submitted_at = models.DateTimeField("申报时间")
    # Written at publication, from the scores of the jury at that moment.
    mean_score = models.DecimalField("平均得分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    prize = models.CharField("奖项", max_length=10, choices=Prize.choices, blank=True)

    class Meta:
        verbose_name = "申报作品"
        verbose_name_plural = "申报作品"
        ordering = ["contest", "rank", "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "url"], name="contests_one_nomination_per_url")]

    def __str__(self) -> str:
        return f"{self.unit}：{self.title}"


class Score(models.Model):
    """One jury member's points for one nomination on one criterion (revised in place until scoring closes)."""

    nomination = models.ForeignKey(Nomination, verbose_name="作品", on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name="评分项", on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评委", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField("得分")
    created_at = models.DateTimeField("评分时间")
    updated_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["nomination", "criterion", "juror"], name="contests_one_score_per_juror"),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id} {self.nomination_id}/{self.criterion_id}: {self.points}"


class ContestEvent(models.Model):
    """The audit trail of a contest: who did what, when."""

    contest = models.ForeignKey(Contest, verbose_name="评比", on_delete=models.CASCADE, related_name="events")
    nomination_title = models.CharField("作品", max_length=200, blank=True)
    action = models.CharField("操作", max_length=40)
    actor = models.CharField("操作人", max_length=150)
    actor_unit = models.CharField("操作人所在单位", max_length=60, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "评比操作记录"
        verbose_name_plural = "评比操作记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.label}"

    @property
    def label(self) -> str:
        return label_of(self.action)
