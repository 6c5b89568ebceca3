"""Writes of logins: audit entries, unlocking, the second factor's enrolment and verification.

Everything acts on the active schema: a unit's users, attempts and devices live in its own schema.
"""

from __future__ import annotations

import django_otp
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log as wagtail_log

from .network import client_ip
from .selectors import confirmed_totp_device, user_named
from .users import unwrapped

TOTP_DEVICE_NAME = "身份验证器"
BACKUP_DEVICE_NAME = "备用验证码"


class SecondFactorError(ValueError):
    """A code that does not verify; the message is shown to the user."""


def _request_ip(request) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", None) or client_ip(request) or ""


def _details(request, **extra) -> dict:
    data = {"ip": _request_ip(request)}
    data.update({key: value for key, value in extra.items() if value not in (None, "")})
    return data


def log(instance, action: str, *, user=None, **kwargs):
    """wagtail.log_actions.log, on the real objects (see accounts.users.unwrapped)."""
    return wagtail_log(unwrapped(instance), action, user=unwrapped(user), **kwargs)


# --- audit ------------------------------------------------------------------


def _second_factor_state(user) -> str:
    if getattr(settings, "OTP_REQUIRED", False):
        return "required"
    return "enrolled" if confirmed_totp_device(user) else ""


def record_login(*, user, request) -> None:
    log(user, "accounts.login", user=user, data=_details(request, second_factor=_second_factor_state(user)))


def record_logout(*, user, request, idle: bool = False) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    log(user, "accounts.idle_logout" if idle else "accounts.logout", user=user, data=_details(request))


def _failed_login_target(*, username: str, request):
    """The user tried, or (an unknown user name) the schema's attempt record for it."""
    user = user_named(username)
    if user is not None:
        return user
    attempts = AccessAttempt.objects.filter(username=username)
    ip = _request_ip(request)
    if ip:
        attempts = attempts.filter(ip_address=ip)
    return attempts.order_by("-attempt_time").first()


def record_login_failed(*, username: str, request) -> None:
    target = _failed_login_target(username=username or "", request=request)
    if target is None:
        return
    locked = bool(getattr(request, "axes_locked_out", False))
    log(
        target,
        "accounts.login_failed",
        user=None,
        title=username or None,
        data=_details(request, username=username, comment="账号处于锁定期" if locked else None),
    )


def record_lockout(*, username: str, request) -> None:
    """Logged once per lockout: on the failure that reached AXES_FAILURE_LIMIT."""
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    target = _failed_login_target(username=username or "", request=request)
    if target is None:
        return
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    log(
        target,
        "accounts.locked_out",
        user=None,
        title=username or None,
        data=_details(request, username=username, comment=f"连续失败 {settings.AXES_FAILURE_LIMIT} 次，锁定 {minutes} 分钟"),
    )


# --- lockouts ---------------------------------------------------------------


def unlock(*, attempt_id: int, by) -> str | None:
    """Lifts the lockout of one user name and address; the user name, or None if it had already ended."""
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return None
    username, ip = attempt.username or "", attempt.ip_address or ""
    target = user_named(username) or attempt
    with transaction.atomic():
        log(target, "accounts.unlocked", user=by, title=username or None, data={"username": username, "ip": ip})
        AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    return username


# --- the second factor --------------------------------------------------------


def pending_totp_device(*, user) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed), created with a new secret if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(*, user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_enrolment(*, user, token: str, request) -> list[str]:
    """Confirms the pending authenticator with a code from it; returns the new backup codes (shown once).

    The user's earlier authenticator, if any, is replaced, and the session counts as verified.
    """
    token = (token or "").strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise SecondFactorError("没有待绑定的身份验证器，请重新开始绑定")
        if not device.verify_token(token):
            raise SecondFactorError("验证码不正确，请确认手机时间准确后输入身份验证器上显示的 6 位数字")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user=user)
        log(user, "accounts.otp_enrolled", user=user, data=_details(request))
    django_otp.login(request, device)
    return codes


def regenerate_backup_codes(*, user, request) -> list[str]:
    with transaction.atomic():
        codes = _new_backup_codes(user=user)
        log(user, "accounts.backup_codes", user=user, data=_details(request))
    return codes


def verify_second_factor(*, user, token: str, request):
    """Checks a code from the authenticator or one backup code (used up); marks the session verified.

    Returns the device; raises SecondFactorError when no device accepts it. Each device throttles
    its own failures (django-otp: the wait doubles after each one).
    """
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        raise SecondFactorError("请输入验证码")
    # Six digits are the authenticator's, anything else a backup code: a code is tried on its own kind
    # of device only, so that a backup code does not count as a failure of the authenticator.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    with transaction.atomic():
        matched = None
        throttled = False
        for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                matched = device
                break
        if matched is None:
            log(user, "accounts.otp_failed", user=user, data=_details(request))
    if matched is None:
        if throttled:
            raise SecondFactorError("验证码错误次数过多，请稍等片刻再试")
        raise SecondFactorError("验证码不正确，请输入身份验证器上的 6 位数字，或一个未用过的备用验证码")
    django_otp.login(request, matched)
    log(
        user,
        "accounts.otp_verified",
        user=user,
        data=_details(request, comment="使用备用验证码" if isinstance(matched, StaticDevice) else None),
    )
    return matched


def reset_second_factor(*, user, by) -> None:
    """Removes a user's authenticator and backup codes (a lost phone): the next login enrols again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        log(user, "accounts.otp_reset", user=by, data={})
