"""Registrations only: the code behind them lives in views, viewsets and log_actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem

from . import log_actions, urls
from .viewsets import period_viewset


@hooks.register("register_log_actions")
def register_voting_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_voting_urls():
    return [path("voting/", include(urls, namespace="voting"))]


@hooks.register("register_admin_viewset")
def register_period_viewset():
    return period_viewset


@hooks.register("register_admin_menu_item")
def register_voting_menu():
    items = [
        PublicOnlyMenuItem("投票期", reverse(period_viewset.get_url_name("index")), icon_name="date", order=10, supervised=True),
        PublicOnlyMenuItem("投票记录与异常", reverse("voting:log"), icon_name="warning", order=20, supervised=True),
        PublicOnlyMenuItem("各单位票数", reverse("voting:counts"), icon_name="table", order=30, supervised=True),
    ]
    return SubmenuMenuItem("网站考评专栏", Menu(items=items), icon_name="tasks", name="voting", order=265)
