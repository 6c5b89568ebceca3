"""政府网站工作年度报表 (国办函〔2018〕12号): the row catalogue as versioned data, one report per unit and year.

Public schema only (always through `tenants.context.public_schema()`). The users who edit and approve
a report live in the unit's schema, so they are recorded by id (in that schema) and name, never by a
foreign key across schemas.
"""

from __future__ import annotations

from django.db import models


class ValueType(models.TextChoices):
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    TEXT = "text", "文字"
    YES_NO = "yes_no", "是/否"
    CHOICE = "choice", "单选"
    MULTI_CHOICE = "multi_choice", "多选"


class ReportTemplate(models.Model):
    """One version of the national template, loaded from a catalogue file (annualreport/catalogues/)."""

    version = models.CharField("版本", max_length=20, unique=True)
    title = models.CharField("报表名称", max_length=120)
    basis = models.CharField("依据", max_length=300, blank=True)
    first_year = models.PositiveSmallIntegerField("适用起始年度", help_text="自该年度的报表起使用本版本，直至有更新的版本")
    deadline_month = models.PositiveSmallIntegerField("发布截止月", default=1)
    deadline_day = models.PositiveSmallIntegerField("发布截止日", default=31)
    note = models.TextField("说明", blank=True)
    source_name = models.CharField("目录文件", max_length=200)
    checksum = models.CharField("文件摘要", max_length=64)
    loaded_at = models.DateTimeField("载入时间")

    class Meta:
        verbose_name = "年度报表模板"
        verbose_name_plural = "年度报表模板"
        ordering = ["-first_year", "-version"]

    def __str__(self) -> str:
        return f"{self.title}（{self.version} 版）"


class CatalogueRow(models.Model):
    """One row of a template: computed from the platform's data (`source`) or entered by hand."""

    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField("顺序")
    key = models.CharField("代码", max_length=50)
    section = models.CharField("栏目", max_length=60)
    group = models.CharField("分项", max_length=60, blank=True)
    label = models.CharField("指标", max_length=120)
    measure = models.CharField("计量单位", max_length=10, blank=True)
    value_type = models.CharField("取值类型", max_length=20, choices=ValueType.choices)
    choices = models.JSONField("可选项", default=list, blank=True)
    source = models.CharField("平台统计来源", max_length=60, blank=True, help_text="空白表示手工填写")
    params = models.JSONField("统计参数", default=dict, blank=True)
    required = models.BooleanField("必填", default=True)
    supplement = models.BooleanField("平台增列", default=False)
    help_text = models.CharField("填写说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "报表项目"
        verbose_name_plural = "报表项目"
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="annualreport_row_key_once")]

    def __str__(self) -> str:
        return self.full_label

    @property
    def manual(self) -> bool:
        return not self.source

    @property
    def full_label(self) -> str:
        label = f"{self.group}：{self.label}" if self.group and self.group != self.label else self.label
        return f"{label}（单位：{self.measure}）" if self.measure else label


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"


class AnnualReport(models.Model):
    """A unit's report for one year: a draft filled by its 信息员, approved and published by its 审核员."""

    unit = models.ForeignKey("tenants.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField("年度")
    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True)
    created_at = models.DateTimeField("创建时间")
    # Who last changed a value (a manual entry or a refresh that changed a figure), in the unit's schema.
    last_editor_id = models.BigIntegerField("最后修改人 ID", null=True, blank=True)
    last_editor_name = models.CharField("最后修改人", max_length=150, blank=True)
    last_edited_at = models.DateTimeField("最后修改时间", null=True, blank=True)
    submitted_by_id = models.BigIntegerField("提交人 ID", null=True, blank=True)
    submitted_by_name = models.CharField("提交人", max_length=150, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    return_comment = models.TextField("退回意见", blank=True)
    approved_by_id = models.BigIntegerField("审核人 ID", null=True, blank=True)
    approved_by_name = models.CharField("审核人", max_length=150, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    last_reminded_on = models.DateField("最近提醒日期", null=True, blank=True)

    class Meta:
        verbose_name = "政府网站工作年度报表"
        verbose_name_plural = "政府网站工作年度报表"
        ordering = ["-year", "unit__sort_order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="annualreport_once_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}年度"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class CellOrigin(models.TextChoices):
    COMPUTED = "computed", "平台统计"
    ENTERED = "entered", "手工填写"


class ReportCell(models.Model):
    """The value of one row in one report, with where it came from."""

    report = models.ForeignKey(AnnualReport, verbose_name="报表", on_delete=models.CASCADE, related_name="cells")
    key = models.CharField("代码", max_length=50)
    value = models.TextField("数值", blank=True)
    origin = models.CharField("来源", max_length=20, choices=CellOrigin.choices)
    # What a computed value counts, e.g. 由平台统计：2026年发布的政务动态类信息.
    source_description = models.CharField("统计口径", max_length=300, blank=True)
    computed_at = models.DateTimeField("统计时间", null=True, blank=True)
    entered_by_name = models.CharField("填写人", max_length=150, blank=True)
    entered_at = models.DateTimeField("填写时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表数值"
        verbose_name_plural = "报表数值"
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="annualreport_cell_once")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class ReportEvent(models.Model):
    """What happened to a report, by whom (the audit trail shown with it)."""

    class Action(models.TextChoices):
        CREATED = "created", "生成草稿"
        SAVED = "saved", "保存填写内容"
        REFRESHED = "refreshed", "刷新平台统计数据"
        SUBMITTED = "submitted", "提交审核"
        RETURNED = "returned", "退回修改"
        PUBLISHED = "published", "审核通过并发布"
        REMINDED = "reminded", "发送发布提醒"

    report = models.ForeignKey(AnnualReport, verbose_name="报表", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    user_id = models.BigIntegerField("操作人 ID", null=True, blank=True)
    user_name = models.CharField("操作人", max_length=150, blank=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "年度报表记录"
        verbose_name_plural = "年度报表记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
