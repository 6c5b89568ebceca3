"""Which schema is active, and entering another: the only place that knows how a schema is chosen.

A request (TenantMainMiddleware) and `unit_schema(unit)` (django-tenants' `tenant_context`) make the
unit itself `connection.tenant`; `schema_context(name)` leaves only a stand-in with the schema's name.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context, tenant_context
from django_tenants.utils import schema_exists as _schema_exists
from wagtail.log_actions import LogContext

if TYPE_CHECKING:
    from .models import Unit


def in_public_schema() -> bool:
    """The portal and the information centre's admin (no unit's schema is active)."""
    return connection.schema_name == get_public_schema_name()


def current_unit() -> Unit | None:
    """The tenants.Unit whose schema is active; None in the public schema."""
    if in_public_schema():
        return None
    Unit = get_tenant_model()
    tenant = connection.tenant
    if isinstance(tenant, Unit) and tenant.schema_name == connection.schema_name:
        return tenant
    # Entered by schema name (schema_context, a task run for a schema): look the unit up.
    schema_name = connection.schema_name
    with public_schema():
        return Unit.objects.get(schema_name=schema_name)


def current_schema_name() -> str:
    """The name of the active schema (a unit's, or the public one)."""
    return connection.schema_name


def schema_named(schema_name: str):
    """Run the enclosed code in the schema called `schema_name` (a task sent with a unit's schema name)."""
    return schema_context(schema_name)


def schema_exists(schema_name: str) -> bool:
    return _schema_exists(schema_name)


def public_schema():
    """Run the enclosed code in the public schema (the unit registry, 会签 requests, the dictionary)."""
    return schema_context(get_public_schema_name())


def unit_schema(unit: Unit):
    """Run the enclosed code in `unit`'s schema, with `unit` as connection.tenant (current_unit() is free)."""
    return tenant_context(unit)


@contextmanager
def foreign_schema_context(schema_name: str):
    """schema_context for platform work inside a unit, e.g. the information centre's import.

    Wagtail attributes log entries to the request's user by id; that user lives
    in another schema, where the same id is nobody or somebody else. Entries
    written here are therefore left without a user.
    """
    with schema_context(schema_name), LogContext(user=None):
        yield
