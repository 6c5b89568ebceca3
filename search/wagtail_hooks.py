"""Registrations only: the code behind them lives in views and viewsets."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem

from . import urls
from .viewsets import synonym_viewset


@hooks.register("register_admin_urls")
def register_portal_index_urls():
    return [path("portal-index/", include(urls, namespace="portal_index"))]


@hooks.register("register_admin_menu_item")
def register_portal_index_menu():
    return PublicOnlyMenuItem(
        "门户索引待办",
        reverse("portal_index:outbox"),
        name="portal-index",
        icon_name="search",
        order=270,
    )


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return synonym_viewset
