"""节假日安排 in the information centre's admin (public schema, superusers): the calendar every deadline uses."""

from __future__ import annotations

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from .models import HolidayDay

register_permission_policy(HolidayDay, PublicOnlyPolicy(HolidayDay))


class HolidayDayViewSet(ModelViewSet):
    model = HolidayDay
    name = "holidays"
    icon = "date"
    menu_label = "节假日安排"
    add_to_admin_menu = True
    menu_order = 895
    form_fields = ["date", "kind", "note"]
    list_display = ["date", "kind", "note", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["note"]


holiday_viewset = HolidayDayViewSet()
