"""The fixtures every test may use; tests/conftest.py registers them.

Real PostgreSQL (embedded unless DATABASE_URL), real unit schemas: two units are
provisioned once per session, outside the per-test transaction, so every test
runs against complete schemas and rolls back what it writes.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.clients import PublicSchemaClient
from tests.support.units import CENTRE_PASSWORD, CENTRE_USERNAME, UNIT_A, UNIT_B


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import create_platform_admin, ensure_portal, provision_unit

    with django_db_blocker.unblock():
        ensure_portal()
        for unit in (UNIT_A, UNIT_B):
            provision_unit(**unit)
        create_platform_admin(username=CENTRE_USERNAME, password=CENTRE_PASSWORD)
    yield


@pytest.fixture(autouse=True)
def public_schema():
    """Every test starts and ends on the public schema, whatever schema its last request or block left,
    and with the caches empty: what a rolled-back test created or cached sent no signal on rollback
    (the host → unit cache, the units' cached menus and home lists)."""
    from django.core.cache import caches

    from pagecache.local import forget_everything
    from tenants.caches import domains

    def forget() -> None:
        domains.clear()
        for cache in caches.all():
            cache.clear()
        forget_everything()

    forget()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    forget()


@pytest.fixture
def client():
    """pytest-django's `client`, back on the public schema after every request (tests.support.clients)."""
    return PublicSchemaClient()


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


@pytest.fixture
def content(django_capture_on_commit_callbacks):
    """Pages published in the test units, with the outbox drained on commit (tests.support.portal)."""
    from tests.support.portal import SiteContent

    return SiteContent(django_capture_on_commit_callbacks)
