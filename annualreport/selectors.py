"""Reads of the 年度报表: who may do what, the applicable template, a report as rows, the public lists.

The reports live in the public schema; every read enters it (tenants.context.public_schema) and returns
evaluated objects, so a unit's admin can use them after it is back in its own schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tenants.context import public_schema
from tenants.roles import UnitRole, in_roles

from .models import AnnualReport, CatalogueRow, CellOrigin, ReportCell, ReportEvent, ReportStatus, ReportTemplate

# Who fills in the report (第六条（七）: the unit's 信息员, or its administrator), who approves it, who may read it.
EDITOR_ROLES = (UnitRole.EDITOR, UnitRole.ADMIN)
REVIEWER_ROLES = (UnitRole.REVIEWER,)
READER_ROLES = UnitRole.ALL


# --- who may act (in the unit's schema) ---------------------------------------------------------


def can_read(*, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or in_roles(user, *READER_ROLES)))


def can_edit(*, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and in_roles(user, *EDITOR_ROLES))


def can_review(*, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and in_roles(user, *REVIEWER_ROLES))


def approval_refusal(*, report: AnnualReport, user, reviewer: bool | None = None) -> str:
    """Why `user` may not approve `report` now ("" when they may). `reviewer`: whether the user is one of the
    unit's 审核员, when the caller has already asked in the unit's schema (the role is read there)."""
    if not (can_review(user=user) if reviewer is None else reviewer):
        return "只有本单位的审核员可以审核年度报表"
    if report.status != ReportStatus.SUBMITTED:
        return "报表尚未提交审核" if report.status == ReportStatus.DRAFT else "报表已经发布"
    if report.last_editor_id is not None and report.last_editor_id == user.pk:
        return "您是这份报表的最后修改人，不能审核自己修改的内容，请由本单位其他审核员审核"
    if report.submitted_by_id is not None and report.submitted_by_id == user.pk:
        return "您提交了这份报表，不能审核自己提交的内容，请由本单位其他审核员审核"
    return ""


# --- templates -------------------------------------------------------------------------------------


def template_for_year(*, year: int) -> ReportTemplate | None:
    """The newest loaded template whose first year is `year` or earlier."""
    with public_schema():
        return ReportTemplate.objects.filter(first_year__lte=year).order_by("-first_year", "-version").first()


def templates() -> list[ReportTemplate]:
    with public_schema():
        return list(ReportTemplate.objects.all())


def deadline(*, report: AnnualReport) -> date:
    """The day by which the report of `report.year` must be published (31 January of the next year)."""
    return date(report.year + 1, report.template.deadline_month, report.template.deadline_day)


# --- reports ---------------------------------------------------------------------------------------


def report(*, unit, year: int) -> AnnualReport | None:
    with public_schema():
        return AnnualReport.objects.select_related("template", "unit").filter(unit=unit, year=year).first()


def report_by_id(*, report_id: int) -> AnnualReport | None:
    with public_schema():
        return AnnualReport.objects.select_related("template", "unit").filter(pk=report_id).first()


def unit_reports(*, unit) -> list[AnnualReport]:
    with public_schema():
        return list(AnnualReport.objects.select_related("template").filter(unit=unit).order_by("-year"))


def events(*, report: AnnualReport) -> list[ReportEvent]:
    with public_schema():
        return list(ReportEvent.objects.filter(report=report).order_by("at", "id"))


def template_rows(*, template: ReportTemplate) -> list[CatalogueRow]:
    with public_schema():
        return list(CatalogueRow.objects.filter(template=template).order_by("position"))


def cells(*, report: AnnualReport) -> dict[str, ReportCell]:
    with public_schema():
        return {cell.key: cell for cell in ReportCell.objects.filter(report=report)}


@dataclass(frozen=True)
class RowView:
    row: CatalogueRow
    cell: ReportCell | None

    @property
    def value(self) -> str:
        return self.cell.value if self.cell is not None else ""

    @property
    def computed(self) -> bool:
        return self.cell is not None and self.cell.origin == CellOrigin.COMPUTED

    @property
    def missing(self) -> bool:
        return self.row.required and not self.value

    @property
    def field_name(self) -> str:
        return f"cell_{self.row.key}"


@dataclass(frozen=True)
class SectionView:
    name: str
    rows: tuple[RowView, ...]


def sections(*, report: AnnualReport) -> list[SectionView]:
    """The report's rows with their values, by section, in the catalogue's order."""
    values = cells(report=report)
    grouped: list[tuple[str, list[RowView]]] = []
    for row in template_rows(template=report.template):
        if not grouped or grouped[-1][0] != row.section:
            grouped.append((row.section, []))
        grouped[-1][1].append(RowView(row=row, cell=values.get(row.key)))
    return [SectionView(name=name, rows=tuple(rows)) for name, rows in grouped]


def missing_rows(*, report: AnnualReport) -> list[CatalogueRow]:
    """Required rows without a value: they keep the report from being submitted."""
    return [view.row for section in sections(report=report) for view in section.rows if view.missing]


# --- reminders ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderState:
    year: int
    report: AnnualReport | None
    deadline: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def overdue(self) -> bool:
        return self.today > self.deadline

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.deadline).days)

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report is not None else "尚未生成"


def reminder_state(*, unit, now: datetime | None = None) -> ReminderState | None:
    """The previous year's report while it is not published (from 1 January on), else None."""
    today = timezone.localdate(now or timezone.now())
    year = today.year - 1
    found = report(unit=unit, year=year)
    if found is not None and found.is_published:
        return None
    template = found.template if found is not None else template_for_year(year=year)
    if template is None:
        return None
    return ReminderState(
        year=year, report=found, deadline=date(year + 1, template.deadline_month, template.deadline_day), today=today
    )


# --- publication ---------------------------------------------------------------------------------------


def published_reports(*, unit) -> list[AnnualReport]:
    with public_schema():
        return list(
            AnnualReport.objects.select_related("template", "unit")
            .filter(unit=unit, status=ReportStatus.PUBLISHED)
            .order_by("-year")
        )


def published_report(*, unit, year: int) -> AnnualReport | None:
    with public_schema():
        return (
            AnnualReport.objects.select_related("template", "unit")
            .filter(unit=unit, year=year, status=ReportStatus.PUBLISHED)
            .first()
        )


def site_url(*, unit, year: int | None = None) -> str:
    """The report's page on the unit's own host (the list page when `year` is None)."""
    from tenants.hosts import unit_base_url

    name, kwargs = ("annualreport_site:year", {"year": year}) if year else ("annualreport_site:index", {})
    return unit_base_url(unit) + reverse(name, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)


@dataclass(frozen=True)
class PortalEntry:
    unit: object
    report: AnnualReport | None
    url: str


@dataclass(frozen=True)
class PortalYear:
    year: int
    published: tuple[PortalEntry, ...]
    pending: tuple[object, ...]


def portal_years(*, year: int | None = None) -> list[PortalYear]:
    """Every year with a published report (or just `year`), newest first: the units that published, each
    linked to its own site, and the units that have not yet."""
    from tenants.selectors import directory_units

    with public_schema():
        units = list(directory_units())
        reports = AnnualReport.objects.select_related("unit").filter(status=ReportStatus.PUBLISHED)
        if year is not None:
            reports = reports.filter(year=year)
        by_year: dict[int, dict[int, AnnualReport]] = {}
        for found in reports:
            by_year.setdefault(found.year, {})[found.unit_id] = found
        years = sorted(by_year, reverse=True) if year is None else [year]
        result = []
        for each in years:
            published = by_year.get(each, {})
            result.append(
                PortalYear(
                    year=each,
                    published=tuple(
                        PortalEntry(unit=unit, report=published[unit.pk], url=site_url(unit=unit, year=each))
                        for unit in units
                        if unit.pk in published
                    ),
                    pending=tuple(unit for unit in units if unit.pk not in published),
                )
            )
        return result


@dataclass(frozen=True)
class OverviewRow:
    unit: object
    report: AnnualReport | None
    missing: int


def overview(*, year: int) -> list[OverviewRow]:
    """Every unit's report of `year` for the information centre, with how many required rows are still empty."""
    from tenants.selectors import directory_units

    with public_schema():
        reports = {found.unit_id: found for found in AnnualReport.objects.select_related("template").filter(year=year)}
        rows = []
        for unit in directory_units():
            found = reports.get(unit.pk)
            rows.append(OverviewRow(unit=unit, report=found, missing=len(missing_rows(report=found)) if found else 0))
        return rows
