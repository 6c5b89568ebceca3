from django.db import connection

from .hosts import portal_base_url


def current_unit(request):
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    is_unit = tenant is not None and getattr(tenant, "schema_name", "public") != "public"
    return {
        "current_unit": tenant if is_unit else None,
        "portal_url": portal_base_url(),
    }
