"""Production settings plus the demo app and its passwords: only for `seed_demo` when deploy/stack.py fills the stack.

The stack's web nodes and workers run govplatform.settings.production itself; this module exists so the
stack serves the same units and content as `make demo`, seeded through the same command.
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
DEMO_ADMIN_PASSWORD = "zhuhai-admin-2026"
DEMO_STAFF_PASSWORD = "zhuhai-staff-2026"
