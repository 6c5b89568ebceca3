"""Registrations only."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem

from . import urls
from .viewsets import column_requirement_viewset


@hooks.register("register_admin_urls")
def register_columns_urls():
    return [path("columns/", include(urls, namespace="columns"))]


@hooks.register("register_admin_viewset")
def register_requirement_viewset():
    return column_requirement_viewset


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return PublicOnlyMenuItem("导入责任分解表", reverse("columns:import"), icon_name="upload", order=880)
