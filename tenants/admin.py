"""Who sees which admin screen: the information centre's (public schema, superuser) or a unit's own.

Every Wagtail admin serves both the public schema and the unit schemas, and its menus are built once
per process, so each screen says here, per request, in which admin it exists:

- `PublicOnlyPolicy`: the permission policy of a model the information centre manages. A viewset's
  menu item and views ask the model's policy (wagtail.admin.viewsets.model), so registering the
  policy is all a viewset needs: no menu filter.
- `PublicOnlyMenuItem`, `UnitMenuItem`: menu items of the other screens.
- `require_information_centre`, `InformationCentreMixin`: the same rule for views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy

from .context import in_public_schema

CENTRE_ONLY_MESSAGE = "仅市信息中心管理员可以使用此功能"


def is_information_centre(user) -> bool:
    """A superuser of the public schema: an administrator of the information centre."""
    return bool(in_public_schema() and user is not None and user.is_authenticated and user.is_active and user.is_superuser)


class PublicOnlyPolicy(BasePermissionPolicy):
    """A model maintained once for all units, in the information centre's admin; units' admins show no screen for it.

    `actions` limits what even the centre may do (e.g. only "change" and "view" of rows that imports create).
    """

    def __init__(self, model, *, actions: Iterable[str] | None = None):
        super().__init__(model)
        self.actions = frozenset(actions) if actions is not None else None

    def _allows(self, action: str) -> bool:
        return self.actions is None or action in self.actions

    def user_has_permission(self, user, action):
        return is_information_centre(user) and self._allows(action)

    def user_has_any_permission(self, user, actions):
        return is_information_centre(user) and any(self._allows(action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_superuser=True, is_active=True)
        if not in_public_schema() or not any(self._allows(action) for action in actions):
            return users.none()
        return users


class PublicOnlyMenuItem(MenuItem):
    """A screen of the information centre: shown in the public schema's admin, to superusers."""

    def is_shown(self, request):
        return is_information_centre(request.user)


class UnitMenuItem(MenuItem):
    """A screen of a unit's own admin: shown only there, to the users `allowed` accepts (everyone by default)."""

    def __init__(self, *args, allowed: Callable[[object], bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return not in_public_schema() and (self.allowed is None or self.allowed(request.user))


def require_information_centre(request, message: str = CENTRE_ONLY_MESSAGE) -> None:
    """404 outside the public schema (a unit's admin has no such screen); 403 to anyone but a superuser."""
    if not in_public_schema():
        raise Http404
    if not request.user.is_superuser:
        raise PermissionDenied(message)


class InformationCentreMixin:
    """View mixin: the screen exists in the public schema's admin and serves superusers only."""

    centre_only_message = CENTRE_ONLY_MESSAGE

    def dispatch(self, request, *args, **kwargs):
        require_information_centre(request, self.centre_only_message)
        return super().dispatch(request, *args, **kwargs)
