"""Registrations only: the code behind them lives in views and panels."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem
from tenants.context import current_unit

from . import urls
from .panels import FreshnessPanel


@hooks.register("register_admin_urls")
def register_oversight_urls():
    return [path("oversight/", include(urls, namespace="oversight"))]


@hooks.register("register_admin_menu_item")
def register_oversight_menu():
    return PublicOnlyMenuItem(
        "网站监测", reverse("oversight:overview"), name="oversight", icon_name="view", order=260, supervised=True
    )


@hooks.register("register_admin_menu_item")
def register_unit_broken_links_menu():
    # In a unit's admin only: its own broken links (the centre sees every unit's under 网站监测).
    return UnitMenuItem(
        "本站无法打开的链接", reverse("oversight:unit_broken_links"), name="unit-broken-links", icon_name="warning", order=265
    )


@hooks.register("construct_homepage_panels")
def add_freshness_panel(request, panels):
    unit = current_unit()
    if unit is not None:
        panels.append(FreshnessPanel(unit))
