"""The platform-wide sensitive-word dictionary, maintained in the public schema's admin."""

from __future__ import annotations

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.views.generic import CreateView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import SensitiveWord
from .selectors import in_public_schema


class PublicSchemaPermissionPolicy(ModelPermissionPolicy):
    """Nobody manages the dictionary from a unit's admin: units only read it."""

    def user_has_permission(self, user, action):
        return in_public_schema() and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return in_public_schema() and super().user_has_any_permission(user, actions)


register_permission_policy(SensitiveWord, PublicSchemaPermissionPolicy(SensitiveWord))


class SensitiveWordCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class SensitiveWordViewSet(ModelViewSet):
    model = SensitiveWord
    name = "sensitive_words"
    icon = "warning"
    menu_label = "敏感词库"
    add_to_admin_menu = True
    menu_order = 900
    form_fields = ["word", "note"]
    list_display = ["word", "note", "created_by", "created_at"]
    search_fields = ["word", "note"]
    add_view_class = SensitiveWordCreateView


sensitive_word_viewset = SensitiveWordViewSet()
