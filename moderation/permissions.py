"""Who may do what in 审核发布, by the unit's groups (README: "Moderation: who may do what")."""

from __future__ import annotations

from tenants.roles import UnitRole, in_roles


def user_can_override_secrecy(*, user) -> bool:
    """Release a page held by the 保密审查: a 审核员 with the release permission."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return in_roles(user, UnitRole.REVIEWER) and user.has_perm("moderation.override_secrecy")


def user_can_review(*, user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, UnitRole.REVIEWER, UnitRole.ADMIN)))


def user_is_unit_admin(*, user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, UnitRole.ADMIN)))


def user_can_decide_confirmations(*, user) -> bool:
    """Who answers other units' requests: the unit's reviewers, leaders and administrators."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or in_roles(user, UnitRole.REVIEWER, UnitRole.LEADER, UnitRole.HEAD, UnitRole.ADMIN))
    )
