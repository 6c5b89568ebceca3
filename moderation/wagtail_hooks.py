"""Registrations only: the code behind them lives in each feature's views, panels and viewsets."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.widgets import Button

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem
from tenants.context import current_unit, in_public_schema

from . import log_actions, urls
from .duties.panels import DutyOverviewPanel, DutyPanel
from .permissions import user_is_unit_admin
from .secrecy.notifications import warn_author_if_held
from .secrecy.viewsets import sensitive_word_viewset
from .workflow.panels import MyTasksPanel
from .workflow.views import publish_guard


@hooks.register("register_log_actions")
def register_moderation_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [path("moderation/", include(urls, namespace="moderation"))]


@hooks.register("register_admin_viewset")
def register_sensitive_word_viewset():
    # Kept once for all units, in the information centre's admin: the viewset's policy hides it elsewhere.
    return sensitive_word_viewset


@hooks.register("before_publish_page")
def guard_publish(request, page):
    return publish_guard(request, page)


@hooks.register("after_edit_page")
@hooks.register("after_create_page")
def warn_author_of_secrecy_hold(request, page):
    warn_author_if_held(request=request, page=page)


@hooks.register("register_admin_menu_item")
def register_moderation_menu():
    def unit_admin(user):
        return user_is_unit_admin(user=user)

    items = [
        UnitMenuItem("待我处理", reverse("moderation:my_tasks"), icon_name="tasks", order=10),
        UnitMenuItem("会签请求", reverse("moderation:confirmations"), icon_name="group", order=20),
        UnitMenuItem("审计日志导出", reverse("moderation:audit_export"), icon_name="download", order=30, allowed=unit_admin),
        PublicOnlyMenuItem("各单位履职情况", reverse("moderation:duty_overview"), icon_name="group", order=40),
        PublicOnlyMenuItem(
            "全平台审计日志",
            reverse("moderation:platform_audit_export"),
            icon_name="download",
            order=50,
            supervised=True,
        ),
    ]
    return SubmenuMenuItem("审核发布", Menu(items=items), icon_name="tasks", name="moderation", order=250)


@hooks.register("construct_homepage_panels")
def add_moderation_panels(request, panels):
    if in_public_schema():
        if request.user.is_superuser:
            panels.append(DutyOverviewPanel())
        return
    panels.append(MyTasksPanel(request))
    panels.append(DutyPanel(current_unit()))


@hooks.register("register_page_header_buttons")
def moderation_page_buttons(page, user, view_name, next_url=None):
    if in_public_schema() or page.depth <= 1:
        return
    yield Button("会签单位", reverse("moderation:page_targets", args=[page.pk]), icon_name="group", priority=80)
    yield Button("保密审查", reverse("moderation:page_secrecy", args=[page.pk]), icon_name="warning", priority=81)
