"""The platform-wide sensitive-word dictionary, maintained in the information centre's admin; units only read it."""

from __future__ import annotations

from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from .models import SensitiveWord

# The viewset's menu item and views ask this policy: no screen for it in a unit's admin.
register_permission_policy(SensitiveWord, PublicOnlyPolicy(SensitiveWord))


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
