"""Request middleware of the tenancy: which unit a host is (cached), and the supervisor's read-only access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from .admin import SUPERVISOR_READ_ONLY_MESSAGE, is_supervisor
from .caches import domains


class CachedTenantMainMiddleware(TenantMainMiddleware):
    """django-tenants' middleware with the host → unit lookup cached (tenants.caches.DomainCache):
    two queries fewer on every request."""

    def get_tenant(self, domain_model, hostname):
        tenant = domains.get(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            domains.put(hostname, tenant)
        return tenant


# Reads of these are not screens (assets, autocomplete lookups): not worth an audit row.
_UNLOGGED_PREFIXES = ("/admin/jsi18n/", "/admin/login/", "/admin/logout/")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SupervisorMiddleware:
    """Refuses the supervisor every write in the admin (whatever the screen's own checks say) and logs its reads.

    A screen opts in to the supervisor's reads on its own (`supervised` menu items, `supervisor_may_read`
    views); this middleware is the backstop that keeps a forgotten view from accepting its POST.
    Only logging in and out are writes it may make.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and is_supervisor(getattr(request, "user", None)):
            if request.method not in _SAFE_METHODS and not request.path.startswith(("/admin/login/", "/admin/logout/")):
                raise PermissionDenied(SUPERVISOR_READ_ONLY_MESSAGE)
            response = self.get_response(request)
            if request.method == "GET" and not request.path.startswith(_UNLOGGED_PREFIXES) and response.status_code < 400:
                self._log_read(request)
            return response
        return self.get_response(request)

    @staticmethod
    def _log_read(request) -> None:
        from .models import SupervisorRead

        SupervisorRead.objects.create(
            user=request.user,
            at=timezone.now(),
            path=request.path[:500],
            query=request.META.get("QUERY_STRING", "")[:1000],
        )


STORAGE_FULL_MESSAGE = "存储空间已满：文件未能保存，其他内容未受影响。请删除不再使用的文件，或联系信息中心扩容后重新上传。"


class StorageFullMiddleware:
    """A unit's full media volume (tenants.storage.StorageFull) becomes a Chinese message, not a 500.

    Answered with 507 Insufficient Storage: a page for a form post, and the JSON Wagtail's multiple
    upload reads its error from for a background upload.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import JsonResponse
        from django.shortcuts import render

        from .storage import StorageFull

        if not isinstance(exception, StorageFull):
            return None
        if request.headers.get("x-requested-with") == "XMLHttpRequest" or "json" in request.headers.get("accept", ""):
            return JsonResponse({"success": False, "error_message": STORAGE_FULL_MESSAGE}, status=507)
        return render(request, "tenants/storage_full.html", {"message": STORAGE_FULL_MESSAGE}, status=507)
