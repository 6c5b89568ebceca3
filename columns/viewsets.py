"""Column requirements in the information centre's admin: the update policy is editable per column."""

from __future__ import annotations

from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from .models import ColumnRequirement
from .services import set_column_policy

# Only the information centre, in the public schema, changes policies; rows come from imports only.
# The viewset's menu item and views ask this policy: no screen for it in a unit's admin.
register_permission_policy(ColumnRequirement, PublicOnlyPolicy(ColumnRequirement, actions=("change", "view")))


class RequirementEditView(EditView):
    def save_instance(self):
        return set_column_policy(requirement=self.object, policy_days=self.form.cleaned_data["policy_days"])


class ColumnRequirementViewSet(ModelViewSet):
    model = ColumnRequirement
    name = "column_requirements"
    icon = "list-ul"
    menu_label = "栏目责任"
    add_to_admin_menu = True
    menu_order = 890
    form_fields = ["policy_days"]
    list_display = ["unit", "__str__", "page_type", "column_kind", "policy_days", "policy_overridden", "retired_at"]
    list_filter = ["unit", "page_type", "column_kind"]
    search_fields = ["level1", "level2", "level3", "content"]
    edit_view_class = RequirementEditView


column_requirement_viewset = ColumnRequirementViewSet()
