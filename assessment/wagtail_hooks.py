"""Registrations only: the code behind them lives in views, panels, menus and viewsets."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from tenants.admin import PublicOnlyMenuItem, UnitMenuItem
from tenants.context import current_unit

from . import urls
from .menus import CentreReadMenuItem
from .panels import UnitAssessmentPanel
from .viewsets import VIEWSETS, class_viewset, defect_viewset, indicator_viewset, scheme_viewset


@hooks.register("register_admin_urls")
def register_assessment_urls():
    return [path("assessment/", include(urls, namespace="assessment"))]


for _viewset in VIEWSETS:
    hooks.register("register_admin_viewset", lambda viewset=_viewset: viewset)


@hooks.register("register_admin_menu_item")
def register_assessment_menu():
    items = [
        CentreReadMenuItem("考评总览", reverse("assessment:index"), icon_name="tasks", order=10),
        PublicOnlyMenuItem(
            "考评方案", reverse(scheme_viewset.get_url_name("index")), icon_name="list-ol", order=20, supervised=True
        ),
        PublicOnlyMenuItem(
            "考评指标", reverse(indicator_viewset.get_url_name("index")), icon_name="list-ul", order=30, supervised=True
        ),
        PublicOnlyMenuItem(
            "单位类别", reverse(class_viewset.get_url_name("index")), icon_name="group", order=40, supervised=True
        ),
        PublicOnlyMenuItem(
            "缺陷库", reverse(defect_viewset.get_url_name("index")), icon_name="warning", order=50, supervised=True
        ),
    ]
    return SubmenuMenuItem("年度考评", Menu(items=items), icon_name="tasks", name="assessment", order=262)


@hooks.register("register_admin_menu_item")
def register_unit_assessment_menu():
    return UnitMenuItem("本单位年度考评", reverse("assessment:mine"), name="assessment-mine", icon_name="tasks", order=266)


@hooks.register("construct_homepage_panels")
def add_assessment_panel(request, panels):
    unit = current_unit()
    if unit is not None:
        panels.append(UnitAssessmentPanel(unit))
