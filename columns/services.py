"""Writes for the responsibility table: import it, and build unit column trees from it."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tenants.context import foreign_schema_context
from tenants.models import Unit
from tenants.services import provision_unit

from .models import ColumnRequirement, ImportRun
from .table import RequirementRow, UnitInfo, load_unit_catalogue
from .types import ColumnKind, column_type


class ImportRefused(ValueError):
    pass


@dataclass
class UnitChanges:
    unit_name: str
    unit_code: str
    create_unit: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class ImportReport:
    dry_run: bool
    units: list[UnitChanges]
    created_admins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(u.create_unit or u.added or u.changed or u.retired for u in self.units)

    def lines(self) -> list[str]:
        prefix = "【试运行，未写入】" if self.dry_run else ""
        out: list[str] = []
        for unit in self.units:
            head = f"{prefix}{unit.unit_name}（{unit.unit_code}）"
            if unit.create_unit:
                head += "：将开通新单位子站" if self.dry_run else "：已开通新单位子站"
            out.append(head)
            out += [f"  新增栏目：{name}" for name in unit.added]
            out += [f"  变更栏目：{name}" for name in unit.changed]
            out += [f"  停用栏目（已发布内容保留）：{name}" for name in unit.retired]
            if not (unit.added or unit.changed or unit.retired):
                out.append(f"  无变化（{unit.unchanged} 个栏目）")
        if not self.has_changes:
            out.append("责任分解表与平台现有栏目一致，本次导入未做任何更改")
        return out


def requirement_keys(rows: Iterable[RequirementRow]) -> list[str]:
    """Stable identity of each row: its column path and page type, numbered when repeated.

    Content, guarantee and categories are not part of it, so editing them in
    the table shows as a change, not as a retired and a new column.
    """
    seen: dict[tuple, int] = defaultdict(int)
    keys = []
    for row in rows:
        ident = (row.unit, row.level1, row.level2, row.level3, row.page_type)
        seen[ident] += 1
        raw = "\x1f".join((*ident, str(seen[ident])))
        keys.append(hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16])
    return keys


def _fields_from_row(row: RequirementRow, position: int) -> dict:
    # Update periods by page type (columns.types); an unknown type is a static column.
    ctype = column_type(row.page_type)
    kind, days = ctype.kind, ctype.default_days
    return {
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "content": row.content,
        "guarantee": row.guarantee,
        "categories": list(row.categories),
        "page_type": row.page_type,
        "column_kind": kind.value,
        "policy_days": days,
        "position": position,
    }


_COMPARED = ("level1", "level2", "level3", "content", "guarantee", "categories", "page_type", "policy_days")


def import_requirements(*, rows: list[RequirementRow], source_name: str, dry_run: bool = False, user=None) -> ImportReport:
    """Apply a parsed table: create missing units, add/change/retire requirements, build trees.

    All in one transaction: a failure writes nothing. Published content is
    never deleted; a column that leaves the table is only marked retired.
    """
    catalogue = load_unit_catalogue()
    by_unit: dict[str, list[RequirementRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit].append(row)
    for name in by_unit:
        if name not in catalogue and not Unit.objects.filter(name=name).exists():
            raise ImportRefused(f"单位「{name}」不在单位名录中，无法开通")

    report = ImportReport(dry_run=dry_run, units=[])
    with transaction.atomic():
        for unit_name, unit_rows in by_unit.items():
            _import_unit(unit_name=unit_name, rows=unit_rows, info=catalogue.get(unit_name), report=report)
        if not dry_run:
            _record_run(report=report, source_name=source_name, user=user)
    return report


def _import_unit(*, unit_name: str, rows: list[RequirementRow], info: UnitInfo | None, report: ImportReport) -> None:
    """One unit's part of the table: its site if it has none, its requirements, its column tree."""
    dry_run = report.dry_run
    unit = Unit.objects.filter(name=unit_name).first()
    changes = UnitChanges(unit_name=unit_name, unit_code=unit.code if unit else info.code)
    report.units.append(changes)
    if unit is None:
        changes.create_unit = True
        if not dry_run:
            unit = _provision(info=info, report=report)
    existing = {} if unit is None else {r.key: r for r in ColumnRequirement.objects.filter(unit=unit)}
    for position, (key, row) in enumerate(zip(requirement_keys(rows), rows, strict=False)):
        _apply_row(
            unit=unit, key=key, row=row, position=position, current=existing.pop(key, None), changes=changes, dry_run=dry_run
        )
    _retire(existing.values(), changes=changes, dry_run=dry_run)
    if not dry_run and unit is not None:
        build_column_tree(unit=unit)


def _provision(*, info: UnitInfo, report: ImportReport) -> Unit:
    result = provision_unit(code=info.code, name=info.name, full_name=info.full_name, unit_type=info.unit_type)
    report.created_admins.append((result.unit.name, result.admin_username, result.admin_password))
    return result.unit


def _row_label(row: RequirementRow) -> str:
    path = " / ".join(p for p in (row.level1, row.level2, row.level3) if p)
    return f"{path}（{column_type(row.page_type).label}）"


def _apply_row(
    *,
    unit: Unit | None,
    key: str,
    row: RequirementRow,
    position: int,
    current: ColumnRequirement | None,
    changes: UnitChanges,
    dry_run: bool,
) -> None:
    """Add the row's requirement, or bring the stored one up to date (a retired one comes back)."""
    wanted = _fields_from_row(row, position)
    if current is None:
        changes.added.append(_row_label(row))
        if not dry_run:
            ColumnRequirement.objects.create(unit=unit, key=key, **wanted)
        return
    if current.policy_overridden:
        wanted.pop("policy_days")
    differs = [name for name in _COMPARED if name in wanted and getattr(current, name) != wanted[name]]
    if current.retired_at is not None:
        differs.append("retired_at")
    if not differs:
        changes.unchanged += 1
        # A row moved up or down because another left: not a change worth reporting.
        if current.position != position and not dry_run:
            ColumnRequirement.objects.filter(pk=current.pk).update(position=position)
        return
    changes.changed.append(_row_label(row))
    if not dry_run:
        for name, value in wanted.items():
            setattr(current, name, value)
        current.retired_at = None
        current.save()


def _retire(gone: Iterable[ColumnRequirement], *, changes: UnitChanges, dry_run: bool) -> None:
    """Requirements that left the table: marked retired, their pages and content stay."""
    for requirement in gone:
        if requirement.retired_at is None:
            changes.retired.append(str(requirement))
            if not dry_run:
                requirement.retired_at = timezone.now()
                requirement.save(update_fields=["retired_at", "updated_at"])


def _record_run(*, report: ImportReport, source_name: str, user) -> ImportRun:
    return ImportRun.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        source_name=source_name[:255],
        added=sum(len(u.added) for u in report.units),
        changed=sum(len(u.changed) for u in report.units),
        retired=sum(len(u.retired) for u in report.units),
        units_created=sum(1 for u in report.units if u.create_unit),
        report="\n".join(report.lines()),
    )


# --- column trees -------------------------------------------------------------

_LEADER = re.compile(r"^(?P<name>[^(（]+)[(（](?P<post>[^)）]+)[)）]$")


def _column_class_and_fields(requirement: ColumnRequirement):
    """The page model of the requirement's column type, and the fields the type sets on it."""
    from django.apps import apps

    ctype = column_type(requirement.page_type)
    model = apps.get_model(ctype.page_model)
    if ctype.is_listing:
        return model, {"item_type": ctype.item_type}
    if ctype.key == "leader":
        match = _LEADER.match(requirement.level3 or "")
        return model, {"name": match["name"], "post": match["post"]} if match else {}
    return model, {}


def _unique_slug(parent, base: str) -> str:
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# Readable URLs for the table's usual column names (pinyin initials, as
# Chinese government sites use); anything else falls back to a generic slug.
SLUGS = {
    "信息服务": "xxfw",
    "公共服务": "ggfw",
    "印象珠海": "yxzh",
    "企业频道": "qypd",
    "组织机构": "zzjg",
    "法规公文": "fggw",
    "珠海动态": "zhdt",
    "公告公示": "gggs",
    "规划计划": "ghjh",
    "便民电话": "bmdh",
    "市长之窗": "szzc",
    "政府公报": "zfgb",
    "政府工作报告": "zfgzbg",
    "政府信息公开目录": "xxgkml",
    "珠海概览": "zhgl",
    "部门动态": "bmdt",
    "发展规划": "fzgh",
    "企业关注": "qygz",
    "最新公告": "zxgg",
    "互动渠道": "hdqd",
    "政府文件": "zfwj",
    "珠海地方法规": "dffg",
}


def _section(parent, title: str):
    from sitepages.models import SectionPage

    for child in parent.get_children().type(SectionPage):
        if child.title == title:
            return child.specific
    section = SectionPage(
        title=title, slug=_unique_slug(parent, SLUGS.get(title, "lm")), column_kind=ColumnKind.STATIC.value, policy_days=None
    )
    parent.add_child(instance=section)
    section.save_revision().publish()
    return section


def _column_title(parent, requirement: ColumnRequirement, *, own_page_id: int | None) -> str:
    base = requirement.level3 or requirement.level2 or requirement.level1
    titles = {title for pk, title in parent.get_children().values_list("id", "title") if pk != own_page_id}
    if base not in titles:
        return base
    label = column_type(requirement.page_type).label
    candidate = f"{base}·{label}"
    if candidate not in titles:
        return candidate
    return f"{candidate}（{requirement.categories[0] if requirement.categories else requirement.position}）"


def build_column_tree(*, unit: Unit) -> dict[str, int]:
    """Make the unit's pages match its live requirements; idempotent; never deletes.

    Returns counts of created and updated column pages.
    """
    from sitepages.models import COLUMN_PAGE_TYPES

    requirements = list(ColumnRequirement.objects.filter(unit=unit, retired_at__isnull=True).order_by("position"))
    counts = {"created": 0, "updated": 0}
    with foreign_schema_context(unit.schema_name):
        from wagtail.models import Page, Site

        home = Site.objects.get(is_default_site=True).root_page
        by_key = {}
        for page in Page.objects.descendant_of(home).type(*COLUMN_PAGE_TYPES).specific():
            if page.requirement_key:
                by_key[page.requirement_key] = page
        for requirement in requirements:
            cls, extra = _column_class_and_fields(requirement)
            meta = {
                "requirement_key": requirement.key,
                "content_requirement": requirement.content,
                "guarantee": requirement.guarantee,
                "disclosure_categories": "、".join(requirement.categories),
                "column_kind": requirement.column_kind,
                "policy_days": requirement.policy_days,
            }
            page = by_key.get(requirement.key)
            if page is not None:
                if any(getattr(page, name) != value for name, value in meta.items()):
                    for name, value in meta.items():
                        setattr(page, name, value)
                    # Metadata only: the column's published content stays as it is.
                    page.save(update_fields=list(meta), clean=False)
                    counts["updated"] += 1
                continue
            parent = _section(home, requirement.level1)
            if requirement.level3 and requirement.level2:
                parent = _section(parent, requirement.level2)
            title = _column_title(parent, requirement, own_page_id=None)
            # Containers go live at once; columns whose own fields must be
            # filled in by the unit stay drafts until an editor publishes them.
            ready = not cls.required_on_publish
            slug = SLUGS.get(title) or requirement.page_type.replace("_", "-")
            page = cls(title=title, slug=_unique_slug(parent, slug), live=ready, **meta, **extra)
            parent.add_child(instance=page)
            # A draft column may be incomplete: that is what the unit fills in.
            revision = page.save_revision(clean=False)
            if ready:
                revision.publish()
            by_key[requirement.key] = page
            counts["created"] += 1
    return counts


def set_column_policy(*, requirement: ColumnRequirement, policy_days: int | None) -> ColumnRequirement:
    """The information centre sets a column's update period; later imports keep it."""
    requirement.policy_days = policy_days
    requirement.policy_overridden = True
    requirement.save(update_fields=["policy_days", "policy_overridden", "updated_at"])
    build_column_tree(unit=requirement.unit)
    return requirement
