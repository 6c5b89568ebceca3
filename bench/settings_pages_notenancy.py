"""Settings for bench/pages.py, mode (b): the same stack with tenancy switched off.

Only the first middleware differs: instead of resolving the request's host to a unit (domain lookup,
a schema switch per request), `bench.fixed_schema.FixedSchemaMiddleware` serves every request from the
one schema named by BENCH_FIXED_SCHEMA with that schema's URL conf, as a single-site Wagtail would.
Templates, page code, caches and every other middleware are the platform's.
"""

from bench.settings_pages import *  # noqa: F403
from bench.settings_pages import MIDDLEWARE

_TENANT_MIDDLEWARE = "tenants.middleware.CachedTenantMainMiddleware"
if _TENANT_MIDDLEWARE not in MIDDLEWARE:
    raise RuntimeError(f"{_TENANT_MIDDLEWARE} 不在 MIDDLEWARE 中：基准 (b) 需要同步更新")
MIDDLEWARE = ["bench.fixed_schema.FixedSchemaMiddleware" if m == _TENANT_MIDDLEWARE else m for m in MIDDLEWARE]
