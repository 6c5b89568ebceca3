"""The column types of the responsibility table: one vocabulary for the whole platform.

A row of the 责任分解表 is a column (栏目) of a unit's site.  The table parser
(:mod:`columns.table`) gives each row a *page type* (``news``, ``leader`` …);
the page type decides the column's *kind* (动态类, 政策文件类 …), its default
update period, the page model that carries it on the unit's site and, for
listing columns, the item pages it holds.  The import (``columns.services``),
the page models (``sitepages.models``) and the freshness scorer
(``oversight.freshness``) all read these two tables, so a new column type is
added here and nowhere else.

Free of Django: the parser and the scorer import it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COLUMN_TYPES",
    "DEFAULT_POLICY_DAYS",
    "KIND_CHOICES",
    "ColumnKind",
    "ColumnType",
    "column_type",
]


class ColumnKind(StrEnum):
    """How often a column must change, after the national inspection indicators."""

    DYNAMIC = "dynamic"
    POLICY = "policy"
    PLAN = "plan"
    STATIC = "static"
    INTERACTION = "interaction"

    @property
    def label(self) -> str:
        """The platform's short name (the 栏目类型 shown in the admin)."""
        return _KIND_LABELS[self]

    @property
    def indicator_label(self) -> str:
        """The name the national inspection indicators use (in deduction reasons)."""
        return _INDICATOR_LABELS[self]

    @property
    def default_days(self) -> int | None:
        return DEFAULT_POLICY_DAYS[self]


_KIND_LABELS: dict[ColumnKind, str] = {
    ColumnKind.DYNAMIC: "动态类",
    ColumnKind.POLICY: "政策文件类",
    ColumnKind.PLAN: "规划计划类",
    ColumnKind.STATIC: "静态信息类",
    ColumnKind.INTERACTION: "互动类",
}

_INDICATOR_LABELS: dict[ColumnKind, str] = {
    ColumnKind.DYNAMIC: "动态要闻类",
    ColumnKind.POLICY: "通知公告及政策文件类",
    ColumnKind.PLAN: "规划计划及人事类",
    ColumnKind.STATIC: "静态信息类",
    ColumnKind.INTERACTION: "互动交流类",
}

# Update periods by kind, from the national inspection indicators: dynamic
# columns 14 days, notices and policy documents 6 months, plans and personnel
# 12 months; static columns are checked monthly (source document, 第六条（四）).
# None means "no update period": interaction columns are judged by how fast
# they answer, not by how often they publish.
DEFAULT_POLICY_DAYS: dict[ColumnKind, int | None] = {
    ColumnKind.DYNAMIC: 14,
    ColumnKind.POLICY: 183,
    ColumnKind.PLAN: 365,
    ColumnKind.STATIC: 30,
    ColumnKind.INTERACTION: None,
}

# (value, label) pairs for a model field's ``choices``.
KIND_CHOICES: tuple[tuple[str, str], ...] = tuple((kind.value, kind.label) for kind in ColumnKind)


@dataclass(frozen=True)
class ColumnType:
    """One page type of the responsibility table."""

    key: str
    # The Chinese name, as in import reports and page titles.
    label: str
    kind: ColumnKind
    # Model label (``app_label.ModelName``) of the column page on a unit's site.
    page_model: str
    # For listing columns: the ``item_type`` of the pages listed in them.
    item_type: str | None = None

    @property
    def default_days(self) -> int | None:
        return self.kind.default_days

    @property
    def is_listing(self) -> bool:
        return self.item_type is not None


def _listing(key: str, label: str, kind: ColumnKind, item_type: str) -> ColumnType:
    return ColumnType(key=key, label=label, kind=kind, page_model="sitepages.ColumnListingPage", item_type=item_type)


def _page(key: str, label: str, kind: ColumnKind, model: str) -> ColumnType:
    return ColumnType(key=key, label=label, kind=kind, page_model=f"sitepages.{model}")


COLUMN_TYPES: dict[str, ColumnType] = {
    column.key: column
    for column in (
        _page("leader", "领导之窗", ColumnKind.PLAN, "LeaderPage"),
        _page("org_directory", "机构目录", ColumnKind.STATIC, "OrgDirectoryPage"),
        _page("unit_profile", "机构概况", ColumnKind.STATIC, "UnitProfilePage"),
        _listing("gov_document", "政府文件", ColumnKind.POLICY, "policy_document"),
        _listing("normative_document", "规范性文件", ColumnKind.POLICY, "policy_document"),
        _listing("gazette", "政府公报", ColumnKind.POLICY, "gazette"),
        _listing("work_report", "政府工作报告", ColumnKind.PLAN, "work_report"),
        _page("disclosure_catalogue", "政府信息公开目录", ColumnKind.STATIC, "DisclosureCataloguePage"),
        _listing("notice", "公告公示", ColumnKind.POLICY, "notice"),
        _listing("news", "工作动态", ColumnKind.DYNAMIC, "news"),
        _listing("service_guide", "办事指南", ColumnKind.STATIC, "service_guide"),
        _listing("plan", "规划计划", ColumnKind.PLAN, "plan"),
        _page("phone_directory", "便民电话", ColumnKind.STATIC, "PhoneDirectoryPage"),
        _page("overview", "概览", ColumnKind.STATIC, "OverviewPage"),
        _page("interaction", "互动交流", ColumnKind.INTERACTION, "InteractionPage"),
    )
}


def column_type(key: str) -> ColumnType:
    """The registered type ``key``; an unknown key (a row stored before its type was
    retired) is a static overview column labelled with the key itself."""
    known = COLUMN_TYPES.get(key)
    if known is not None:
        return known
    return ColumnType(key=key, label=key, kind=ColumnKind.STATIC, page_model="sitepages.OverviewPage")
