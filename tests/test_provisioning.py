from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import Page, Site

from interaction.selectors import HANDLER_ROLE
from sitepages.models import UnitHomePage
from tenants.models import Domain, Unit
from tenants.roles import UnitRole
from tenants.services import provision_unit
from tests.support.clients import centre_client, unit_admin_client


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


_CAST = re.compile(r"::[a-z_]+(?: [a-z_]+)*(?:\[\])?")


def _normalised_definition(definition: str) -> str:
    """pg_indexes.indexdef, with the casts and parentheses of a partial index's WHERE clause dropped.

    The clone replays pg_dump's text of the template, and PostgreSQL reads a predicate back with its
    casts elsewhere: `(ARRAY['a'::character varying])::text[]` returns as `ARRAY[('a'::character varying)::text]`.
    Everything else (unique or not, table, method, columns, operator classes, the predicate's terms) is compared as is.
    """
    head, where, predicate = definition.partition(" WHERE ")
    return head + where + _CAST.sub("", predicate).replace("(", "").replace(")", "")


def _indexes(schema: str) -> set[tuple[str, str, str]]:
    """Every index of the schema as (table, name, definition), the schema's own name replaced by a placeholder."""
    own_name = re.compile(rf'"?\b{re.escape(schema)}\b"?')
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s", [schema])
        rows = [tuple(own_name.sub("<schema>", value) for value in row) for row in cursor.fetchall()]
    return {(table, name, _normalised_definition(definition)) for table, name, definition in rows}


def test_index_definitions_differing_only_in_predicate_casts_are_equal():
    dumped = "CREATE UNIQUE INDEX u ON s.t USING btree (a) WHERE ((status)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))"
    replayed = "CREATE UNIQUE INDEX u ON s.t USING btree (a) WHERE ((status)::text = ANY (ARRAY[('x'::character varying)::text, ('y'::character varying)::text]))"
    assert _normalised_definition(dumped) == _normalised_definition(replayed)
    assert _normalised_definition(dumped) != _normalised_definition(dumped.replace("'y'", "'z'"))
    assert _normalised_definition(dumped) != _normalised_definition(dumped.replace("btree (a)", "btree (b)"))


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
        assert _indexes(schema) == _indexes(template), _indexes(schema) ^ _indexes(template)
        assert _migrations(schema) == _migrations(template)
    assert len(_migrations(template)) > 100
    # The definitions really are compared: unique, partial and GIN indexes of the template are among them.
    definitions = [definition for _, _, definition in _indexes(template)]
    assert len(definitions) > 100 and all("ON <schema>." in d for d in definitions)
    assert any(d.startswith("CREATE UNIQUE INDEX") for d in definitions) and any("USING gin" in d for d in definitions)
    for unit, admin in ((unit_a, "ta_admin"), (unit_b, "tb_admin")):
        with schema_context(unit.schema_name):
            # Exactly the unit's own administrator: nothing of the template leaked.
            assert list(get_user_model().objects.values_list("username", flat=True)) == [admin]
            assert Site.objects.count() == 1
            # The five roles, and 互动交流's named handlers (created by interaction at provisioning).
            assert set(Group.objects.values_list("name", flat=True)) == {*UnitRole.ALL, HANDLER_ROLE}
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


def test_information_centre_provisions_a_unit_from_the_admin(db):
    client = centre_client()
    response = client.post(
        "/admin/units/new/",
        {"code": "hbj", "name": "市环保局", "full_name": "珠海市环境保护局", "unit_type": "department", "extra_domain": ""},
        HTTP_HOST="localhost",
        follow=True,
    )
    html = response.content.decode()
    assert "已开通「市环保局」" in html and "hbj_admin" in html
    unit = Unit.objects.get(code="hbj")
    assert schema_exists(unit.schema_name)
    again = client.post(
        "/admin/units/new/", {"code": "hbj", "name": "市环保局", "unit_type": "department"}, HTTP_HOST="localhost"
    )
    assert "该单位代码已被使用" in again.content.decode()
    listing = client.get("/admin/units/", HTTP_HOST="localhost").content.decode()
    assert "http://hbj.localhost/" in listing


def test_unit_admin_cannot_provision(unit_a):
    client = unit_admin_client(unit_a)
    assert client.get("/admin/units/new/", HTTP_HOST="ta.localhost").status_code == 404
