"""Settings for bench/provision.py: its own database and a probe app in every unit schema."""

import os

from govplatform.settings.dev import *  # noqa: F403
from govplatform.settings.dev import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench.probe"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.probe"]
MIGRATION_MODULES = {"probe": f"bench.probe.migrations_stage{os.environ.get('BENCH_PROBE_STAGE', '1')}"}
