"""Registrations only: the code behind them lives in views and viewsets."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem

from . import urls
from .viewsets import section_viewset, source_viewset


@hooks.register("register_admin_urls")
def register_harvest_urls():
    return [path("harvest/", include(urls, namespace="harvest"))]


@hooks.register("register_admin_viewset")
def register_source_viewset():
    return source_viewset


@hooks.register("register_admin_viewset")
def register_section_viewset():
    return section_viewset


@hooks.register("register_admin_menu_item")
def register_harvest_menu():
    items = [
        PublicOnlyMenuItem("抓取概况", reverse("harvest:overview"), name="harvest-overview", icon_name="view", order=10),
        PublicOnlyMenuItem(
            "抓取来源", reverse(source_viewset.get_url_name("index")), name="harvest-sources", icon_name="link-external", order=20
        ),
        PublicOnlyMenuItem("待审核信息", reverse("harvest:review"), name="harvest-review", icon_name="tasks", order=30),
        PublicOnlyMenuItem(
            "转载栏目", reverse(section_viewset.get_url_name("index")), name="harvest-sections", icon_name="list-ul", order=40
        ),
    ]
    return SubmenuMenuItem("网上抓取", Menu(items=items), icon_name="link-external", name="harvest", order=258)
