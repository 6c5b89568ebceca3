"""Development (`make demo`): DEBUG, port 8000, the embedded PostgreSQL unless
DATABASE_URL is set, an insecure key unless DJANGO_SECRET_KEY is set, and the
demo's credentials."""

from govplatform.embedded_db import ensure_running
from govplatform.env import database_config, env_str

from . import derived
from .base import *  # noqa: F403
from .base import DATABASE_URL, INSTALLED_APPS, PORTAL_DOMAIN

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = True
# Without DATABASE_URL: the embedded PostgreSQL in .pgdata/, started now if it is not running.
DATABASES = {"default": database_config(DATABASE_URL or ensure_running())}

PORTAL_PORT = env_str("PORTAL_PORT", "8000")
ALLOWED_HOSTS = [PORTAL_DOMAIN, f".{PORTAL_DOMAIN}", "127.0.0.1"]
LINKCHECK_ALLOWED_PRIVATE_HOSTS = [PORTAL_DOMAIN, f".{PORTAL_DOMAIN}", "127.0.0.1"]

# The demo app (seed_demo and its sample content) is never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# `make demo`: the information centre's `admin` and the named staff of every unit (seed_demo).
DEMO_ADMIN_PASSWORD = env_str("DEMO_ADMIN_PASSWORD", "zhuhai-admin-2026")
DEMO_STAFF_PASSWORD = env_str("DEMO_STAFF_PASSWORD", "zhuhai-staff-2026")

derived.apply(globals())
