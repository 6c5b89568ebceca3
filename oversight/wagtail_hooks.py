"""Registrations only: the code behind them lives in views and panels."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem
from tenants.context import current_unit

from . import urls
from .panels import FreshnessPanel


@hooks.register("register_admin_urls")
def register_oversight_urls():
    return [path("oversight/", include(urls, namespace="oversight"))]


@hooks.register("register_admin_menu_item")
def register_oversight_menu():
    return PublicOnlyMenuItem("网站监测", reverse("oversight:overview"), name="oversight", icon_name="view", order=260)


@hooks.register("construct_homepage_panels")
def add_freshness_panel(request, panels):
    unit = current_unit()
    if unit is not None:
        panels.append(FreshnessPanel(unit))
