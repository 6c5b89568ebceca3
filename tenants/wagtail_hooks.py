"""Registrations only."""

from django.db import connection
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls


class InformationCentreMenuItem(MenuItem):
    def is_shown(self, request):
        return connection.schema_name == "public" and request.user.is_superuser


@hooks.register("register_admin_urls")
def register_unit_urls():
    return [path("units/", include(urls, namespace="tenants"))]


@hooks.register("register_admin_menu_item")
def register_units_menu_item():
    return InformationCentreMenuItem("单位子站", reverse("tenants:units"), icon_name="site", order=870)
