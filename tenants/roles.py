"""The groups every unit has, by the duty they hold (第六条（七）)."""

from __future__ import annotations


class UnitRole:
    """The five groups every unit has (第六条（七）: 第一责任人, 分管领导, 信息员)."""

    EDITOR = "信息员"
    REVIEWER = "审核员"
    LEADER = "分管领导"
    HEAD = "第一责任人"
    ADMIN = "单位管理员"
    ALL = (EDITOR, REVIEWER, LEADER, HEAD, ADMIN)


def in_roles(user, *roles: str) -> bool:
    """Whether an authenticated user belongs to one of the unit's groups `roles` (in the active schema)."""
    return bool(user and user.is_authenticated and user.groups.filter(name__in=roles).exists())


class CentreRole:
    """Groups of the public schema's admin beside the information centre's superusers.

    - SUPERVISOR: the 市监察局 (第四条) reads monitoring, interaction figures, assessment, votes and
      通报, and writes nothing; each of its reads is logged (`tenants.SupervisorRead`).
    - LEADING_GROUP: the 政务公开领导小组 approves 通报 and the yearly assessment (第九条、第十一条).
    - EXPERT: an expert of the yearly assessment or a jury member of a 评比 (第九条、第十条).
    """

    SUPERVISOR = "监察"
    LEADING_GROUP = "政务公开领导小组"
    EXPERT = "考评专家"
    ALL = (SUPERVISOR, LEADING_GROUP, EXPERT)
