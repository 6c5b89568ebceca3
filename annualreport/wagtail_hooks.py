"""Registrations only: the code behind them lives in views and panels."""

from django.urls import include, path, reverse
from wagtail import hooks

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem
from tenants.context import current_unit

from . import selectors, urls
from .panels import AnnualReportPanel


@hooks.register("register_admin_urls")
def register_annualreport_urls():
    return [path("annualreport/", include(urls, namespace="annualreport"))]


@hooks.register("register_admin_menu_item")
def register_unit_annualreport_menu():
    return UnitMenuItem(
        "年度报表",
        reverse("annualreport:index"),
        name="annualreport",
        icon_name="doc-full",
        order=270,
        allowed=lambda user: selectors.can_read(user=user),
    )


@hooks.register("register_admin_menu_item")
def register_centre_annualreport_menu():
    return PublicOnlyMenuItem(
        "各单位年度报表",
        reverse("annualreport:overview"),
        name="annualreport-overview",
        icon_name="doc-full",
        order=275,
        supervised=True,
    )


@hooks.register("construct_homepage_panels")
def add_annualreport_panel(request, panels):
    unit = current_unit()
    if unit is None or not (selectors.can_edit(user=request.user) or selectors.can_review(user=request.user)):
        return
    state = selectors.reminder_state(unit=unit)
    if state is not None:
        panels.append(AnnualReportPanel(unit=unit, state=state, user=request.user))
