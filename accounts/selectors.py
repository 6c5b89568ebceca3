"""Reads of logins: current lockouts, a user's second-factor devices (all in the active schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass(frozen=True)
class Lockout:
    attempt_id: int
    username: str
    ip_address: str
    failures: int
    last_attempt: datetime
    until: datetime


def cool_off_threshold() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def current_lockouts() -> list[Lockout]:
    """User names and addresses locked out now in this schema's admin, latest first."""
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=cool_off_threshold()
    ).order_by("-attempt_time", "-id")
    return [
        Lockout(
            attempt_id=attempt.pk,
            username=attempt.username or "",
            ip_address=attempt.ip_address or "",
            failures=attempt.failures_since_start,
            last_attempt=attempt.attempt_time,
            until=attempt.attempt_time + settings.AXES_COOLOFF_TIME,
        )
        for attempt in attempts
    ]


def confirmed_totp_device(user) -> TOTPDevice | None:
    if not (user and user.is_authenticated):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_second_factor(user) -> bool:
    return bool(user and user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def backup_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def users_with_second_factor():
    """Users of this schema with a confirmed authenticator, for the reset list."""
    ids = TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


def user_named(username: str):
    """The user of this schema with that user name, or None."""
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()
