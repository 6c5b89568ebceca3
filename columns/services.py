"""Writes for the responsibility table: import it, and build unit column trees from it."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from tenants.context import foreign_schema_context
from tenants.models import PUBLIC_CODE, TEMPLATE_CODE, Unit, UnitAlias
from tenants.selectors import unit_by_name
from tenants.services import provision_unit

from .models import ColumnRequirement, ImportRun
from .table import RequirementRow, load_unit_catalogue
from .table.catalogue import catalogue_entry
from .types import ColumnKind, column_type


class ImportRefused(ValueError):
    pass


@dataclass
class UnitChanges:
    unit_name: str
    unit_code: str
    create_unit: bool = False
    # The heading in the table when it is another name (alias, former name) of the unit.
    table_name: str = ""
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
            if unit.table_name:
                head += f"〔表中名称「{unit.table_name}」〕"
            if unit.create_unit:
                head += (
                    f"：新单位，拟定单位代码 {unit.unit_code}，将开通子站"
                    if self.dry_run
                    else f"：新单位，单位代码 {unit.unit_code}，已开通子站"
                )
            out.append(head)
            out += [f"  新增栏目：{name}" for name in unit.added]
            out += [f"  变更栏目：{name}" for name in unit.changed]
            out += [f"  停用栏目（已发布内容保留）：{name}" for name in unit.retired]
            if not (unit.added or unit.changed or unit.retired):
                out.append(f"  无变化（{unit.unchanged} 个栏目）")
        if not self.has_changes:
            out.append("责任分解表与平台现有栏目一致，本次导入未做任何更改")
        return out


@dataclass
class _UnitPlan:
    """Where one heading of the table goes: a registered unit, or a unit to provision."""

    table_name: str
    unit: Unit | None
    code: str
    name: str
    full_name: str = ""
    unit_type: str = "department"
    aliases: tuple[str, ...] = ()


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

    Headings are matched against the units registered in the database (their
    names and aliases); a heading no unit has is a new unit, provisioned here
    with the code the table gives or one proposed from its name. All in one
    transaction: a failure writes nothing. Published content is never deleted;
    a column that leaves the table is only marked retired.
    """
    by_unit: dict[str, list[RequirementRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit].append(row)
    plans = _plan_units(by_unit)

    report = ImportReport(dry_run=dry_run, units=[])
    with transaction.atomic():
        for plan in plans:
            _import_unit(plan=plan, rows=by_unit[plan.table_name], report=report)
        if not dry_run:
            _record_run(report=report, source_name=source_name, user=user)
    return report


def _plan_units(by_unit: dict[str, list[RequirementRow]]) -> list[_UnitPlan]:
    """Resolve every heading to a unit before anything is written; refuse contradictions."""
    taken = set(Unit.objects.values_list("code", flat=True)) | {PUBLIC_CODE, TEMPLATE_CODE}
    # Seed codes stay free for their own units.
    reserved = {entry.code for entry in load_unit_catalogue().values()}
    plans: list[_UnitPlan] = []
    seen: dict[int, str] = {}
    for name, unit_rows in by_unit.items():
        first = unit_rows[0]
        code = next((row.unit_code for row in unit_rows if row.unit_code), "")
        unit = unit_by_name(name=name)
        entry = catalogue_entry(name)
        if unit is None and entry is not None:
            # The seed knows this name as another name of a registered unit.
            unit = unit_by_name(name=entry.name) or next(
                (u for alias in entry.aliases if (u := unit_by_name(name=alias)) is not None), None
            )
        if code:
            owner = Unit.objects.filter(code=code).first()
            if unit is not None and unit.code != code:
                raise ImportRefused(
                    f"第{first.line}行：单位「{name}」已登记为「{unit.name}」（{unit.code}），与表中单位代码「{code}」不符"
                )
            if unit is None and owner is not None:
                raise ImportRefused(
                    f"第{first.line}行：单位代码「{code}」已属于单位「{owner.name}」，与表中单位名称「{name}」不符"
                    "（单位更名请先在单位资料中修改名称，原名称会保留为曾用名）"
                )
        if unit is not None:
            if unit.pk in seen:
                raise ImportRefused(
                    f"第{first.line}行：「{name}」与「{seen[unit.pk]}」是同一单位「{unit.name}」，表中只能出现一次"
                )
            seen[unit.pk] = name
            aliases = (name,) if name != unit.name else ()
            plans.append(_UnitPlan(table_name=name, unit=unit, code=unit.code, name=unit.name, aliases=aliases))
            continue
        if not code:
            preferred = entry.code if entry is not None and entry.code not in taken else ""
            code = preferred or propose_code(name, taken=taken | reserved)
        elif code in taken:
            raise ImportRefused(f"第{first.line}行：单位代码「{code}」已被本表中的另一单位使用")
        taken.add(code)
        plans.append(
            _UnitPlan(
                table_name=name,
                unit=None,
                code=code,
                name=name,
                full_name=entry.full_name if entry is not None else "",
                unit_type=entry.unit_type if entry is not None else ("district" if name.endswith("区") else "department"),
                aliases=tuple(n for n in ((entry.name, *entry.aliases) if entry is not None else ()) if n != name),
            )
        )
    return plans


_CODE_CHARS = re.compile(r"[^a-z0-9]")


def propose_code(name: str, *, taken: Iterable[str]) -> str:
    """A unit code from the pinyin initials of its name (市交通运输局 → jtysj), unique against `taken`.

    The leading 市 is dropped as in the shipped codes (市发展改革局 → fgj is the
    seed's; the rule gives fzggj); a number is appended while the code is taken.
    """
    from pypinyin import Style, lazy_pinyin

    base = name.removeprefix("市") if len(name) > 2 else name
    initials = "".join(lazy_pinyin(base, style=Style.FIRST_LETTER))
    code = _CODE_CHARS.sub("", initials.lower())
    code = code.lstrip("0123456789")[:17]
    if len(code) < 2:
        code = f"dw{code}"
    taken = set(taken)
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code}{n}", n + 1
    return candidate


def _import_unit(*, plan: _UnitPlan, rows: list[RequirementRow], report: ImportReport) -> None:
    """One unit's part of the table: its site if it has none, its requirements, its column tree."""
    dry_run = report.dry_run
    unit = plan.unit
    changes = UnitChanges(
        unit_name=plan.name,
        unit_code=plan.code,
        table_name=plan.table_name if plan.table_name != plan.name else "",
    )
    report.units.append(changes)
    if unit is None:
        changes.create_unit = True
        if not dry_run:
            unit = _provision(plan=plan, report=report)
    if not dry_run:
        for alias in plan.aliases:
            if not UnitAlias.objects.filter(name=alias).exists() and not Unit.objects.filter(name=alias).exists():
                UnitAlias.objects.create(unit=unit, name=alias)
    existing = {} if unit is None else {r.key: r for r in ColumnRequirement.objects.filter(unit=unit)}
    keyed = _rows_keyed_as_stored(rows, unit=unit, plan=plan, existing=set(existing))
    for position, (key, row) in enumerate(zip(requirement_keys(keyed), keyed, strict=False)):
        _apply_row(
            unit=unit, key=key, row=row, position=position, current=existing.pop(key, None), changes=changes, dry_run=dry_run
        )
    _retire(existing.values(), changes=changes, dry_run=dry_run)
    if not dry_run and unit is not None:
        build_column_tree(unit=unit)


def _rows_keyed_as_stored(
    rows: list[RequirementRow], *, unit: Unit | None, plan: _UnitPlan, existing: set[str]
) -> list[RequirementRow]:
    """The rows under the unit name their stored keys were made with.

    A key includes the unit's name at its first import; after a rename, or from a
    table under a former name or an alias, the same columns must keep their keys.
    """
    names = [plan.name, plan.table_name]
    if unit is not None:
        names += list(UnitAlias.objects.filter(unit=unit).values_list("name", flat=True))
    best, best_hits = plan.name, -1
    for name in dict.fromkeys(names):
        hits = len(existing.intersection(requirement_keys(replace(row, unit=name) for row in rows)))
        if hits > best_hits:
            best, best_hits = name, hits
    return [replace(row, unit=best) for row in rows]


def _provision(*, plan: _UnitPlan, report: ImportReport) -> Unit:
    result = provision_unit(code=plan.code, name=plan.name, full_name=plan.full_name, unit_type=plan.unit_type)
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
                _mark_retired(requirement)


def _mark_retired(requirement: ColumnRequirement) -> None:
    requirement.retired_at = timezone.now()
    requirement.save(update_fields=["retired_at", "updated_at"])


def _record_run(*, report: ImportReport, source_name: str, user) -> ImportRun:
    return ImportRun.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        source_name=source_name.replace("\x00", "")[:255],
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


# --- the information centre's edits in the admin (栏目责任) ---------------------


def _editable_fields(*, level1: str, level2: str, level3: str, content: str, guarantee: str, categories, page_type: str) -> dict:
    ctype = column_type(page_type)
    return {
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "content": content,
        "guarantee": guarantee,
        "categories": list(categories),
        "page_type": page_type,
        "column_kind": ctype.kind.value,
    }


@transaction.atomic
def add_requirement(*, unit: Unit, policy_days: int | None = None, **fields) -> ColumnRequirement:
    """A column the centre requires of a unit beyond its imported table; its page is built at once.

    Its key is made as an import makes it, so the same row in a later table is the
    same requirement (and a table without it lists it as retired in the dry run).
    Without ``policy_days`` the type's default period applies.
    """
    values = _editable_fields(**fields)
    existing = set(ColumnRequirement.objects.filter(unit=unit).values_list("key", flat=True))
    # Numbered like a repeated row of the table: the n-th column with the same path and type.
    for n in range(1, 1000):
        ident = (unit.name, values["level1"], values["level2"], values["level3"], values["page_type"], str(n))
        key = hashlib.sha1("\x1f".join(ident).encode("utf-8")).hexdigest()[:16]
        if key not in existing:
            break
    position = (
        ColumnRequirement.objects.filter(unit=unit).order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    requirement = ColumnRequirement.objects.create(
        unit=unit,
        key=key,
        position=position,
        policy_days=policy_days if policy_days is not None else column_type(values["page_type"]).default_days,
        policy_overridden=policy_days is not None,
        **values,
    )
    build_column_tree(unit=unit)
    return requirement


@transaction.atomic
def update_requirement(*, requirement: ColumnRequirement, policy_days: int | None, **fields) -> ColumnRequirement:
    """Edit a requirement; a changed update period is the centre's decision, kept by later imports."""
    values = _editable_fields(**fields)
    # As stored: an admin form has already copied its values onto `requirement`.
    stored = ColumnRequirement.objects.get(pk=requirement.pk)
    type_changed = values["page_type"] != stored.page_type
    for name, value in values.items():
        setattr(requirement, name, value)
    requirement.policy_days = stored.policy_days
    if policy_days != stored.policy_days:
        requirement.policy_days = policy_days
        requirement.policy_overridden = True
    elif type_changed and not requirement.policy_overridden:
        requirement.policy_days = column_type(values["page_type"]).default_days
    requirement.save()
    build_column_tree(unit=requirement.unit)
    return requirement


@transaction.atomic
def retire_requirement(*, requirement: ColumnRequirement) -> ColumnRequirement:
    """No longer required (as when a row leaves the table): the column page and its content stay."""
    if requirement.retired_at is None:
        _mark_retired(requirement)
    return requirement


@transaction.atomic
def reinstate_requirement(*, requirement: ColumnRequirement) -> ColumnRequirement:
    """Required again: its page (kept since it retired) is monitored again, or built if missing."""
    if requirement.retired_at is not None:
        requirement.retired_at = None
        requirement.save(update_fields=["retired_at", "updated_at"])
        build_column_tree(unit=requirement.unit)
    return requirement


@transaction.atomic
def set_type_policy(*, page_type: str, policy_days: int | None) -> int:
    """The update period of every required column of one type, for all units at once; returns how many changed."""
    requirements = ColumnRequirement.objects.filter(page_type=page_type, retired_at__isnull=True)
    units = set(requirements.values_list("unit_id", flat=True))
    count = requirements.update(policy_days=policy_days, policy_overridden=True, updated_at=timezone.now())
    for unit in Unit.objects.filter(pk__in=units):
        build_column_tree(unit=unit)
    return count
