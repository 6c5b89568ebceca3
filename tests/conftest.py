"""Fixtures: real PostgreSQL (embedded unless DATABASE_URL), real unit schemas.

Two units are provisioned once per session, outside the per-test transaction,
so every test runs against complete schemas and rolls back what it writes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

UNIT_A = {"code": "ta", "name": "测试甲局", "full_name": "珠海市测试甲局", "admin_username": "ta_admin", "admin_password": "pw-ta-12345"}
UNIT_B = {"code": "tb", "name": "测试乙局", "full_name": "珠海市测试乙局", "admin_username": "tb_admin", "admin_password": "pw-tb-12345"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import create_platform_admin, ensure_portal, provision_unit

    with django_db_blocker.unblock():
        ensure_portal()
        for unit in (UNIT_A, UNIT_B):
            provision_unit(**unit)
        create_platform_admin(username="centre", password="pw-centre-12345")
    yield


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def unit_a(db):
    from tenants.models import Unit

    return Unit.objects.get(code=UNIT_A["code"])


@pytest.fixture
def unit_b(db):
    from tenants.models import Unit

    return Unit.objects.get(code=UNIT_B["code"])


@pytest.fixture
def host_a():
    return "ta.localhost"


@pytest.fixture
def host_b():
    return "tb.localhost"


def in_unit(unit):
    return schema_context(unit.schema_name)
