"""办理时限 per kind, set by the unit's administrators in the unit's admin."""

from __future__ import annotations

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from tenants.context import in_public_schema
from tenants.roles import UnitRole, in_roles

from .models import DeadlineSetting


class UnitAdminPolicy(BasePermissionPolicy):
    """Only a unit's administrators, in the unit's own admin."""

    def _ok(self, user) -> bool:
        return not in_public_schema() and bool(user and user.is_active and (user.is_superuser or in_roles(user, UnitRole.ADMIN)))

    def user_has_permission(self, user, action):
        return self._ok(user)

    def user_has_any_permission(self, user, actions):
        return self._ok(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(groups__name=UnitRole.ADMIN, is_active=True)


register_permission_policy(DeadlineSetting, UnitAdminPolicy(DeadlineSetting))


class DeadlineSettingViewSet(ModelViewSet):
    model = DeadlineSetting
    name = "interaction_deadlines"
    icon = "time"
    menu_label = "留言办理时限"
    add_to_admin_menu = False
    form_fields = ["kind", "working_days"]
    list_display = ["kind", "working_days"]


deadline_viewset = DeadlineSettingViewSet()
