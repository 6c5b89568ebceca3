"""Provisioning never takes a domain from another unit or from the portal."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.models import Domain, Unit
from tenants.services import ProvisioningError, provision_unit
from tests.support.clients import centre_client


def owner_code(hostname: str) -> str | None:
    domain = Domain.objects.filter(domain=hostname).select_related("tenant").first()
    return domain.tenant.code if domain else None


def assert_nothing_created(code: str) -> None:
    assert not Unit.objects.filter(code=code).exists()
    assert not schema_exists(f"unit_{code}")
    assert not Domain.objects.filter(domain=f"{code}.localhost").exists()


# --- the service ----------------------------------------------------------------


def test_domain_of_another_unit_is_refused(unit_a):
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxa", name="抢域名局", extra_domains=("ta.localhost",))
    assert "ta.localhost" in str(info.value) and "已属于单位「测试甲局」" in str(info.value)
    assert owner_code("ta.localhost") == "ta"
    assert_nothing_created("dxa")


def test_primary_hostname_owned_by_another_unit_is_refused(unit_a):
    Domain.objects.create(domain="dxb.localhost", tenant=unit_a, is_primary=False)
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxb", name="主域名被占局")
    assert "已属于单位「测试甲局」" in str(info.value)
    assert owner_code("dxb.localhost") == "ta"
    assert not Unit.objects.filter(code="dxb").exists()


@pytest.mark.parametrize("hostname", ["localhost", "www.localhost", "WWW.Localhost."])
def test_portal_domains_are_refused(db, hostname):
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxc", name="抢门户局", extra_domains=(hostname,))
    assert "市政府门户" in str(info.value)
    assert owner_code("localhost") == "www" and owner_code("www.localhost") == "www"
    assert_nothing_created("dxc")


def test_portal_domain_is_refused_even_as_external(db):
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxd", name="抢门户局", external_domains=("www.localhost",))
    assert "市政府门户" in str(info.value)
    assert_nothing_created("dxd")


@pytest.mark.parametrize("hostname", ["drc.example.com", "a.b.localhost", "evil-localhost"])
def test_host_outside_the_portal_domain_needs_to_be_marked_external(db, hostname):
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxe", name="外部域名局", extra_domains=(hostname,))
    assert "外部域名" in str(info.value)
    assert_nothing_created("dxe")


def test_marked_external_host_is_accepted(db):
    result = provision_unit(code="dxf", name="外部域名局", external_domains=("drc.example.com",))
    assert result.created
    assert owner_code("drc.example.com") == "dxf"
    assert owner_code("dxf.localhost") == "dxf"
    assert Domain.objects.get(domain="dxf.localhost").is_primary
    assert not Domain.objects.get(domain="drc.example.com").is_primary


@pytest.mark.parametrize(
    "hostname", ["http://x.localhost", "x.localhost:8000", "x.localhost/path", "bad_name.localhost", "-x.localhost"]
)
def test_malformed_domains_are_refused(db, hostname):
    with pytest.raises(ProvisioningError) as info:
        provision_unit(code="dxg", name="格式局", external_domains=(hostname,))
    assert "格式不正确" in str(info.value)
    assert_nothing_created("dxg")


def test_subdomain_of_the_portal_is_accepted(db):
    provision_unit(code="dxh", name="别名局", extra_domains=("drc.localhost",))
    assert owner_code("drc.localhost") == "dxh"


# --- the form -------------------------------------------------------------------


def post_form(client, **fields):
    data = {"code": "dxk", "name": "表单局", "full_name": "", "unit_type": "department", "extra_domain": ""}
    data.update(fields)
    return client.post("/admin/units/new/", data, HTTP_HOST="localhost")


def test_form_refuses_another_units_domain_on_the_field(unit_a):
    response = post_form(centre_client(), extra_domain="ta.localhost")
    assert response.status_code == 200
    form = response.context["form"]
    assert "已属于单位「测试甲局」" in " ".join(form.errors["extra_domain"])
    assert "已属于单位「测试甲局」" in response.content.decode()
    assert owner_code("ta.localhost") == "ta"
    assert_nothing_created("dxk")


def test_form_refuses_portal_domain(db):
    response = post_form(centre_client(), extra_domain="www.localhost", extra_domain_external="on")
    assert response.status_code == 200
    assert "市政府门户" in " ".join(response.context["form"].errors["extra_domain"])
    assert_nothing_created("dxk")


def test_form_refuses_code_whose_hostname_belongs_to_another_unit(unit_a):
    Domain.objects.create(domain="dxk.localhost", tenant=unit_a, is_primary=False)
    response = post_form(centre_client())
    assert response.status_code == 200
    assert "已属于单位「测试甲局」" in " ".join(response.context["form"].errors["code"])
    assert owner_code("dxk.localhost") == "ta"


def test_form_needs_the_external_checkbox_for_outside_hosts(db):
    client = centre_client()
    refused = post_form(client, extra_domain="drc.example.com")
    assert refused.status_code == 200
    assert "外部域名" in " ".join(refused.context["form"].errors["extra_domain"])
    assert_nothing_created("dxk")
    accepted = post_form(client, extra_domain="drc.example.com", extra_domain_external="on")
    assert accepted.status_code == 302
    assert owner_code("drc.example.com") == "dxk"


# --- the command ----------------------------------------------------------------


def test_command_refuses_another_units_domain(unit_a):
    with pytest.raises(CommandError) as info:
        call_command("provision_unit", "dxm", "命令局", "--domain", "ta.localhost")
    assert "已属于单位「测试甲局」" in str(info.value)
    assert owner_code("ta.localhost") == "ta"
    assert_nothing_created("dxm")


def test_command_marks_external_domains(db):
    with pytest.raises(CommandError):
        call_command("provision_unit", "dxn", "命令局", "--domain", "dxn.example.org")
    assert_nothing_created("dxn")
    call_command("provision_unit", "dxn", "命令局", "--external-domain", "dxn.example.org")
    assert owner_code("dxn.example.org") == "dxn"
