"""Registrations only: the code behind them lives in views, menus and log_actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem

from . import log_actions, selectors, urls
from .menus import BulletinMenuItem


@hooks.register("register_log_actions")
def register_bulletin_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_bulletin_urls():
    return [path("bulletins/", include(urls, namespace="bulletins"))]


@hooks.register("register_admin_menu_item")
def register_bulletin_menu():
    items = [
        PublicOnlyMenuItem("第十一条情形", reverse("bulletins:cases"), icon_name="warning", order=10, supervised=True),
        BulletinMenuItem("通报审批与发布", reverse("bulletins:bulletins"), icon_name="doc-full", order=20),
        UnitMenuItem(
            "本单位通报事项",
            reverse("bulletins:unit_cases"),
            icon_name="warning",
            order=30,
            allowed=lambda user: selectors.can_view_unit_cases(user),
        ),
    ]
    return SubmenuMenuItem("通报", Menu(items=items), icon_name="doc-full", name="bulletins", order=270)
