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
