"""Which platform menu items each admin shows: the information centre's only in the public schema to a
superuser, a unit's only in the unit's schema (the menu items ask tenants.admin, not a menu filter)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from tenants.roles import UnitRole
from tests.support.menus import CENTRE_ITEMS, platform_menu


def _staff(username: str, *groups: str):
    user = get_user_model().objects.create_user(username=username, password="pw-menu-12345", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def test_centre_superuser_sees_the_centre_screens_only(db):
    with schema_context("public"):
        centre = get_user_model().objects.get(username="centre")
        menu = platform_menu(centre)
    assert menu == {**dict.fromkeys(CENTRE_ITEMS), "审核发布": ["各单位履职情况", "全平台审计日志"]}


def test_public_staff_who_is_not_a_superuser_sees_no_centre_screen(db):
    with schema_context("public"):
        menu = platform_menu(_staff("menu_public_staff"))
    assert menu == {}


def test_unit_admin_sees_the_unit_screens_only(unit_a):
    with schema_context(unit_a.schema_name):
        admin = get_user_model().objects.get(username="ta_admin")
        menu = platform_menu(admin)
    assert menu == {"审核发布": ["待我处理", "会签请求", "审计日志导出"]}


def test_unit_editor_sees_no_audit_export(unit_a):
    with schema_context(unit_a.schema_name):
        menu = platform_menu(_staff("menu_editor", UnitRole.EDITOR))
    assert menu == {"审核发布": ["待我处理", "会签请求"]}


def test_unit_superuser_sees_no_centre_screen(unit_a):
    # A superuser of a unit's own schema is still not the information centre.
    with schema_context(unit_a.schema_name):
        user = get_user_model().objects.create_superuser(username="menu_unit_root", password="pw-menu-12345")
        menu = platform_menu(user)
    assert menu == {"审核发布": ["待我处理", "会签请求", "审计日志导出"]}
