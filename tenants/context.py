"""Entering a unit's schema from code that runs on behalf of someone outside it."""

from __future__ import annotations

from contextlib import contextmanager

from django_tenants.utils import schema_context
from wagtail.log_actions import LogContext


@contextmanager
def foreign_schema_context(schema_name: str):
    """schema_context for platform work inside a unit, e.g. the information centre's import.

    Wagtail attributes log entries to the request's user by id; that user lives
    in another schema, where the same id is nobody or somebody else. Entries
    written here are therefore left without a user.
    """
    with schema_context(schema_name), LogContext(user=None):
        yield
