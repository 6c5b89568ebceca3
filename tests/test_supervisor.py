"""The supervisor (监察, 第四条 of the 2007 measures): reads the information centre's monitoring,
interaction figures and audit log, writes nothing anywhere, and every read is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import SupervisorRead, Unit
from tenants.roles import CentreRole
from tests.support.clients import logged_in_client

PASSWORD = "jiancha-2026-pw"


@pytest.fixture
def supervisor(db):
    with schema_context("public"):
        user = get_user_model().objects.create_user(username="jiancha", password=PASSWORD, first_name="市监察局")
        user.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
    return user


@pytest.fixture
def supervisor_client(supervisor):
    return logged_in_client(schema_name="public", host="localhost", username="jiancha", password=PASSWORD)


def _path(name: str, **kwargs) -> str:
    with schema_context("public"):
        return reverse(name, kwargs=kwargs or None)


def test_the_supervisor_reads_monitoring_interaction_and_the_audit_log(supervisor_client, unit_a):
    for path in [
        _path("oversight:overview"),
        _path("oversight:unit_detail", code=unit_a.code),
        _path("interaction:overview"),
        _path("interaction:national"),
        _path("moderation:platform_audit_export"),
    ]:
        response = supervisor_client.get(path)
        assert response.status_code == 200, path


def test_the_supervisor_menu_lists_what_it_may_read_and_nothing_it_may_not(supervisor):
    from tests.support.menus import platform_menu

    with schema_context("public"):
        menu = platform_menu(supervisor)
    assert "网站监测" in menu
    assert menu["审核发布"] == ["全平台审计日志"]
    for centre_only in ["单位子站", "导入责任分解表", "敏感词库", "门户索引待办", "定时发布记录"]:
        assert centre_only not in menu


def test_the_supervisor_cannot_write_anywhere(supervisor_client, unit_a):
    writes = [
        _path("oversight:request_check"),
        _path("oversight:request_unit_check", code=unit_a.code),
        _path("interaction:national"),
        _path("tenants:provision"),
        _path("columns:import"),
        _path("wagtailusers_users:add"),
        _path("wagtailadmin_account"),
    ]
    for path in writes:
        response = supervisor_client.post(path, {"code": "evil", "name": "某单位", "username": "x", "first_name": "改"})
        assert response.status_code == 403, path
        assert "监察角色只能查看" in response.content.decode(), path
    with schema_context("public"):
        assert not Unit.objects.filter(code="evil").exists()
        assert not get_user_model().objects.filter(username="x").exists()
        assert get_user_model().objects.get(username="jiancha").first_name == "市监察局"


def test_centre_only_screens_stay_closed_to_the_supervisor(supervisor_client):
    for path in [_path("tenants:units"), _path("columns:import"), _path("wagtailusers_users:index")]:
        assert supervisor_client.get(path).status_code in (302, 403), path


def test_every_read_is_logged_and_exported_in_the_platform_audit_log(supervisor_client):
    supervisor_client.get(_path("oversight:overview") + "?month=2026-11")
    with schema_context("public"):
        read = SupervisorRead.objects.get(path=_path("oversight:overview"))
    assert read.query == "month=2026-11"
    assert read.user.username == "jiancha"

    today = timezone.localdate()
    response = supervisor_client.get(
        _path("moderation:platform_audit_export"),
        {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat(), "format": "csv"},
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "监察查看" in text
    assert f"{_path('oversight:overview')}?month=2026-11" in text


def test_a_superuser_in_the_supervisor_group_is_still_the_centre(db):
    from tenants.admin import is_supervisor

    with schema_context("public"):
        centre = get_user_model().objects.get(username="centre")
        centre.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
        assert not is_supervisor(centre)
