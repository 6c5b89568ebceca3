"""Registrations only: the 帮助 menu leads to the platform's Chinese help instead of Wagtail's English guide."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls

# Wagtail's own help items that link to its English site (guide.wagtail.org).
_WAGTAIL_GUIDE_ITEMS = ("editor-guide",)
_WAGTAIL_GUIDE_PREFIXES = ("whats-new-in-wagtail",)


@hooks.register("register_admin_urls")
def register_training_urls():
    return [path("help/", include(urls, namespace="training"))]


@hooks.register("register_help_menu_item")
def register_manual_menu_item():
    return MenuItem("使用手册", reverse("training:index"), name="manual", icon_name="help", order=100)


@hooks.register("register_help_menu_item")
def register_faq_menu_item():
    return MenuItem("常见问题", reverse("training:faq"), name="faq", icon_name="help", order=200)


@hooks.register("construct_help_menu")
def remove_wagtail_guide(request, menu_items):
    menu_items[:] = [
        item for item in menu_items if item.name not in _WAGTAIL_GUIDE_ITEMS and not item.name.startswith(_WAGTAIL_GUIDE_PREFIXES)
    ]
