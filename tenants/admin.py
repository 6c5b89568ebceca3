"""Who sees which admin screen: the information centre's (public schema, superuser) or a unit's own.

Every Wagtail admin serves both the public schema and the unit schemas, and its menus are built once
per process, so each screen says here, per request, in which admin it exists:

- `PublicOnlyPolicy`: the permission policy of a model the information centre manages. A viewset's
  menu item and views ask the model's policy (wagtail.admin.viewsets.model), so registering the
  policy is all a viewset needs: no menu filter.
- `PublicOnlyMenuItem`, `UnitMenuItem`: menu items of the other screens.
- `require_information_centre`, `InformationCentreMixin`: the same rule for views.

The 监察 role (第四条, `tenants.roles.CentreRole.SUPERVISOR`) may read the screens that say
`supervised=True` / `supervisor_may_read = True`, and `tenants.middleware.SupervisorMiddleware`
refuses it every write anywhere in the admin and logs its reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy

from .context import in_public_schema
from .roles import CentreRole

CENTRE_ONLY_MESSAGE = "仅市信息中心管理员可以使用此功能"
SUPERVISOR_READ_ONLY_MESSAGE = "监察角色只能查看，不能修改任何内容"


def is_information_centre(user) -> bool:
    """A superuser of the public schema: an administrator of the information centre."""
    return bool(in_public_schema() and user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def in_centre_role(user, role: str) -> bool:
    """A user of the public schema's admin in the group `role` (a `CentreRole`)."""
    return bool(
        in_public_schema()
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.groups.filter(name=role).exists()
    )


def is_supervisor(user) -> bool:
    """The 监察 role (第四条): reads the centre's screens, writes nothing. A superuser is never one."""
    return bool(
        user is not None and user.is_authenticated and not user.is_superuser and in_centre_role(user, CentreRole.SUPERVISOR)
    )


def can_read_centre_screens(user) -> bool:
    """The information centre, or the supervisor reading it."""
    return is_information_centre(user) or is_supervisor(user)


class PublicOnlyPolicy(BasePermissionPolicy):
    """A model maintained once for all units, in the information centre's admin; units' admins show no screen for it.

    `actions` limits what even the centre may do (e.g. only "change" and "view" of rows that imports create).
    `supervised`: the supervisor (监察) may "view" it too.
    """

    def __init__(self, model, *, actions: Iterable[str] | None = None, supervised: bool = False):
        super().__init__(model)
        self.actions = frozenset(actions) if actions is not None else None
        self.supervised = supervised

    def _allows(self, action: str) -> bool:
        return self.actions is None or action in self.actions

    def user_has_permission(self, user, action):
        if action == "view" and self.supervised and is_supervisor(user):
            return self._allows(action)
        return is_information_centre(user) and self._allows(action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_superuser=True, is_active=True)
        if not in_public_schema() or not any(self._allows(action) for action in actions):
            return users.none()
        if self.supervised and "view" in actions:
            supervisors = get_user_model().objects.filter(is_active=True, groups__name=CentreRole.SUPERVISOR)
            return (users | supervisors).distinct()
        return users


class PublicOnlyMenuItem(MenuItem):
    """A screen of the information centre: shown in the public schema's admin, to superusers,
    and to the supervisor too when `supervised` (a screen it may read)."""

    def __init__(self, *args, supervised: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervised = supervised

    def is_shown(self, request):
        if self.supervised:
            return can_read_centre_screens(request.user)
        return is_information_centre(request.user)


class UnitMenuItem(MenuItem):
    """A screen of a unit's own admin: shown only there, to the users `allowed` accepts (everyone by default)."""

    def __init__(self, *args, allowed: Callable[[object], bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return not in_public_schema() and (self.allowed is None or self.allowed(request.user))


def require_information_centre(request, message: str = CENTRE_ONLY_MESSAGE, *, supervisor_may_read: bool = False) -> None:
    """404 outside the public schema (a unit's admin has no such screen); 403 to anyone but a superuser,
    except the supervisor's reads (GET/HEAD) of a screen that allows them."""
    if not in_public_schema():
        raise Http404
    if request.user.is_superuser:
        return
    if supervisor_may_read and is_supervisor(request.user):
        if request.method in ("GET", "HEAD"):
            return
        raise PermissionDenied(SUPERVISOR_READ_ONLY_MESSAGE)
    raise PermissionDenied(message)


class InformationCentreMixin:
    """View mixin: the screen exists in the public schema's admin and serves superusers only
    (and the supervisor's reads, when `supervisor_may_read`)."""

    centre_only_message = CENTRE_ONLY_MESSAGE
    supervisor_may_read = False

    def dispatch(self, request, *args, **kwargs):
        require_information_centre(request, self.centre_only_message, supervisor_may_read=self.supervisor_may_read)
        return super().dispatch(request, *args, **kwargs)
