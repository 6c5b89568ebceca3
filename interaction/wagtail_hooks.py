"""Registrations only: the code behind them lives in views, panels, viewsets and log_actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem
from tenants.context import in_public_schema

from . import log_actions, selectors, urls, views_public
from .panels import CentreInteractionPanel, UnitInteractionPanel
from .viewsets import deadline_viewset


@hooks.register("register_log_actions")
def register_interaction_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_interaction_urls():
    return [path("interaction/", include(urls, namespace="interaction"))]


@hooks.register("register_admin_viewset")
def register_deadline_viewset():
    return deadline_viewset


@hooks.register("register_admin_menu_item")
def register_interaction_menu():
    def staff(user):
        return selectors.can_view_cases(user=user)

    def unit_admin(user):
        return deadline_viewset.permission_policy.user_has_permission(user, "change")

    items = [
        UnitMenuItem("我的待办", reverse("interaction:mine"), icon_name="tasks", order=10, allowed=staff),
        UnitMenuItem("全部留言", reverse("interaction:queue"), icon_name="mail", order=20, allowed=staff),
        UnitMenuItem("12345 热线交换", reverse("interaction:hotline"), icon_name="download", order=30, allowed=staff),
        UnitMenuItem(
            "留言办理时限", reverse(deadline_viewset.get_url_name("index")), icon_name="time", order=40, allowed=unit_admin
        ),
        PublicOnlyMenuItem("受理台（市长信箱）", reverse("interaction:queue"), icon_name="mail", order=50),
        PublicOnlyMenuItem("各单位办理情况", reverse("interaction:overview"), icon_name="view", order=60, supervised=True),
        PublicOnlyMenuItem("我为政府网站找错", reverse("interaction:national"), icon_name="warning", order=70, supervised=True),
    ]
    return SubmenuMenuItem("互动交流", Menu(items=items), icon_name="mail", name="interaction", order=255)


@hooks.register("construct_homepage_panels")
def add_interaction_panels(request, panels):
    if in_public_schema():
        if request.user.is_superuser:
            panels.append(CentreInteractionPanel())
        return
    if selectors.can_view_cases(user=request.user):
        panels.append(UnitInteractionPanel(request))


@hooks.register("before_serve_page")
def serve_interaction_form(page, request, serve_args, serve_kwargs):
    """The 互动渠道 column page carries the form (GET shows it, POST submits a message)."""
    from sitepages.models import InteractionPage

    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    if isinstance(specific, InteractionPage):
        return views_public.write(request, page=specific)
    return None
