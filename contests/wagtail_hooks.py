"""Registrations only: the code behind them lives in views, menus and log_actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem

from . import log_actions, selectors, urls
from .menus import JuryMenuItem


@hooks.register("register_log_actions")
def register_contest_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_contest_urls():
    return [path("contests/", include(urls, namespace="contests"))]


@hooks.register("register_admin_menu_item")
def register_contest_menu():
    items = [
        PublicOnlyMenuItem("评比活动", reverse("contests:contests"), icon_name="pick", order=10, supervised=True),
        JuryMenuItem("我的评审", reverse("contests:jury"), icon_name="pick", order=20),
        UnitMenuItem(
            "评比申报",
            reverse("contests:unit_contests"),
            icon_name="pick",
            order=30,
            allowed=lambda user: selectors.can_view_unit(user),
        ),
    ]
    return SubmenuMenuItem("评比", Menu(items=items), icon_name="pick", name="contests", order=275)
