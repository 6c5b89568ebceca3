"""投票期 in the information centre's admin (public schema): created and opened or closed by the centre, read by the supervisor."""

from __future__ import annotations

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from .models import VotePeriod

# No deletion: a period's votes and annulments are the record of the vote.
register_permission_policy(VotePeriod, PublicOnlyPolicy(VotePeriod, actions=("add", "change", "view"), supervised=True))


class VotePeriodViewSet(ModelViewSet):
    model = VotePeriod
    name = "voting_periods"
    icon = "date"
    menu_label = "投票期"
    add_to_admin_menu = False
    form_fields = ["title", "question", "note", "starts_on", "ends_on", "status"]
    list_display = ["title", "starts_on", "ends_on", "status", "snapshot_through"]
    list_filter = ["status"]
    search_fields = ["title"]


period_viewset = VotePeriodViewSet()
