"""django-tenants' PostgreSQL backend, keeping Django's ContentType cache instead of emptying it.

django-tenants empties ContentType's cache each time a connection changes schema, because a
model's content type id differs between the public schema and the units'. Every request then
reads its content types again (2–4 queries a page). `tenants.caches.SchemaKeyedContentTypeCache`
keys that cache by the connection's schema instead, so each schema keeps its own ids and
nothing has to be emptied here.
"""

from __future__ import annotations

from django_tenants.postgresql_backend import base as tenant_base

# Django loads a backend's module by name; the other names (features, introspection) are django-tenants'.
from django_tenants.postgresql_backend.base import *  # noqa: F403


class DatabaseWrapper(tenant_base.DatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        self.tenant = tenant
        self.schema_name = tenant.schema_name
        self.include_public_schema = include_public
        self.set_settings_schema(self.schema_name)
        if tenant_base.EXTRA_SET_TENANT_METHOD:
            tenant_base.EXTRA_SET_TENANT_METHOD(self, tenant)
        self.search_path_set_schemas = None
