"""Test clients logged in to a unit's admin or to the information centre's."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

CENTRE_USERNAME = "centre"
CENTRE_PASSWORD = "pw-centre-12345"


def logged_in_client(*, schema_name: str, host: str, username: str, password: str) -> Client:
    client = Client(HTTP_HOST=host)
    with schema_context(schema_name):
        assert client.login(username=username, password=password)
    return client


def centre_client() -> Client:
    """The information centre's admin on the portal host (public schema)."""
    return logged_in_client(schema_name="public", host="localhost", username=CENTRE_USERNAME, password=CENTRE_PASSWORD)
