"""Provisioning benchmark: cloned units against fully migrated units, in one run.

Prints median seconds per unit for each path and their ratio, then how long
`migrate_schemas` takes for 50 units when one new migration is added, serial
(standard executor) against parallel (multiprocessing executor). The last line
is one JSON object. Uses its own database (govplatform_bench_provision).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "govplatform_bench_provision"
CLONED, MIGRATED, FLEET = (
    int(os.environ.get("BENCH_CLONED", 7)),
    int(os.environ.get("BENCH_MIGRATED", 3)),
    int(os.environ.get("BENCH_FLEET", 50)),
)


def _database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        return f"{base}/{DB_NAME}"
    from govplatform.embedded_db import ensure_running

    return ensure_running(database=DB_NAME)


def _recreate_database(url: str) -> None:
    import psycopg2

    from govplatform.env import database_config

    cfg = database_config(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def _manage(*args: str, stage: int) -> float:
    env = {**os.environ, "BENCH_PROBE_STAGE": str(stage)}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    url = _database_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_provision"
    os.environ["BENCH_PROBE_STAGE"] = "1"
    print("准备：迁移公共模式并生成子站模板 …", flush=True)
    _manage("setup_platform", stage=1)

    import django

    django.setup()
    from tenants.services import provision_unit

    clone_s, migrate_s = [], []
    for i in range(CLONED):
        clone_s.append(provision_unit(code=f"c{i:03d}", name=f"克隆单位{i}", admin_password="bench-pass-1").seconds)
        print(f"  克隆开通 c{i:03d}: {clone_s[-1]:.3f} s", flush=True)
    for i in range(MIGRATED):
        migrate_s.append(
            provision_unit(code=f"m{i:03d}", name=f"迁移单位{i}", admin_password="bench-pass-1", clone=False).seconds
        )
        print(f"  迁移开通 m{i:03d}: {migrate_s[-1]:.3f} s", flush=True)
    for i in range(CLONED, FLEET - MIGRATED):
        provision_unit(code=f"c{i:03d}", name=f"克隆单位{i}", admin_password="bench-pass-1")
    from tenants.models import Unit

    units = Unit.objects.sites().count()
    print(f"共 {units} 个单位；新增一个迁移后执行 migrate_schemas …", flush=True)
    serial = _manage("migrate_schemas", "--tenant", "--executor=standard", stage=2)
    parallel = _manage("migrate_schemas", "--tenant", "--executor=multiprocessing", stage=3)

    clone_median, migrate_median = statistics.median(clone_s), statistics.median(migrate_s)
    result = {
        "clone_median_s": round(clone_median, 3),
        "migrate_median_s": round(migrate_median, 3),
        "ratio": round(migrate_median / clone_median, 2),
        "cloned_units": CLONED,
        "migrated_units": MIGRATED,
        "fleet_units": units,
        "migrate_one_new_serial_s": round(serial, 2),
        "migrate_one_new_parallel_s": round(parallel, 2),
        "parallel_processes": int(os.environ.get("TENANT_MIGRATE_PROCESSES", 2)),
        "cpus": os.cpu_count(),
    }
    print(f"克隆开通中位数 {clone_median:.3f} s/单位；迁移开通中位数 {migrate_median:.3f} s/单位；倍数 {result['ratio']}")
    print(f"{units} 个单位新增一个迁移：串行 {serial:.1f} s，并行 {parallel:.1f} s")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
