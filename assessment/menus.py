"""Menu items of the assessment screens: who sees which (the centre, experts, the leading group, the supervisor)."""

from __future__ import annotations

from wagtail.admin.menu import MenuItem

from tenants.context import in_public_schema

from . import selectors


class CentreReadMenuItem(MenuItem):
    """A screen of the public schema's admin for the centre, the supervisor, 考评专家 and the 政务公开领导小组."""

    def is_shown(self, request):
        return in_public_schema() and selectors.may_read_centre(request.user)
