"""Receivers only: login, logout, failed login and lockout go into the audit log (accounts.services)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="accounts.login")
def on_login(sender, request, user, **kwargs):
    services.record_login(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="accounts.logout")
def on_logout(sender, request, user, **kwargs):
    services.record_logout(user=user, request=request, idle=bool(getattr(request, "accounts_idle_logout", False)))


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    services.record_login_failed(username=str(username), request=request)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    services.record_lockout(username=str(username or ""), request=request)
