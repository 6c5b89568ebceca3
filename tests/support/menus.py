"""The admin menu as a user sees it (tests of which screens each role has)."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

CENTRE_ITEMS = ["单位子站", "导入责任分解表", "栏目责任", "敏感词库", "网站监测", "门户索引待办", "定时发布记录"]
ALL_PLATFORM_LABELS = {*CENTRE_ITEMS, "审核发布"}


def menu_labels(menu, request) -> list:
    labels = []
    for item in sorted(menu.menu_items_for_request(request), key=lambda i: i.order):
        if isinstance(item, SubmenuMenuItem):
            labels.append((str(item.label), menu_labels(item.menu, request)))
        else:
            labels.append(str(item.label))
    return labels


def platform_menu(user) -> dict:
    # The viewsets register their menu items when the admin URLconf loads, as on a real request.
    reverse("wagtailadmin_home")
    request = RequestFactory().get("/admin/")
    request.user = user
    items = {}
    for entry in menu_labels(admin_menu, request):
        label, children = entry if isinstance(entry, tuple) else (entry, None)
        if label in ALL_PLATFORM_LABELS:
            items[label] = children
    return items
