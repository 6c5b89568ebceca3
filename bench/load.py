"""Load test of the running stack (`make stack` first): locust, headless, through nginx over HTTPS.

    .venv/bin/python -m bench.load [--users 50,200] [--duration 120] [--spawn-rate 5]

The mix (bench/locustfile.py): citizens reading the portal and the units' sites and searching, and
editors in the admin (password + authenticator code, dashboard, page explorer, saving a draft). Beside
locust a publisher process publishes a news item every few seconds through the same code path as the
admin's publish (signals, outbox, broker, workers, page-cache purges), and records how long each took.

For each level it reports requests/s, p50/p95/p99 and errors; the 200-user run ramps up slowly, and
its history gives the request rate at which p95 first passes 1 s. Targets: no errors; p95 < 500 ms at
50 users. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import deploy_stack

ROOT = Path(__file__).resolve().parent.parent
EDITOR_UNITS = ("fgj", "jmj", "szfb")
LOAD_PASSWORD = "Load-test-2026-zh"
QUERIES = ["营商环境", "政府信息公开", "发展改革", "教育", "招聘", "通知", "规划", "公安", "办事指南", "年度报告"]
P95_LIMIT_MS = 1000


def _django(stack) -> None:
    os.environ.update(stack.stack_env())
    import django

    django.setup()


def prepare_plan(stack) -> dict:
    """Hosts and pages to read, and editors with a confirmed authenticator and a draft of their own."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import schema_context
    from wagtail.models import Page

    from sitepages.models import ColumnListingPage, NewsPage
    from tenants.models import Unit
    from tenants.roles import UnitRole

    units = list(Unit.objects.exclude(schema_name__in=["public", "unit_template"]).order_by("sort_order", "id"))
    plan = {
        "cert": str(stack.STATE / "tls" / "cert.pem"),
        "portal_host": stack.DOMAIN,
        "unit_hosts": [f"{unit.code}.{stack.DOMAIN}" for unit in units],
        "lists": [],
        "articles": [],
        "queries": QUERIES,
        "editors": [],
        "publish_columns": [],
    }
    for unit in units:
        host = f"{unit.code}.{stack.DOMAIN}"
        with schema_context(unit.schema_name):
            for column in ColumnListingPage.objects.live().public()[:4]:
                plan["lists"].append((host, column.get_url_parts()[2]))
            for page in NewsPage.objects.live().public().order_by("-first_published_at")[:8]:
                plan["articles"].append((host, page.get_url_parts()[2]))
            if unit.code not in EDITOR_UNITS:
                continue
            column = ColumnListingPage.objects.filter(item_type="news").order_by("path").first()
            if column is None:
                continue
            plan["publish_columns"].append((unit.code, column.id))
            User = get_user_model()
            for n in range(2):
                username = f"load_editor_{n}"
                user, created = User.objects.get_or_create(username=username, defaults={"first_name": "压力测试"})
                if created:
                    user.set_password(LOAD_PASSWORD)
                    user.save()
                    user.groups.add(Group.objects.get(name=UnitRole.EDITOR))
                device, _ = TOTPDevice.objects.get_or_create(user=user, name="压力测试", defaults={"confirmed": True})
                draft = NewsPage.objects.filter(title=f"压力测试草稿{n}").first()
                if draft is None:
                    draft = Page.objects.get(id=column.id).add_child(
                        instance=NewsPage(
                            title=f"压力测试草稿{n}",
                            slug=f"load-draft-{n}",
                            author="压力测试",
                            source="本局",
                            publish_date=dt.date.today(),
                            live=False,
                        )
                    )
                    draft.save_revision(user=user)
                plan["editors"].append(
                    {
                        "host": host,
                        "username": username,
                        "password": LOAD_PASSWORD,
                        "totp_key": device.key,
                        "column_id": column.id,
                        "draft_page_id": draft.id,
                    }
                )
    return plan


def _publisher(stop, results, interval: float, columns: list[tuple[str, int]]) -> None:
    """A news item published every `interval` seconds in the units in turn; each publish's duration."""
    # Run as `python -m bench.load` from the repository root, so tests_stack is importable.
    stack = deploy_stack.load()
    _django(stack)
    from django.db import connection

    from tests_stack.publishing import publish_news

    n = 0
    while not stop.is_set():
        code, column_id = columns[n % len(columns)]
        started = time.perf_counter()
        publish_news(code=code, column_id=column_id, title=f"压力测试期间发布的信息{time.strftime('%H%M%S')}-{n}")
        results.append(time.perf_counter() - started)
        connection.close()
        n += 1
        stop.wait(interval)


def _aggregate(stats_csv: Path) -> dict:
    with stats_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    per_name = {}
    for row in rows:
        figures = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
        }
        per_name[row["Name"]] = figures
    return per_name


def _p95_passes_limit(history_csv: Path) -> dict | None:
    """Where the aggregated p95 (locust's current window) first stays above 1 s for two samples in a row, once
    the run is warm (100 requests, past the editors' logins): users and request rate then."""
    with history_csv.open(encoding="utf-8") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row["Name"] == "Aggregated" and row["95%"] not in ("N/A", "") and int(row["Total Request Count"]) >= 100
        ]
    for row, following in itertools.pairwise(rows):
        if float(row["95%"]) > P95_LIMIT_MS and float(following["95%"]) > P95_LIMIT_MS:
            return {"users": int(row["User Count"]), "rps": round(float(row["Requests/s"]), 1), "p95_ms": float(row["95%"])}
    return None


def run_level(*, users: int, duration: int, spawn_rate: float, plan_path: Path, out: Path, interval: float) -> dict:
    stack = deploy_stack.load()
    prefix = out / f"u{users}"
    stop, results = multiprocessing.Event(), multiprocessing.Manager().list()
    columns = json.loads(plan_path.read_text(encoding="utf-8"))["publish_columns"]
    publisher = multiprocessing.Process(target=_publisher, args=(stop, results, interval, columns))
    publisher.start()
    try:
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{duration}s",
                "--host", f"https://127.0.0.1:{stack.PORTS['https']}", "--csv", str(prefix), "--csv-full-history",
                "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
            ],
            env={**os.environ, "LOAD_PLAN": str(plan_path)},
            check=False,
            cwd=ROOT,
        )  # fmt: skip
    finally:
        stop.set()
        publisher.join(timeout=60)
    per_name = _aggregate(Path(f"{prefix}_stats.csv"))
    total = per_name.pop("Aggregated")
    publishes = list(results)
    return {
        "users": users,
        **total,
        "pages": per_name,
        "publishes": len(publishes),
        "publish_p95_s": round(statistics.quantiles(publishes, n=20)[-1], 3) if len(publishes) >= 2 else None,
        "p95_passes_1s_at": _p95_passes_limit(Path(f"{prefix}_stats_history.csv")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="50,200")
    parser.add_argument("--duration", type=int, default=120, help="每档秒数")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="每秒新增用户数（200 档据此缓慢爬升）")
    parser.add_argument("--publish-every", type=float, default=3.0)
    options = parser.parse_args(argv)
    stack = deploy_stack.load()
    if not all(stack.status().values()):
        print("生产环境栈未完整运行：先运行 make stack", file=sys.stderr)
        return 2
    _django(stack)
    plan = prepare_plan(stack)
    from django.db import connection

    connection.close()
    out = Path(tempfile.mkdtemp(prefix="load-", dir=ROOT / "bench" / "out" if (ROOT / "bench" / "out").exists() else None))
    plan_path = out / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    levels = []
    for users in (int(u) for u in options.users.split(",")):
        level = run_level(
            users=users, duration=options.duration, spawn_rate=options.spawn_rate, plan_path=plan_path, out=out,
            interval=options.publish_every,
        )  # fmt: skip
        levels.append(level)
        print(
            f"{users:>4} 用户：{level['rps']:>7.1f} 请求/秒  p50 {level['p50_ms']:.0f} ms  p95 {level['p95_ms']:.0f} ms  "
            f"p99 {level['p99_ms']:.0f} ms  错误 {level['failures']}/{level['requests']}  发布 {level['publishes']} 次"
        )
    first = levels[0]
    p95_at_50 = next((level["p95_ms"] for level in levels if level["users"] == 50), first["p95_ms"])
    result = {
        "bench": "load",
        "machine": f"{os.cpu_count()} cores, {os.uname().machine}",
        "levels": levels,
        "errors": sum(level["failures"] for level in levels),
        "p95_ms_at_50": p95_at_50,
        "p95_passes_1s_at": next((level["p95_passes_1s_at"] for level in levels if level["p95_passes_1s_at"]), None),
        "targets_met": all(level["failures"] == 0 for level in levels) and p95_at_50 < 500,
        "csv": str(out),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
