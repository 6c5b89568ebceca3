"""Request-level rules of the logins: the admin network, idle sessions, the second factor, and the
throttle of page passwords. Each is listed in MIDDLEWARE (govplatform/settings/base.py)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware
from django_ratelimit.core import get_usage

from tenants.context import in_public_schema

from .network import client_ip, is_admin_path, may_reach_admin
from .selectors import has_second_factor
from .users import unwrapped

ADMIN_NETWORK_MESSAGE = "后台管理只能从政务内网访问。如需在其他网络办公，请联系市信息中心。"
LAST_SEEN_KEY = "accounts_last_seen"
# The session is saved again (and its expiry pushed back) at most this often: not on every request.
LAST_SEEN_RESOLUTION = 60
# Requests an open admin tab sends on its own, without anyone at the keyboard: they keep no session alive.
BACKGROUND_PREFIXES = ("/admin/editing-sessions/",)


class AdminNetworkMiddleware:
    """/admin/ on every host (portal and units) only from ADMIN_ALLOWED_NETWORKS; nginx has the same rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin_path(request.path_info) and not may_reach_admin(request):
            raise PermissionDenied(ADMIN_NETWORK_MESSAGE)
        return self.get_response(request)


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware (user.is_verified()), keeping request.user one lazy object deep:
    django-otp's own wraps auth's lazy user in a second one, which Wagtail's audit log cannot see through."""

    def _verify_user_sync(self, request, user):
        return super()._verify_user_sync(request, unwrapped(user))


def _login_url(next_path: str) -> str:
    return f"{reverse('wagtailadmin_login')}?{urlencode({'next': next_path})}"


class IdleSessionMiddleware:
    """Ends a session left idle for SESSION_IDLE_TIMEOUT: logged out (and audited), then back to the login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                return self._expire(request)
            if request.path_info.startswith(BACKGROUND_PREFIXES):
                return self.get_response(request)
            if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request):
        request.accounts_idle_logout = True
        logout(request)
        if not is_admin_path(request.path_info):
            return self.get_response(request)
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        # MessageMiddleware comes later and is not reached: store the message the way it would.
        storage = default_storage(request)
        storage.add(messages.INFO, f"您已超过 {minutes} 分钟未操作，为保护账号安全已自动退出，请重新登录。")
        response = redirect(_login_url(request.get_full_path()))
        storage.update(response)
        return response


def needs_second_factor(user) -> bool:
    """A logged-in user who must still enter a code: required for everyone, or enrolled."""
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return bool(getattr(settings, "OTP_REQUIRED", False) or has_second_factor(user))


class SecondFactorMiddleware:
    """After the password, the second factor: until it is entered, /admin/ leads to the code screen
    (or to enrolment, when it is required and the user has no authenticator yet), and elsewhere the
    session counts as nobody's (no staff-only files on the sites)."""

    _OPEN_NAMES = (
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "accounts:otp_verify",
        "accounts:otp_enrol",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def _open_paths(self) -> tuple[str, ...]:
        return tuple(reverse(name) for name in self._OPEN_NAMES) + ("/admin/password_reset/",)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if is_admin_path(request.path_info):
            if request.path_info.startswith(self._open_paths()) or not needs_second_factor(user):
                return self.get_response(request)
            target = "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        real_user = unwrapped(user)
        request.user = SimpleLazyObject(lambda: AnonymousUser() if needs_second_factor(real_user) else real_user)
        return self.get_response(request)


class PagePasswordThrottleMiddleware:
    """Wagtail's page and document password forms: PAGE_PASSWORD_RATE failed attempts per client address
    (per site: the cache keys carry the schema), then 429 until the window ends."""

    VIEW_NAMES = ("wagtailcore_authenticate_with_password", "wagtaildocs_authenticate_with_password")
    GROUP = "accounts.page_password"

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _key(group, request):
        return client_ip(request) or "unknown"

    def _usage(self, request, *, increment: bool):
        return get_usage(
            request, group=self.GROUP, key=self._key, rate=settings.PAGE_PASSWORD_RATE, method="POST", increment=increment
        )

    def __call__(self, request):
        response = self.get_response(request)
        # A right password redirects to the page; anything else is a failed attempt.
        if getattr(request, "accounts_page_password_attempt", False) and not 300 <= response.status_code < 400:
            self._usage(request, increment=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if request.method != "POST" or match is None or match.url_name not in self.VIEW_NAMES:
            return None
        usage = self._usage(request, increment=False)
        if usage and usage["count"] >= usage["limit"]:
            minutes = max(1, (usage["time_left"] + 59) // 60)
            base_template = "portal/base.html" if in_public_schema() else "sitepages/base.html"
            return render(
                request, "accounts/page_password_throttled.html", {"minutes": minutes, "base_template": base_template}, status=429
            )
        request.accounts_page_password_attempt = True
        return None
