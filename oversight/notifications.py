"""Alerts of the oversight checks, by e-mail to the unit's staff and the information centre."""

from __future__ import annotations

from django.urls import reverse

from tenants.hosts import portal_base_url, unit_base_url
from tenants.mail import send_to_centre, send_to_roles
from tenants.roles import UnitRole

# Who in a unit hears that its homepage is failing: those answerable for the
# site (第六条（七）) and whoever administers it.
ALERTED_ROLES = (UnitRole.HEAD, UnitRole.EDITOR, UnitRole.ADMIN)
LEVEL_TEXT = {"warning": "超过预警线", "veto": "超过单项否决线"}


def notify_availability_level(*, unit, level: str, failure_percent: str, warning: str, veto: str) -> int:
    """Tell the unit and the centre that the homepage's 7-day failure ratio crossed a line."""
    subject = f"{unit.name}网站首页访问失败率{LEVEL_TEXT[level]}"
    body = (
        f"{unit.name}网站首页（{unit_base_url(unit)}/）近 7 天访问失败率为 {failure_percent}，{LEVEL_TEXT[level]}"
        f"（预警线 {warning}，国家单项否决线 {veto}）。\n"
        "请尽快排查网站服务器、网络和域名解析，确保首页可以正常访问。"
    )
    sent = send_to_roles(
        unit=unit, roles=ALERTED_ROLES, subject=subject, body=f"{body}\n本单位后台：{unit_base_url(unit)}/admin/"
    )
    centre_url = portal_base_url() + reverse("oversight:unit_detail", args=[unit.code])
    return sent + send_to_centre(subject=subject, body=f"{body}\n监测详情：{centre_url}")
