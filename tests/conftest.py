"""Registers the shared fixtures of tests/support/fixtures.py (real PostgreSQL, two provisioned units).

Fixtures, clients, servers and helpers live in tests/support/; test modules import from there.
"""

from tests.support.fixtures import (  # noqa: F401  (fixtures are registered by being imported here)
    client,
    content,
    django_db_setup,
    host_a,
    host_b,
    public_schema,
    unit_a,
    unit_b,
)
