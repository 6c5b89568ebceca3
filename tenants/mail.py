"""E-mail to a unit's users or the information centre, with links on the right host.

Every unit has its own admin host; the global WAGTAILADMIN_BASE_URL would send people to the wrong
site, so links are built with `admin_url` from the host of the schema that is active.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from .context import public_schema, unit_schema
from .hosts import current_base_url

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【政府网站群】"


def admin_url(path: str) -> str:
    """`path` (e.g. from reverse) on the host of the active schema: the unit's own, or the portal's."""
    return f"{current_base_url()}{path}"


def send_to_users(*, users, subject: str, body: str) -> int:
    """One mail per active user with an address; a mail server outage is logged, never raised."""
    sent = 0
    for user in {u for u in users if u is not None and u.is_active and u.email}:
        name = (user.get_full_name() or "").strip() or user.get_username()
        try:
            sent += send_mail(f"{SUBJECT_PREFIX}{subject}", f"{name}，您好：\n\n{body}\n", None, [user.email])
        except (SMTPException, OSError):
            # A mail server outage must not roll back the step that triggered the mail.
            logger.exception("发送通知邮件失败：%s → %s", subject, user.email)
    return sent


def role_members(*roles: str):
    """Active users of the active schema in any of the groups `roles` (tenants.roles.UnitRole)."""
    return get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct()


def send_to_roles(*, roles, subject: str, body: str, unit=None) -> int:
    """Mail the members of `roles` in `unit` (entering its schema), or in the active schema when None."""
    if unit is None:
        return send_to_users(users=list(role_members(*roles)), subject=subject, body=body)
    with unit_schema(unit):
        return send_to_users(users=list(role_members(*roles)), subject=subject, body=body)


def send_to_centre(*, subject: str, body: str) -> int:
    """Mail the information centre's administrators (the public schema's active superusers)."""
    with public_schema():
        centre = list(get_user_model().objects.filter(is_superuser=True, is_active=True))
        return send_to_users(users=centre, subject=subject, body=body)
