"""Menu items of 评比 beyond tenants.admin's: the jury's own screen."""

from __future__ import annotations

from wagtail.admin.menu import MenuItem

from tenants.context import in_public_schema

from . import selectors


class JuryMenuItem(MenuItem):
    """In the public schema's admin, to the 考评专家 (who score the contests they sit on)."""

    def is_shown(self, request):
        return in_public_schema() and selectors.is_expert(request.user)
