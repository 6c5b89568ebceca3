from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import Page, Site

from sitepages.models import UnitHomePage
from tenants.models import Domain, Unit
from tenants.schema_clone import COPIED_TABLES
from tenants.services import UnitRole, provision_unit


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def _columns(schema: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = %s",
            [schema],
        )
        return set(cursor.fetchall())


def _indexes(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = %s", [schema])
        return cursor.fetchone()[0]


def _migrations(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


def test_cloned_schema_matches_the_migrated_template(unit_a, unit_b):
    """The template is made by running every migration; units are cloned from it."""
    template = "unit_template"
    for unit in (unit_a, unit_b):
        schema = unit.schema_name
        assert _tables(schema) == _tables(template)
        assert _columns(schema) == _columns(template)
        assert _indexes(schema) == _indexes(template)
        assert _migrations(schema) == _migrations(template)
    assert len(_migrations(template)) > 100
    for unit, admin in ((unit_a, "ta_admin"), (unit_b, "tb_admin")):
        with schema_context(unit.schema_name):
            # Exactly the unit's own administrator: nothing of the template leaked.
            assert list(get_user_model().objects.values_list("username", flat=True)) == [admin]
            assert Site.objects.count() == 1
            assert set(Group.objects.values_list("name", flat=True)) == set(UnitRole.ALL)
            from django.contrib.sessions.models import Session

            assert Session.objects.count() == 0


def test_provisioned_unit_is_complete(unit_a):
    assert schema_exists(unit_a.schema_name)
    assert Domain.objects.get(tenant=unit_a, is_primary=True).domain == "ta.localhost"
    with schema_context(unit_a.schema_name):
        site = Site.objects.get()
        assert site.hostname == "ta.localhost"
        assert isinstance(site.root_page.specific, UnitHomePage)
        admin = get_user_model().objects.get(username="ta_admin")
        assert admin.check_password("pw-ta-12345")
        assert admin.groups.filter(name=UnitRole.ADMIN).exists()
        assert Page.objects.filter(depth=1).count() == 1


def test_reprovisioning_is_a_noop(unit_a):
    before = Unit.objects.count()
    result = provision_unit(code="ta", name="测试甲局")
    assert result.created is False
    assert "未做任何更改" in result.messages[0]
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_failed_provisioning_leaves_nothing_behind(monkeypatch):
    from tenants import services

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_create_groups", explode)
    with pytest.raises(RuntimeError):
        provision_unit(code="pfail", name="失败局", admin_password="pw-fail-1")
    assert not Unit.objects.filter(code="pfail").exists()
    assert not schema_exists("unit_pfail")
    assert not Domain.objects.filter(domain="pfail.localhost").exists()


def test_invalid_code_is_refused(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        provision_unit(code="Bad-Code", name="错误代码局")
    assert "单位代码" in str(info.value)


def test_information_centre_provisions_a_unit_from_the_admin(client, db):
    client.post("/admin/login/", {"username": "centre", "password": "pw-centre-12345"}, HTTP_HOST="localhost")
    response = client.post(
        "/admin/units/new/",
        {"code": "hbj", "name": "市环保局", "full_name": "珠海市环境保护局", "unit_type": "department", "extra_domain": ""},
        HTTP_HOST="localhost", follow=True,
    )
    html = response.content.decode()
    assert "已开通「市环保局」" in html and "hbj_admin" in html
    unit = Unit.objects.get(code="hbj")
    assert schema_exists(unit.schema_name)
    again = client.post("/admin/units/new/", {"code": "hbj", "name": "市环保局", "unit_type": "department"}, HTTP_HOST="localhost")
    assert "该单位代码已被使用" in again.content.decode()
    listing = client.get("/admin/units/", HTTP_HOST="localhost").content.decode()
    assert "http://hbj.localhost/" in listing


def test_unit_admin_cannot_provision(client, unit_a):
    client.post("/admin/login/", {"username": "ta_admin", "password": "pw-ta-12345"}, HTTP_HOST="ta.localhost")
    assert client.get("/admin/units/new/", HTTP_HOST="ta.localhost").status_code == 404
