"""The 长者模式 switch: a plain link (no script needed), so it works on any phone and with a screen reader."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .preferences import ELDER_COOKIE, ELDER_COOKIE_MAX_AGE


def _safe_next(request) -> str:
    target = request.GET.get("next", "").replace("\x00", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_GET
def switch(request):
    """?mode=elder turns 长者模式 on, ?mode=standard off; back to the page the reader was on."""
    response = HttpResponseRedirect(_safe_next(request))
    if request.GET.get("mode") == "elder":
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    # A cached copy of the page must not carry one reader's mode to another.
    response["Cache-Control"] = "no-store"
    return response
