"""Who may lift a lockout or reset a second factor: the unit's administrator in a unit's admin,
the information centre in the public schema's."""

from __future__ import annotations

from tenants.admin import is_information_centre
from tenants.context import in_public_schema
from tenants.roles import UnitRole, in_roles


def may_manage_logins(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if in_public_schema():
        return is_information_centre(user)
    return bool(user.is_superuser or in_roles(user, UnitRole.ADMIN))
