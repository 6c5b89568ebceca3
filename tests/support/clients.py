"""Test clients: each request leaves the connection on the public schema; logged in to a unit's admin or the centre's."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.support.units import CENTRE_PASSWORD, CENTRE_USERNAME, UNITS


class PublicSchemaClient(Client):
    """Django's test client, putting the shared connection back on the public schema after every request.

    TenantMainMiddleware switches the connection to the schema of the request's host and leaves it
    there; without this, whatever the test does after a request would run in that unit's schema.
    Tests therefore never call `connection.set_schema_to_public()` themselves.
    """

    def request(self, **request):
        try:
            return super().request(**request)
        finally:
            connection.set_schema_to_public()


def logged_in_client(*, schema_name: str, host: str, username: str, password: str) -> PublicSchemaClient:
    client = PublicSchemaClient(HTTP_HOST=host)
    with schema_context(schema_name):
        assert client.login(username=username, password=password)
    return client


def unit_client(unit, *, username: str, password: str, host: str | None = None) -> PublicSchemaClient:
    """A unit's admin, on the unit's own host (`<code>.localhost` unless given)."""
    return logged_in_client(
        schema_name=unit.schema_name, host=host or f"{unit.code}.localhost", username=username, password=password
    )


def unit_admin_client(unit) -> PublicSchemaClient:
    """The administrator that provisioning created for one of the session's units (ta_admin, tb_admin)."""
    spec = UNITS[unit.code]
    return unit_client(unit, username=spec["admin_username"], password=spec["admin_password"])


def centre_client() -> PublicSchemaClient:
    """The information centre's admin on the portal host (public schema)."""
    return logged_in_client(schema_name="public", host="localhost", username=CENTRE_USERNAME, password=CENTRE_PASSWORD)
