"""Registrations only."""

from django.urls import include, path, reverse
from wagtail import hooks

from . import urls
from .admin import PublicOnlyMenuItem


@hooks.register("register_admin_urls")
def register_unit_urls():
    return [path("units/", include(urls, namespace="tenants"))]


@hooks.register("register_admin_menu_item")
def register_units_menu_item():
    return PublicOnlyMenuItem("单位子站", reverse("tenants:units"), icon_name="site", order=870)
