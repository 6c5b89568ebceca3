"""The yearly assessment (第七条、第九条), public schema only.

A 考评方案 (`AssessmentScheme`) per year holds the classes of units (`UnitClass`, mapped from
`tenants.Unit.unit_type`), a tree of indicators up to three levels (`Indicator`) and a 缺陷库
(`Defect`). Its round (`AssessmentRound`) runs 日常监测 → 自评 → 专家评分 → 复核 → 最终得分 →
领导小组审定 → 公布, with one `UnitAssessment` per unit and one `IndicatorScore` per unit and leaf.
Every change of a score is written to `ScoreChange`. Users of the units' admins live in their own
schemas, so people are recorded by name (and unit code), never by a foreign key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .scoring import BONUS, COMPUTED, ENTERED, GROUP, SCORE, SELF_ASSESSED, VETO, VOTE

POINTS = {"max_digits": 7, "decimal_places": 2}


class IndicatorRole(models.TextChoices):
    SCORE = SCORE, "计分指标"
    BONUS = BONUS, "加分指标"
    VETO = VETO, "单项否决"
    VOTE = VOTE, "公众评价"


class IndicatorKind(models.TextChoices):
    GROUP = GROUP, "指标分组"
    COMPUTED = COMPUTED, "平台数据计算"
    ENTERED = ENTERED, "专家评分"
    SELF_ASSESSED = SELF_ASSESSED, "单位自评"


class Stage(models.TextChoices):
    RUNNING = "running", "日常监测"
    SELF = "self", "单位自评"
    EXPERT = "expert", "专家评分"
    REVIEW = "review", "复核"
    FINAL = "final", "最终得分（待领导小组审定）"
    APPROVED = "approved", "领导小组已审定"
    PUBLISHED = "published", "已公布"


STAGE_ORDER = [stage.value for stage in Stage]


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class AssessmentScheme(models.Model):
    """考评方案 of one year: editable until the year starts (1 January, Beijing time), frozen after."""

    year = models.PositiveSmallIntegerField(
        "考评年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField("方案名称", max_length=120)
    preset = models.CharField("来源模板", max_length=40, blank=True)
    description = models.TextField("方案说明", blank=True)
    pass_score = models.DecimalField("合格线", default=Decimal("60"), **POINTS)
    good_score = models.DecimalField("良好线", default=Decimal("80"), **POINTS)
    excellent_score = models.DecimalField("优秀线", default=Decimal("90"), **POINTS)
    bonus_threshold = models.DecimalField(
        "加分门槛", null=True, blank=True, help_text="计分指标得分超过此分才计加分；空白表示不设门槛", **POINTS
    )
    bonus_cap = models.DecimalField("加分上限", null=True, blank=True, help_text="空白表示不设上限", **POINTS)
    vote_cap_share = models.DecimalField(
        "公众评价最大占比",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))],
        help_text="公众投票加减分最多占计分指标总分的比例，默认 0.1（10%），不超过 0.2",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.title}"

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime(self.year, 1, 1), timezone.get_default_timezone())

    def is_frozen(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at


class UnitClass(models.Model):
    """A class of units ranked together (政府部门, 区政府, 直属机构), by the units' type."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="考评方案", on_delete=models.CASCADE, related_name="classes")
    name = models.CharField("类别名称", max_length=40)
    unit_types = models.JSONField("包含的单位类型", default=list, help_text="tenants.UnitType 的取值，如 department、district")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "考评单位类别"
        verbose_name_plural = "考评单位类别"
        ordering = ["scheme", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="assessment_class_name_once")]

    def __str__(self) -> str:
        return f"{self.scheme.year}年度 {self.name}"


class Indicator(models.Model):
    """One node of the indicator tree (at most three levels). Leaves are computed, entered or self-assessed."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="考评方案", on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", verbose_name="上级指标", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField("编号", max_length=20, help_text="如 2.1.3；同一方案内唯一")
    name = models.CharField("指标名称", max_length=120)
    description = models.TextField("评分说明", blank=True)
    role = models.CharField(
        "指标性质",
        max_length=10,
        choices=IndicatorRole.choices,
        default=IndicatorRole.SCORE,
        help_text="下级指标沿用一级指标的性质",
    )
    kind = models.CharField("评分方式", max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.GROUP)
    max_points = models.DecimalField("分值", default=Decimal("0"), help_text="单项否决指标为 0", **POINTS)
    rule = models.JSONField("计算规则", default=dict, blank=True, help_text="平台数据计算的指标的规则（JSON）")
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "考评指标"
        verbose_name_plural = "考评指标"
        ordering = ["scheme", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_indicator_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> int:
        level, node = 1, self
        while node.parent_id is not None:
            level += 1
            node = node.parent
        return level

    @property
    def is_leaf(self) -> bool:
        return self.kind != IndicatorKind.GROUP


class Defect(models.Model):
    """An entry of the 缺陷库: a defect an expert may cite, with its deduction (or a veto)."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="考评方案", on_delete=models.CASCADE, related_name="defects")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="适用指标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="defects",
        help_text="空白表示适用于所有专家评分和单位自评指标",
    )
    code = models.CharField("缺陷编号", max_length=20)
    description = models.CharField("缺陷描述", max_length=200)
    points = models.DecimalField("扣分", default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **POINTS)
    veto = models.BooleanField("构成单项否决", default=False)

    class Meta:
        verbose_name = "缺陷"
        verbose_name_plural = "缺陷库"
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_defect_code_once")]

    def __str__(self) -> str:
        suffix = "（单项否决）" if self.veto else f"（扣 {self.points} 分）"
        return f"{self.code} {self.description}{suffix}"


class AssessmentRound(models.Model):
    """The year's assessment of a scheme, stage by stage."""

    scheme = models.OneToOneField(AssessmentScheme, verbose_name="考评方案", on_delete=models.PROTECT, related_name="round")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.RUNNING)
    opened_at = models.DateTimeField("开始时间")
    stage_changed_at = models.DateTimeField("进入本阶段时间")
    refreshed_at = models.DateTimeField("最近计算时间", null=True, blank=True)
    finalized_at = models.DateTimeField("最终得分确定时间", null=True, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    approved_by = models.CharField("审定人", max_length=150, blank=True)
    approval_opinion = models.TextField("审定意见", blank=True)
    returned_reason = models.TextField("退回理由", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.CharField("公布人", max_length=150, blank=True)

    class Meta:
        verbose_name = "考评"
        verbose_name_plural = "考评"
        ordering = ["-scheme__year"]

    def __str__(self) -> str:
        return f"{self.scheme.year}年度考评（{self.get_stage_display()}）"

    def stage_at_least(self, stage: str) -> bool:
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(stage)


class UnitAssessment(models.Model):
    round = models.ForeignKey(AssessmentRound, verbose_name="考评", on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    unit_class = models.ForeignKey(UnitClass, verbose_name="类别", on_delete=models.PROTECT, related_name="+")
    base_points = models.DecimalField("计分指标得分", default=Decimal("0"), **POINTS)
    bonus_points = models.DecimalField("加分", default=Decimal("0"), **POINTS)
    vote_points = models.DecimalField("公众评价加减分", default=Decimal("0"), **POINTS)
    total = models.DecimalField("总分", default=Decimal("0"), **POINTS)
    vetoed = models.BooleanField("单项否决", default=False)
    veto_reasons = models.JSONField("否决理由", default=list, blank=True)
    notes = models.JSONField("计分说明", default=list, blank=True)
    grade = models.CharField("等次", max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField("类别内排名", null=True, blank=True)
    class_size = models.PositiveIntegerField("类别单位数", null=True, blank=True)
    provisional = models.BooleanField("含未定项", default=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    self_submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    self_submitted_by = models.CharField("自评提交人", max_length=150, blank=True)

    class Meta:
        verbose_name = "单位考评"
        verbose_name_plural = "单位考评"
        ordering = ["round", "unit_class__sort_order", "rank", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="assessment_unit_once")]

    def __str__(self) -> str:
        return f"{self.round.scheme.year}年度 {self.unit.name}"


class IndicatorScore(models.Model):
    """A unit's score on one leaf indicator: computed, self-assessed and expert parts, and what counts."""

    assessment = models.ForeignKey(UnitAssessment, verbose_name="单位考评", on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", default=Decimal("0"), **POINTS)
    vetoed = models.BooleanField("触发单项否决", default=False)
    provisional = models.BooleanField("待定", default=True)
    reasons = models.JSONField("得分理由", default=list, blank=True)
    facts = models.JSONField("计算所用数据", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    self_points = models.DecimalField("自评分", null=True, blank=True, **POINTS)
    self_text = models.TextField("自评说明", blank=True)
    self_url = models.URLField("证明材料网址", max_length=500, blank=True)
    self_file = models.FileField("证明材料附件", upload_to="assessment/evidence/%Y/", blank=True)
    self_by = models.CharField("自评人", max_length=150, blank=True)
    self_at = models.DateTimeField("自评时间", null=True, blank=True)

    expert_points = models.DecimalField("专家评分", null=True, blank=True, **POINTS)
    expert_defects = models.JSONField("专家认定的缺陷", null=True, blank=True)
    expert_reason = models.TextField("专家说明", blank=True)
    expert_by = models.CharField("评分专家", max_length=150, blank=True)
    expert_at = models.DateTimeField("专家评分时间", null=True, blank=True)

    override_points = models.DecimalField("复核后得分", null=True, blank=True, **POINTS)
    override_reason = models.TextField("复核说明", blank=True)

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["assessment", "indicator__sort_order", "indicator__id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="assessment_score_once")]

    def __str__(self) -> str:
        return f"{self.assessment.unit.name} {self.indicator}"


class ScoreContest(models.Model):
    """复核: a unit contests one item once, with a reason; the expert or the centre answers."""

    score = models.OneToOneField(IndicatorScore, verbose_name="指标得分", on_delete=models.CASCADE, related_name="contest")
    reason = models.TextField("复核理由")
    raised_by = models.CharField("申请人", max_length=150)
    raised_at = models.DateTimeField("申请时间")
    answer = models.TextField("复核答复", blank=True)
    upheld = models.BooleanField("维持原评分", null=True, blank=True)
    new_points = models.DecimalField("调整后得分", null=True, blank=True, **POINTS)
    answered_by = models.CharField("答复人", max_length=150, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering = ["answered_at", "raised_at"]

    def __str__(self) -> str:
        return f"{self.score}：复核"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ScoreChange(models.Model):
    """The audit of every score change: who, when, old, new, why."""

    assessment = models.ForeignKey(UnitAssessment, verbose_name="单位考评", on_delete=models.CASCADE, related_name="changes")
    score = models.ForeignKey(
        IndicatorScore, verbose_name="指标得分", null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField("变更项", max_length=40)
    old_value = models.CharField("原值", max_length=200, blank=True)
    new_value = models.CharField("新值", max_length=200, blank=True)
    reason = models.TextField("理由", blank=True)
    actor = models.CharField("操作人", max_length=150)
    actor_unit = models.CharField("操作人所在单位", max_length=20, blank=True, help_text="空白为市信息中心（公共后台）")
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "评分变更记录"
        verbose_name_plural = "评分变更记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.field}：{self.old_value} → {self.new_value}"
