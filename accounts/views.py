"""Admin screens of the logins: the second factor (verify, enrol, backup codes) and 登录锁定."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView, TemplateView

from govplatform.admin_views import AdminPageView
from tenants.context import current_unit

from . import selectors, services
from .forms import EnrolForm, TokenForm
from .permissions import may_manage_logins

BACKUP_CODES_SESSION_KEY = "accounts_new_backup_codes"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the Chinese lockout page, in the login's look."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class SecondFactorPage(FormView):
    """The screens between the password and the admin: the login's look, no menu."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _next_url(self.request)
        context["unit"] = current_unit()
        return context


class VerifyView(SecondFactorPage):
    template_name = "accounts/otp_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if _is_verified(request.user):
            return redirect(_next_url(request))
        if not selectors.has_second_factor(request.user):
            if getattr(settings, "OTP_REQUIRED", False):
                return redirect(_with_next("accounts:otp_enrol", _next_url(request)))
            return redirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.verify_second_factor(user=self.request.user, token=form.cleaned_data["token"], request=self.request)
        except services.SecondFactorError as exc:
            form.add_error("token", str(exc))
            return self.form_invalid(form)
        return redirect(_next_url(self.request))


class EnrolView(SecondFactorPage):
    template_name = "accounts/otp_enrol.html"
    form_class = EnrolForm

    def dispatch(self, request, *args, **kwargs):
        # Replacing an authenticator takes the current one first.
        if selectors.has_second_factor(request.user) and not _is_verified(request.user):
            return redirect(_with_next("accounts:otp_verify", request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = services.pending_totp_device(user=self.request.user)
        secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
        context.update(
            qr_code=segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#1b1b1b"),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            required=getattr(settings, "OTP_REQUIRED", False),
            replacing=selectors.has_second_factor(self.request.user),
        )
        return context

    def form_valid(self, form):
        try:
            codes = services.confirm_enrolment(user=self.request.user, token=form.cleaned_data["token"], request=self.request)
        except services.SecondFactorError as exc:
            form.add_error("token", str(exc))
            return self.form_invalid(form)
        self.request.session[BACKUP_CODES_SESSION_KEY] = codes
        return redirect(_with_next("accounts:otp_backup_codes", _next_url(self.request)))


class BackupCodesView(TemplateView):
    """The new backup codes, shown once (they leave the session as they are shown)."""

    template_name = "accounts/otp_backup_codes.html"

    def get(self, request, *args, **kwargs):
        codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
        if not codes:
            return redirect("accounts:otp_status")
        return self.render_to_response({"codes": codes, "next": _next_url(request)})


class StatusView(AdminPageView):
    page_title = "双因素认证"
    header_icon = "key"
    template_name = "accounts/otp_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        device = selectors.confirmed_totp_device(user)
        context.update(
            device=device,
            backup_codes_left=selectors.backup_codes_left(user) if device else 0,
            required=getattr(settings, "OTP_REQUIRED", False),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not selectors.has_second_factor(request.user):
            return redirect("accounts:otp_enrol")
        request.session[BACKUP_CODES_SESSION_KEY] = services.regenerate_backup_codes(user=request.user, request=request)
        return redirect(_with_next("accounts:otp_backup_codes", reverse("accounts:otp_status")))


class LoginsView(AdminPageView):
    """登录锁定: current lockouts of this admin's schema with 解除锁定, and resetting a lost authenticator."""

    page_title = "登录锁定"
    header_icon = "lock"
    template_name = "accounts/logins.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_logins(request.user):
            raise PermissionDenied("仅本单位管理员可以管理登录锁定")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            lockouts=selectors.current_lockouts(),
            enrolled_users=selectors.users_with_second_factor(),
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "unlock" in request.POST:
            try:
                attempt_id = int(request.POST["unlock"])
            except ValueError:
                messages.error(request, "参数有误，请刷新页面后重试")
                return redirect("accounts:logins")
            username = services.unlock(attempt_id=attempt_id, by=request.user)
            if username is None:
                messages.warning(request, "该锁定已经解除或已过期")
            else:
                messages.success(request, f"已解除 {username} 的登录锁定")
        elif "reset_otp" in request.POST:
            user = get_user_model().objects.filter(pk=request.POST.get("reset_otp") or None).first()
            if user is None or not selectors.has_second_factor(user):
                messages.warning(request, "该用户没有绑定身份验证器")
            else:
                services.reset_second_factor(user=user, by=request.user)
                messages.success(request, f"已重置 {user.get_username()} 的双因素认证，其下次登录时需重新绑定")
        return redirect("accounts:logins")
