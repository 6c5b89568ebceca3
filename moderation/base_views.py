"""What every admin view of 审核发布 shares: in which admin it exists and who may open it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from govplatform.admin_views import AdminPageView
from tenants.context import in_public_schema


class AdminView(AdminPageView):
    """A unit's screen by default (404 in the public schema); `public_only` for the information centre's."""

    header_icon = "tasks"
    unit_only = True
    public_only = False

    def dispatch(self, request, *args, **kwargs):
        public = in_public_schema()
        if (self.unit_only and public) or (self.public_only and not public):
            raise Http404
        self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self, user) -> None:
        return None


def require(condition: bool, message: str = "您没有执行此操作的权限") -> None:
    if not condition:
        raise PermissionDenied(message)
