"""Menu items of 通报 beyond tenants.admin's: the 通报 screen, which the leading group reads too."""

from __future__ import annotations

from wagtail.admin.menu import MenuItem

from tenants.context import in_public_schema

from . import selectors


class BulletinMenuItem(MenuItem):
    """In the public schema's admin: the centre, the 政务公开领导小组 and the supervisor (监察)."""

    def is_shown(self, request):
        return in_public_schema() and selectors.can_read_centre(request.user)
