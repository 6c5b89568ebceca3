"""Registrations only: the code behind them lives in views."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem

from . import urls


@hooks.register("register_admin_urls")
def register_scheduling_urls():
    return [path("scheduled-publishing/", include(urls, namespace="scheduling"))]


@hooks.register("register_admin_menu_item")
def register_scheduling_menu():
    return PublicOnlyMenuItem(
        "定时发布记录",
        reverse("scheduling:runs"),
        name="scheduled-publishing",
        icon_name="time",
        order=275,
    )
