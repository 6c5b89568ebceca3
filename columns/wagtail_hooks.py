"""Registrations only."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls
from .viewsets import column_requirement_viewset


class PublicAdminMenuItem(MenuItem):
    def is_shown(self, request):
        from django.db import connection

        return connection.schema_name == "public" and request.user.is_superuser


@hooks.register("register_admin_urls")
def register_columns_urls():
    return [path("columns/", include(urls, namespace="columns"))]


@hooks.register("register_admin_viewset")
def register_requirement_viewset():
    return column_requirement_viewset


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return PublicAdminMenuItem("导入责任分解表", reverse("columns:import"), icon_name="upload", order=880)


@hooks.register("construct_main_menu")
def hide_requirements_outside_public(request, menu_items):
    from django.db import connection

    if connection.schema_name != "public":
        menu_items[:] = [item for item in menu_items if item.name != column_requirement_viewset.menu_name]
