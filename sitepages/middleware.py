"""Turn a refused publish in the admin into a message instead of a server error."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from .publishing import PublishBlocked


class PublishBlockedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PublishBlocked) or not request.path.startswith("/admin/"):
            return None
        messages.error(request, "页面未发布：" + "；".join(f"{p.field}：{p.message}" for p in exception.problems))
        return redirect(request.get_full_path())
