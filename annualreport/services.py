"""Writes of the 年度报表: catalogues, drafts pre-filled from the platform's data, entries, review, reminders.

Reports live in the public schema and are written there (tenants.context.public_schema). The person
acting is a user of the unit's own schema, which is active when a unit's admin calls in: roles are
checked there, and the report must be the active unit's own.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tenants.context import current_unit, public_schema
from tenants.mail import send_to_roles
from tenants.roles import UnitRole

from . import catalogue, selectors
from .figures import compute_figures
from .models import AnnualReport, CatalogueRow, CellOrigin, ReportCell, ReportEvent, ReportStatus, ReportTemplate

logger = logging.getLogger(__name__)

SHIPPED_CATALOGUES = Path(__file__).resolve().parent / "catalogues"


def catalogue_dir() -> Path:
    """Where the national templates are read from: annualreport/catalogues/, unless ANNUALREPORT_CATALOGUE_DIR says."""
    configured = getattr(settings, "ANNUALREPORT_CATALOGUE_DIR", "")
    return Path(configured) if configured else SHIPPED_CATALOGUES


# --- catalogues -----------------------------------------------------------------------------------------


def load_catalogue(*, path: Path, now: datetime | None = None) -> ReportTemplate:
    """Load (or reload) one catalogue file as a ReportTemplate with its rows.

    A file already loaded unchanged is left alone. A changed file may replace its version's rows only while
    no report uses that version; a changed template after that is a new version (a new file)."""
    spec = catalogue.read(Path(path).read_text(encoding="utf-8"))
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(version=spec.version).first()
        if template is not None and template.checksum == spec.checksum:
            return template
        if template is not None and AnnualReport.objects.filter(template=template).exists():
            raise ValidationError(
                f"报表模板 {spec.version} 版已有报表使用，不能修改；模板有变化时请以新的版本号另建目录文件（{Path(path).name}）"
            )
        fields = {
            "title": spec.title,
            "basis": spec.basis,
            "first_year": spec.first_year,
            "deadline_month": spec.deadline_month,
            "deadline_day": spec.deadline_day,
            "note": spec.note,
            "source_name": Path(path).name,
            "checksum": spec.checksum,
            "loaded_at": now,
        }
        if template is None:
            template = ReportTemplate.objects.create(version=spec.version, **fields)
        else:
            for name, value in fields.items():
                setattr(template, name, value)
            template.save()
            template.rows.all().delete()
        CatalogueRow.objects.bulk_create(
            [
                CatalogueRow(
                    template=template,
                    position=position,
                    key=row.key,
                    section=row.section,
                    group=row.group,
                    label=row.label,
                    measure=row.measure,
                    value_type=row.value_type,
                    choices=list(row.choices),
                    source=row.source,
                    params=row.params,
                    required=row.required,
                    supplement=row.supplement,
                    help_text=row.help_text,
                )
                for position, row in enumerate(spec.rows, start=1)
            ]
        )
    return template


def ensure_catalogues(*, now: datetime | None = None) -> list[ReportTemplate]:
    """Load every catalogue file of catalogue_dir() (a new national template is a new file there)."""
    return [load_catalogue(path=path, now=now) for path in sorted(catalogue_dir().glob("*.json"))]


# --- drafts ------------------------------------------------------------------------------------------------


def _event(report: AnnualReport, action: str, *, now: datetime, user=None, comment: str = "") -> None:
    ReportEvent.objects.create(
        report=report, at=now, action=action, user_id=getattr(user, "pk", None), user_name=_name(user), comment=comment
    )


def _name(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


def create_draft(*, unit, year: int, now: datetime | None = None) -> tuple[AnnualReport, bool]:
    """The unit's report of `year`, created as a draft with every computed row pre-filled; (report, created).

    Idempotent: an existing report is returned as it is."""
    now = now or timezone.now()
    if not 2000 <= year <= timezone.localdate(now).year:
        raise ValidationError(f"不能生成 {year} 年度的报表")
    with public_schema():
        existing = selectors.report(unit=unit, year=year)
        if existing is not None:
            return existing, False
        ensure_catalogues(now=now)
        template = selectors.template_for_year(year=year)
        if template is None:
            raise ValidationError(f"没有适用于 {year} 年度的报表模板")
        rows = selectors.template_rows(template=template)
        figures = compute_figures(unit=unit, year=year, rows=rows)
        with transaction.atomic():
            report, created = AnnualReport.objects.get_or_create(
                unit=unit, year=year, defaults={"template": template, "created_at": now}
            )
            if not created:
                return report, False
            ReportCell.objects.bulk_create(
                [
                    ReportCell(
                        report=report,
                        key=row.key,
                        value=figures[row.key].value if row.source else "",
                        origin=CellOrigin.COMPUTED if row.source else CellOrigin.ENTERED,
                        source_description=figures[row.key].description if row.source else "",
                        computed_at=now if row.source else None,
                    )
                    for row in rows
                ]
            )
            _event(report, ReportEvent.Action.CREATED, now=now, comment=f"{template}，平台统计 {len(figures)} 项")
        report = selectors.report_by_id(report_id=report.pk)
    return report, True


def create_drafts(*, year: int, now: datetime | None = None) -> int:
    """A draft for every unit with a site that has none for `year`; returns how many were created."""
    from tenants.selectors import directory_units

    with public_schema():
        units = list(directory_units())
    return sum(1 for unit in units if create_draft(unit=unit, year=year, now=now)[1])


# --- the unit's own work -------------------------------------------------------------------------------------


def _acting_unit():
    """The unit whose admin is active (its user is acting); reports are filled in in the unit's own admin."""
    unit = current_unit()
    if unit is None:
        raise PermissionDenied("年度报表由各单位在本单位后台填报")
    return unit


def _own_report(report_id: int, unit) -> AnnualReport:
    """The report `report_id` of `unit`, locked for the change (in the public schema)."""
    report = AnnualReport.objects.select_for_update().select_related("template", "unit").filter(pk=report_id).first()
    if report is None or report.unit_id != unit.pk:
        raise ValidationError("年度报表不存在")
    return report


def _require_editor(may_edit: bool, report: AnnualReport) -> None:
    if not may_edit:
        raise PermissionDenied("只有本单位的信息员或单位管理员可以填写年度报表")
    if report.status != ReportStatus.DRAFT:
        raise ValidationError("报表已提交审核或已发布，不能修改")


def _edited(report: AnnualReport, user, now: datetime) -> None:
    report.last_editor_id = user.pk
    report.last_editor_name = _name(user)
    report.last_edited_at = now
    report.save(update_fields=["last_editor_id", "last_editor_name", "last_edited_at"])


def save_entries(*, report_id: int, user, values: dict, now: datetime | None = None) -> int:
    """Store what the editor entered for the manual rows (row key → text, or a list for 多选); returns the
    number of rows changed. Every value is checked first: one wrong value saves nothing."""
    now = now or timezone.now()
    unit, may_edit = _acting_unit(), selectors.can_edit(user=user)
    with public_schema(), transaction.atomic():
        report = _own_report(report_id, unit)
        _require_editor(may_edit, report)
        rows = {row.key: row for row in selectors.template_rows(template=report.template)}
        errors: dict[str, list[str]] = {}
        cleaned: dict[str, str] = {}
        for key, raw in values.items():
            row = rows.get(key)
            if row is None or not row.manual:
                errors.setdefault(key, []).append("该项目由平台统计，不能手工填写" if row else "报表中没有这个项目")
                continue
            try:
                cleaned[key] = catalogue.clean_value(row, raw)
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        existing = {cell.key: cell for cell in ReportCell.objects.select_for_update().filter(report=report)}
        changed = []
        for key, value in cleaned.items():
            cell = existing.get(key) or ReportCell(report=report, key=key, origin=CellOrigin.ENTERED)
            if cell.pk is not None and cell.value == value:
                continue
            cell.value, cell.origin, cell.entered_by_name, cell.entered_at = value, CellOrigin.ENTERED, _name(user), now
            cell.save()
            changed.append(rows[key].full_label)
        if changed:
            _edited(report, user, now)
            _event(report, ReportEvent.Action.SAVED, now=now, user=user, comment="、".join(changed))
    return len(changed)


def refresh_computed(*, report_id: int, user, now: datetime | None = None) -> int:
    """Recompute every computed row from the platform's data now; returns the number of values that changed."""
    now = now or timezone.now()
    unit, may_edit = _acting_unit(), selectors.can_edit(user=user)
    with public_schema(), transaction.atomic():
        report = _own_report(report_id, unit)
        _require_editor(may_edit, report)
        rows = [row for row in selectors.template_rows(template=report.template) if row.source]
        figures = compute_figures(unit=report.unit, year=report.year, rows=rows)
        existing = {cell.key: cell for cell in ReportCell.objects.select_for_update().filter(report=report)}
        changed = []
        for row in rows:
            figure = figures[row.key]
            cell = existing.get(row.key) or ReportCell(report=report, key=row.key)
            before = cell.value if cell.pk is not None else None
            cell.value, cell.origin, cell.source_description, cell.computed_at = (
                figure.value,
                CellOrigin.COMPUTED,
                figure.description,
                now,
            )
            cell.save()
            if before != figure.value:
                changed.append(f"{row.full_label}：{before or '空'} → {figure.value or '空'}")
        if changed:
            _edited(report, user, now)
        _event(report, ReportEvent.Action.REFRESHED, now=now, user=user, comment="；".join(changed) or "平台统计数据没有变化")
    return len(changed)


def submit(*, report_id: int, user, now: datetime | None = None) -> AnnualReport:
    """The editor sends the complete draft to the unit's 审核员."""
    now = now or timezone.now()
    unit, may_edit = _acting_unit(), selectors.can_edit(user=user)
    with public_schema(), transaction.atomic():
        report = _own_report(report_id, unit)
        _require_editor(may_edit, report)
        missing = selectors.missing_rows(report=report)
        if missing:
            problems = []
            entered = [row.full_label for row in missing if row.manual]
            computed = [row.full_label for row in missing if not row.manual]
            if entered:
                problems.append(f"以下项目尚未填写，不能提交审核：{'、'.join(entered)}")
            if computed:
                problems.append(
                    f"以下项目由平台读取但尚无数据：{'、'.join(computed)}，请联系市信息中心在单位信息中补充后刷新统计项目"
                )
            raise ValidationError(problems)
        report.status = ReportStatus.SUBMITTED
        report.submitted_by_id, report.submitted_by_name, report.submitted_at = user.pk, _name(user), now
        report.return_comment = ""
        report.save()
        _event(report, ReportEvent.Action.SUBMITTED, now=now, user=user)
        unit, year = report.unit, report.year
    transaction.on_commit(lambda: _mail(unit, year, (UnitRole.REVIEWER,), "待审核", "已提交审核，请审核后发布"))
    return report


def return_report(*, report_id: int, user, comment: str, now: datetime | None = None) -> AnnualReport:
    """The 审核员 sends a submitted report back to the editors, with the reason."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("请填写退回意见")
    unit, reviewer = _acting_unit(), selectors.can_review(user=user)
    with public_schema(), transaction.atomic():
        report = _own_report(report_id, unit)
        if not reviewer:
            raise PermissionDenied("只有本单位的审核员可以退回年度报表")
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError("只有待审核的报表可以退回")
        report.status = ReportStatus.DRAFT
        report.return_comment = comment
        report.save()
        _event(report, ReportEvent.Action.RETURNED, now=now, user=user, comment=comment)
        unit, year = report.unit, report.year
    transaction.on_commit(lambda: _mail(unit, year, (UnitRole.EDITOR,), "已退回修改", f"已被退回修改，退回意见：{comment}"))
    return report


def approve(*, report_id: int, user, now: datetime | None = None) -> AnnualReport:
    """A 审核员 who did not make the last change approves the report: it is published on the unit's site
    and listed on the portal."""
    now = now or timezone.now()
    unit, reviewer = _acting_unit(), selectors.can_review(user=user)
    with public_schema(), transaction.atomic():
        report = _own_report(report_id, unit)
        refusal = selectors.approval_refusal(report=report, user=user, reviewer=reviewer)
        if refusal:
            raise PermissionDenied(refusal)
        report.status = ReportStatus.PUBLISHED
        report.approved_by_id, report.approved_by_name, report.published_at = user.pk, _name(user), now
        report.save()
        _event(report, ReportEvent.Action.PUBLISHED, now=now, user=user)
        unit, year = report.unit, report.year
    url = selectors.site_url(unit=unit, year=year)
    transaction.on_commit(lambda: _mail(unit, year, (UnitRole.EDITOR,), "已发布", f"已审核通过并在本站发布：{url}"))
    return report


# --- mail and reminders -------------------------------------------------------------------------------


def edit_url(*, unit, year: int) -> str:
    from tenants.hosts import unit_base_url

    return unit_base_url(unit) + reverse("annualreport:report", args=[year])


def _mail(unit, year: int, roles, subject: str, what: str) -> int:
    body = f"{unit.name}{year}年度政府网站工作年度报表{what}。\n\n报表地址：{edit_url(unit=unit, year=year)}"
    return send_to_roles(roles=roles, subject=f"{year}年度政府网站工作年度报表{subject}", body=body, unit=unit)


def send_reminders(*, now: datetime | None = None) -> int:
    """From 1 January, every day until it is published: remind each unit of last year's report.

    Missing drafts are created first (pre-filled). A draft reminds the unit's 信息员 and 审核员, a submitted
    report its 审核员; each unit at most once a day. Returns the number of units reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year - 1
    create_drafts(year=year, now=now)
    reminded = 0
    with public_schema():
        pending = list(
            AnnualReport.objects.select_related("unit", "template")
            .filter(year=year)
            .exclude(status=ReportStatus.PUBLISHED)
            .exclude(last_reminded_on=today)
        )
    for report in pending:
        due = selectors.deadline(report=report)
        days = (due - today).days
        when = f"已逾期 {-days} 天，请尽快" if days < 0 else ("今天是截止日，请今天内" if days == 0 else f"还剩 {days} 天，请")
        if report.status == ReportStatus.SUBMITTED:
            roles, what = (UnitRole.REVIEWER,), f"已提交、尚未审核发布。发布截止日期为 {due:%Y年%m月%d日}，{when}完成审核"
        else:
            roles, what = (
                (UnitRole.EDITOR, UnitRole.REVIEWER),
                (
                    f"尚未发布（{report.get_status_display()}）。按国办函〔2018〕12号的要求须于 {due:%Y年%m月%d日} 前在本站发布，"
                    f"{when}完成填报并提交审核"
                ),
            )
        sent = _mail(report.unit, year, roles, "发布提醒", what)
        with public_schema(), transaction.atomic():
            AnnualReport.objects.filter(pk=report.pk).update(last_reminded_on=today)
            _event(report, ReportEvent.Action.REMINDED, now=now, comment=f"提醒邮件 {sent} 封")
        reminded += 1
    return reminded
