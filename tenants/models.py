from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

PUBLIC_CODE = "www"
TEMPLATE_CODE = "template"

code_validator = RegexValidator(r"^[a-z][a-z0-9]{1,19}$", "单位代码须为 2–20 位小写字母或数字，以字母开头（用于子站域名）")


class UnitType(models.TextChoices):
    PORTAL = "portal", "市政府门户"
    OFFICE = "office", "市府办公室"
    DEPARTMENT = "department", "政府组成部门"
    AGENCY = "agency", "直属机构"
    DISTRICT = "district", "区（功能区）"
    TEMPLATE = "template", "模板"


class UnitQuerySet(models.QuerySet):
    def sites(self) -> UnitQuerySet:
        """The units that run a sub-site: neither the portal nor the template."""
        return self.exclude(code__in=[PUBLIC_CODE, TEMPLATE_CODE])


class Unit(TenantMixin):
    """A government unit: one PostgreSQL schema, one Wagtail sub-site."""

    name = models.CharField("单位简称", max_length=60, unique=True)
    full_name = models.CharField("单位全称", max_length=120, blank=True)
    code = models.CharField("单位代码", max_length=20, unique=True, validators=[code_validator])
    unit_type = models.CharField("单位类型", max_length=20, choices=UnitType.choices, default=UnitType.DEPARTMENT)
    address = models.CharField("地址", max_length=200, blank=True)
    public_phone = models.CharField("公开电话", max_length=60, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=60, blank=True)
    email = models.EmailField("电子邮件", blank=True)
    functions = models.TextField("主要职能", blank=True)
    site_id_code = models.CharField("网站标识码", max_length=20, blank=True)
    icp_number = models.CharField("ICP备案号", max_length=60, blank=True)
    police_record_number = models.CharField("公安备案号", max_length=60, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    # 分工协作、分级负责: how many different people stand between writing a page and publishing it.
    min_distinct_people = models.PositiveSmallIntegerField(
        "发布前最少经手人数",
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(5)],
        help_text="从撰写到发布至少经过的不同人员数（含作者），不少于 2",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # Provisioning is explicit (tenants.services.provision_unit) so that the
    # template schema, the Wagtail site and the groups are created together.
    auto_create_schema = False
    auto_drop_schema = True
    clone_mode = "NODATA"

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_portal(self) -> bool:
        return self.schema_name == "public"

    def save(self, *args, **kwargs):
        # A rename keeps the old name as an alias, so an old table still maps to the unit.
        old_name = None
        if self.pk is not None:
            old_name = Unit.objects.filter(pk=self.pk).values_list("name", flat=True).first()
        super().save(*args, **kwargs)
        if old_name and old_name != self.name:
            UnitAlias.objects.update_or_create(name=old_name, defaults={"unit": self})
        UnitAlias.objects.filter(unit=self, name=self.name).delete()


class Domain(DomainMixin):
    class Meta:
        verbose_name = "域名"
        verbose_name_plural = "域名"

    def __str__(self) -> str:
        return self.domain


class UnitAlias(models.Model):
    """Another name of a unit: a former name kept when it is renamed, or a seed alias.

    The import of the responsibility table maps a heading with this name to the unit,
    so a table written before (or after) a rename still finds it.
    """

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("曾用名或别名", max_length=60, unique=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}）"


class SupervisorRead(models.Model):
    """A screen the 监察 role opened in the information centre's admin (第四条: its reads are audited)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", db_index=True)
    path = models.CharField("页面", max_length=500)
    query = models.CharField("参数", max_length=1000, blank=True)

    class Meta:
        verbose_name = "监察查看记录"
        verbose_name_plural = "监察查看记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}@{self.at:%Y-%m-%d %H:%M} {self.path}"
