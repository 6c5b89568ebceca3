"""检索同义词 in the information centre's admin (public schema): the synonym list the portal search applies."""

from __future__ import annotations

from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from .models import SynonymSet

# The viewset's menu item and views ask this policy: no screen for it in a unit's admin.
register_permission_policy(SynonymSet, PublicOnlyPolicy(SynonymSet, supervised=True))


class SynonymSetViewSet(ModelViewSet):
    model = SynonymSet
    name = "search_synonyms"
    icon = "search"
    menu_label = "检索同义词"
    add_to_admin_menu = True
    menu_order = 272
    form_fields = ["words", "note", "enabled"]
    list_display = [
        "__str__",
        "note",
        Column("status_label", label="状态"),
        "updated_at",
    ]
    list_filter = ["enabled"]
    search_fields = ["words", "note"]


synonym_viewset = SynonymSetViewSet()
