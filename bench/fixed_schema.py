"""Tenancy switched off, for bench/pages.py mode (b): one fixed schema, no domain lookup.

The unit (or the portal's row for the public schema) is read once per process; each thread's
connection is put on its schema once and left there, as a single-tenant site's connection is.
Everything after this middleware sees what CachedTenantMainMiddleware would have given it
(request.tenant, request.urlconf, connection.tenant), so the page code is unchanged.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings
from django.db import connection


class FixedSchemaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.schema_name = os.environ["BENCH_FIXED_SCHEMA"]
        # As django-tenants routes: the public schema has its own URL conf, a unit's is ROOT_URLCONF.
        self.urlconf = settings.PUBLIC_SCHEMA_URLCONF if self.schema_name == settings.PUBLIC_SCHEMA_NAME else None
        self._tenant = None
        self._lock = threading.Lock()

    def _unit(self):
        if self._tenant is None:
            with self._lock:
                if self._tenant is None:
                    from tenants.models import Unit

                    connection.set_schema_to_public()
                    self._tenant = Unit.objects.get(schema_name=self.schema_name)
        return self._tenant

    def __call__(self, request):
        tenant = self._unit()
        # Only when this thread's connection is elsewhere (its first request, or code that left it):
        # a single-tenant site never changes its search_path.
        if connection.tenant is not tenant:
            connection.set_tenant(tenant)
        tenant.domain_url = request.get_host().split(":")[0]
        request.tenant = tenant
        if self.urlconf is not None:
            request.urlconf = self.urlconf
        return self.get_response(request)
