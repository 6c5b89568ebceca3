"""Pages citizens read: this platform against the same pages without tenancy, and with its page cache.

Run from the repository root::

    .venv/bin/python -m bench.pages [--units 1000] [--seconds 10] [--rounds 3] [--nice 10]
                                    [--nginx private | --nginx BASE_URL [--nginx-domain D] [--nginx-static URL]
                                     [--nginx-upstream HOST:PORT]]

Everything runs in one process tree on one machine and one database (govplatform_bench_pages on the
embedded server, or BENCH_DATABASE_URL), provisioned once and reused (the first run takes 15 to 60
minutes, later ones seconds; a new migration of a unit app migrates the template and all units): the
demo's three units with their content (seed_demo, then the portal index rebuilt) and minimal units (a
home page each, through tenants.services.provision_unit) up to --units. Four pages are measured with wrk
(2 threads, 16 connections, --seconds each, after a 2 s warm-up): the portal home, the demo unit fgj's
home, its fullest news list and that list's newest article, in these modes, each a gunicorn with
deploy/gunicorn.conf.py and 2 workers (one server for the portal's pages and one for the unit's):

  (a) uncached   the platform, PAGE_CACHE_ENABLED=0 (bench.settings_pages: dev settings, DEBUG off);
  (b) notenancy  the same code with tenancy switched off: bench.fixed_schema.FixedSchemaMiddleware in
                 place of CachedTenantMainMiddleware, one fixed schema and no domain lookup
                 (bench.settings_pages_notenancy);
  (c) cached     the platform, PAGE_CACHE_ENABLED=1 (needs the pagecache app; skipped and said if absent);
  (d) nginx      optional: the same pages through nginx's proxy_cache with each page's Host header, and a
                 static file through the same nginx for the ratio. `--nginx private` starts
                 deploy/nginx.conf itself (bench.private_nginx) in front of a (c) server; a BASE_URL is a
                 running stack (`--nginx-domain` rewrites the hosts to its domain, paths unchanged).

Each web server gets its own Redis database on a private redis-server (production requires Redis; the
menus, restrictions and page caches live there), or local memory with --cache locmem. The modes are
measured interleaved page by page, each round starting with another mode, so load from other jobs
falls on all of them alike; the best round per mode and page is kept and every round is listed. The
modes must serve the same bytes (nonces and CSRF tokens aside): checked and reported per page. Also
measured: the unit homes of all units at random (domain lookup and per-unit caches at size, (a) and
(c)); queries per page (in this process, Django's test client, warm caches, as tests/test_query_budget.py
counts them) and CPU milliseconds per page with and without tenancy, which other jobs on the machine
barely move. wrk sends no User-Agent, so the visit counter writes nothing; --browser sends a browser's.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "govplatform_bench_pages"
DEMO_UNIT = "fgj"
BULK_CODE = "p{:04d}"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
PAGE_TYPES = ("portal_home", "unit_home", "column_list", "article")
UNIT_PAGES = PAGE_TYPES[1:]
UNIT_PAGE_BUDGET, PORTAL_HOME_BUDGET = 10, 8
TENANCY_TARGET, CACHE_TARGET = 0.9, 20.0
WARMUP_S = 2

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# --- database and provisioning (in this process, Django set up on bench.settings_pages) -------------


def database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    from govplatform.embedded_db import ensure_running

    return ensure_running(database=DB_NAME)


def _pending_migrations(schema_name: str) -> list[tuple[str, str]]:
    """(app label, migration name) not yet applied in `schema_name`; everything if it does not exist."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_tenants.utils import schema_context, schema_exists

    if not schema_exists(schema_name):
        return [("*", "*")]
    with schema_context(schema_name):
        if "django_migrations" not in connection.introspection.table_names():
            return [("*", "*")]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [(migration.app_label, migration.name) for migration, _backwards in plan]


def _tenant_app_labels() -> set[str]:
    from django.apps import apps
    from django.conf import settings

    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def provision(*, units: int, log) -> dict:
    """The bench's database: platform, demo units with content, minimal units up to `units`. Reused."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    started = time.perf_counter()
    done: dict[str, object] = {}
    # Migrations are applied where they change something: a shared app's new migration only to the
    # public schema; a unit app's to the template and every unit (minutes at 1,000 units).
    tenant_apps = _tenant_app_labels()
    template_pending = [m for m in _pending_migrations(settings.TENANT_BASE_SCHEMA) if m[0] in tenant_apps | {"*"}]
    if template_pending:
        log(f"迁移公共模式、子站模板与全部已有单位（setup_platform；待执行 {len(template_pending)} 个子站迁移）…")
        call_command("setup_platform")
        done["setup_platform"] = True
    elif _pending_migrations("public"):
        log("迁移公共模式（migrate_schemas --shared）…")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        done["migrate_shared"] = True

    from tenants.models import Unit
    from tenants.services import provision_unit

    if not Unit.objects.filter(code=DEMO_UNIT).exists():
        log("导入演示单位与示例内容（seed_demo），并重建门户索引 …")
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
            call_command("reindex_portal", stdout=quiet, verbosity=0)
        done["seed_demo"] = True
    existing = set(Unit.objects.sites().values_list("code", flat=True))
    missing = units - len(existing)
    created, index, clone_s = 0, 0, []
    if missing > 0:
        log(f"已有 {len(existing)} 个单位，开通 {missing} 个最小子站（克隆模板）…")
    while created < missing:
        index += 1
        code = BULK_CODE.format(index)
        if code in existing:
            continue
        # Nobody logs in as these administrators: a fast hasher spares a PBKDF2 hash (~1 s of CPU) per unit.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            result = provision_unit(code=code, name=f"基准单位{index:04d}", admin_password="bench-pages-2026")
        clone_s.append(result.seconds)
        # A fresh server process per unit: one that created hundreds of schemas gets slower at it
        # (its catalog caches grow), which would make provisioning quadratic.
        connection.close()
        created += 1
        if created % 50 == 0 or created == missing:
            log(f"  {created}/{missing}，最近 50 个中位数 {statistics.median(clone_s[-50:]):.2f} s/单位")
    done["units_created"] = created
    if clone_s:
        done["clone_median_s"] = round(statistics.median(clone_s), 3)
    done["units"] = Unit.objects.sites().count()
    done["seconds"] = round(time.perf_counter() - started, 1)
    return done


@dataclass(frozen=True)
class Target:
    key: str
    host: str
    path: str
    schema: str


def choose_pages() -> dict[str, Target]:
    """The demo unit's home, its news list with the most items, and that list's newest article."""
    from django.conf import settings

    from sitepages.models import ColumnListingPage, NewsPage
    from tenants.context import unit_schema
    from tenants.models import Unit

    unit = Unit.objects.get(code=DEMO_UNIT)
    host = unit.get_primary_domain().domain
    portal_host = settings.PORTAL_DOMAIN
    with unit_schema(unit):
        columns = list(ColumnListingPage.objects.live().public().filter(item_type="news").order_by("path"))
        live_items = {c.pk: NewsPage.objects.live().public().child_of(c).count() for c in columns}
        column = max(columns, key=lambda c: live_items[c.pk], default=None)
        if column is None:
            raise SystemExit(f"演示单位 {DEMO_UNIT} 没有“新闻”类栏目：请用 --reprovision 重建基准数据库")
        article = NewsPage.objects.live().public().child_of(column).order_by("-first_published_at", "-id").first()
        if article is None:
            raise SystemExit(f"栏目「{column.title}」下没有已发布的信息")
        column_path = column.get_url_parts()[2]
        article_path = article.get_url_parts()[2]
    return {
        "portal_home": Target("portal_home", portal_host, "/", "public"),
        "unit_home": Target("unit_home", host, "/", unit.schema_name),
        "column_list": Target("column_list", host, column_path, unit.schema_name),
        "article": Target("article", host, article_path, unit.schema_name),
    }


def page_client(target: Target, *, tenancy: bool):
    """A test client whose handler runs the platform's middleware, or the fixed-schema one in its place."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    middleware = list(settings.MIDDLEWARE)
    if not tenancy:
        middleware[middleware.index("tenants.middleware.CachedTenantMainMiddleware")] = "bench.fixed_schema.FixedSchemaMiddleware"
        os.environ["BENCH_FIXED_SCHEMA"] = target.schema
    client = Client(HTTP_HOST=target.host)
    # The handler builds its middleware chain at its first request and keeps it: built under the override.
    with override_settings(MIDDLEWARE=middleware):
        response = client.get(target.path)
    if tenancy:
        connection.set_schema_to_public()
    if response.status_code != 200:
        raise SystemExit(f"{target.host}{target.path} 返回 {response.status_code}")
    return client


def count_queries(targets: dict[str, Target], *, tenancy: bool, show: bool, log) -> dict[str, int]:
    """Queries of each page with warm caches, the way tests/test_query_budget.py counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for key, target in targets.items():
        client = page_client(target, tenancy=tenancy)
        try:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(target.path)
        finally:
            connection.set_schema_to_public()
        if response.status_code != 200:
            raise SystemExit(f"{target.host}{target.path} 返回 {response.status_code}")
        counts[key] = len(captured.captured_queries)
        if show:
            log(f"  {'多租户' if tenancy else '无租户'} {key}: {counts[key]} 条查询")
            for query in captured.captured_queries:
                log(f"    {query['sql'][:200]}")
    return counts


def cpu_per_request(targets: dict[str, Target], *, requests: int, seconds: float = 3.0, log) -> dict[str, dict[str, float]]:
    """This process's CPU milliseconds per page with and without tenancy (Django's test client, no HTTP).

    CPU time of one process barely moves when other jobs share the cores, unlike requests/s: it shows
    what tenancy costs in Python even on a busy machine. The database's side (one `SET search_path`
    more per request) is not in it; requests/s has it. Blocks of 10 requests alternate between the modes.
    """
    from django.db import connection

    block = 10
    result = {"uncached": {}, "notenancy": {}}
    for key, target in targets.items():
        clients = {"uncached": page_client(target, tenancy=True), "notenancy": page_client(target, tenancy=False)}
        spent = dict.fromkeys(clients, 0.0)
        served = 0
        # Up to `requests` per mode, or fewer once each mode has had its CPU seconds (slow pages).
        while served < requests and (served < 2 * block or min(spent.values()) < seconds):
            for mode, client in clients.items():
                started = time.process_time()
                for _ in range(block):
                    client.get(target.path)
                spent[mode] += time.process_time() - started
                if mode == "uncached":
                    connection.set_schema_to_public()
            served += block
        for mode in clients:
            result[mode][key] = round(spent[mode] * 1000 / served, 2)
        log(f"  {key:<12} CPU 多租户 {result['uncached'][key]:.2f} ms，无租户 {result['notenancy'][key]:.2f} ms/请求")
    return result


# --- servers -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    """A private redis-server on a Unix socket, nothing saved: every run starts with empty caches."""

    def __init__(self, workdir: Path):
        self.socket = workdir / "redis.sock"
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "16",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("redis-server 未能启动")
            time.sleep(0.05)

    def url(self, db: int) -> str:
        return f"unix://{self.socket}?db={db}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Server:
    name: str
    settings_module: str
    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    bind_host: str = "127.0.0.1"
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{self.bind_host}:{self.port}"

    def start(self, *, workers: int, threads: int | None) -> None:
        env = {
            **os.environ,
            **self.env,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "GUNICORN_BIND": f"{self.bind_host}:{self.port}",
            "GUNICORN_WORKERS": str(workers),
        }
        if threads is not None:
            env["GUNICORN_THREADS"] = str(threads)
        log_file = open(self.workdir / f"gunicorn-{self.name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(GUNICORN_CONF), "--no-control-socket", "govplatform.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, targets: list[Target], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        for target in targets:
            while True:
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.name} 的 gunicorn 已退出，见 {self.workdir}/gunicorn-{self.name}.log")
                try:
                    status, _ = fetch(self.base, target)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    status = None
                if status == 200:
                    break
                if status is not None:
                    raise SystemExit(f"{self.name}: {target.host}{target.path} 返回 {status}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} 在 {timeout:.0f} s 内未就绪")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# The stack's nginx on loopback has a self-signed certificate (deploy/stack.py); wrk does not check it either.
_LOOPBACK_TLS = ssl.create_default_context()
_LOOPBACK_TLS.check_hostname = False
_LOOPBACK_TLS.verify_mode = ssl.CERT_NONE


def fetch(base: str, target: Target) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(base + target.path, headers={"Host": target.host})
    try:
        # A worker's first page (imports, empty caches) takes seconds, on a busy machine a minute.
        with urllib.request.urlopen(request, timeout=120, context=_LOOPBACK_TLS) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


# --- wrk -----------------------------------------------------------------------------------------------


BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    # wrk sends no User-Agent: the visit counter takes it for a robot and writes nothing. A browser's makes
    # every page view the UPDATE of its site's row of the day, as citizens' views are.
    user_agent: str | None = None


def spread_script(hosts: list[str], *, user_agent: str | None) -> str:
    """Each request to another unit's home, at random among `hosts`: the domain lookup and per-unit caches at size."""
    listed = ",".join(json.dumps(h) for h in hosts)
    return (
        f"local hosts = {{{listed}}}\n"
        "local threads = 0\n"
        'setup = function(thread) threads = threads + 1 thread:set("seed", threads) end\n'
        "init = function(args) math.randomseed(os.time() * 100 + seed) end\n"
        'request = function() return wrk.format("GET", "/", {["Host"] = hosts[math.random(#hosts)]'
        + (f', ["User-Agent"] = {json.dumps(user_agent)}' if user_agent else "")
        + "}) end\n"
        + WRK_SCRIPT
    )


def run_wrk(url: str, host: str | None, *, load: Load, seconds: int, script: Path) -> dict:
    command = [WRK, f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    if host is not None:
        command += ["-H", f"Host: {host}"]
    if load.user_agent:
        command += ["-H", f"User-Agent: {load.user_agent}"]
    completed = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"^WRKJSON (\{.*\})$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or match is None:
        raise SystemExit(f"wrk 失败（{url}）：{completed.stderr or completed.stdout}")
    raw = json.loads(match.group(1))
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "requests": raw["requests"],
        "errors": errors,
        "kb_per_response": round(raw["bytes"] / max(raw["requests"], 1) / 1024, 1),
        "load1": round(os.getloadavg()[0], 2),
    }


def ratio(numerator: float | None, denominator: float | None, digits: int) -> float | None:
    return round(numerator / denominator, digits) if numerator and denominator else None


def cpu_ratio(cpu: dict | None) -> float | None:
    """Throughput ratio that the CPU times imply for an even mix of the pages: notenancy time / tenancy time."""
    if not cpu:
        return None
    return ratio(sum(cpu["notenancy"].values()), sum(cpu["uncached"].values()), 3)


def harmonic_mean(values: list[float]) -> float:
    """Requests/s of an even mix of the pages: each page type served as often as the others."""
    return round(statistics.harmonic_mean(values), 1) if values and all(values) else 0.0


class Best:
    """Every round's figures of one mode and page; the best round is reported, the others listed."""

    def __init__(self):
        self.rounds: list[dict] = []

    def add(self, figures: dict) -> None:
        self.rounds.append(figures)

    def summary(self) -> dict:
        best = max(self.rounds, key=lambda f: f["rps"])
        return {**best, "rounds_rps": [f["rps"] for f in self.rounds]}


# --- pages compared between modes ----------------------------------------------------------------------

_PER_RESPONSE = (
    re.compile(rb'nonce="[^"]*"'),
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
)


def normalised_body(base: str, target: Target) -> bytes:
    request = urllib.request.Request(base + target.path, headers={"Host": target.host})
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    for pattern in _PER_RESPONSE:
        body = pattern.sub(b"", body)
    return body


# --- the run -------------------------------------------------------------------------------------------


def pagecache_available() -> str | None:
    """Why mode (c) cannot run, or None."""
    if importlib.util.find_spec("pagecache") is None or importlib.util.find_spec("pagecache.middleware") is None:
        return "pagecache 应用不存在（pagecache/middleware.py）"
    from django.conf import settings

    if "pagecache.middleware.PageCacheMiddleware" not in settings.MIDDLEWARE:
        return "pagecache.middleware.PageCacheMiddleware 不在 MIDDLEWARE 中"
    return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="页面基准：多租户、无租户、整页缓存、nginx")
    parser.add_argument("--units", type=int, default=1000, help="子站总数（含演示单位），默认 1000")
    parser.add_argument("--seconds", type=int, default=10, help="每个页面每种模式的测量时长（秒）")
    parser.add_argument("--rounds", type=int, default=1, help="交替测量的轮数；每种模式取最好一轮")
    parser.add_argument("--threads", type=int, default=2, help="wrk 线程数")
    parser.add_argument("--connections", type=int, default=16, help="wrk 连接数")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn 工作进程数")
    parser.add_argument("--gunicorn-threads", type=int, default=None, help="每进程线程数（默认按 deploy/gunicorn.conf.py）")
    parser.add_argument("--modes", default="uncached,notenancy,cached", help="要测的模式，逗号分隔")
    parser.add_argument("--cache", choices=("redis", "locmem"), default="redis", help="页面相关缓存的存放处")
    parser.add_argument("--no-spread", action="store_true", help="不测轮流访问全部单位首页")
    parser.add_argument("--browser", action="store_true", help="以浏览器的 User-Agent 请求：每次浏览都计入访问统计")
    parser.add_argument("--cpu-requests", type=int, default=200, help="进程内测 CPU 时间的每页请求数（0：不测）")
    parser.add_argument("--nice", type=int, default=0, help="以 nice 值运行整个基准（其他任务繁忙时）")
    parser.add_argument("--show-queries", action="store_true", help="列出每个页面的 SQL")
    parser.add_argument("--provision-only", action="store_true", help="只准备基准数据库")
    parser.add_argument(
        "--nginx",
        metavar="BASE_URL",
        help="(d) 经 nginx（proxy_cache）访问同样页面的地址；private：由基准按 deploy/nginx.conf 启动一个",
    )
    parser.add_argument("--nginx-static", metavar="URL", help="(d) 同一 nginx 上的一个静态文件，用于比较")
    parser.add_argument("--nginx-static-host", default=None, help="静态文件请求的 Host（默认门户域名）")
    parser.add_argument(
        "--nginx-domain", default=None, help="nginx 一侧的门户域名（如 zhuhai.localhost）：Host 由此改写，路径不变"
    )
    parser.add_argument(
        "--nginx-upstream",
        metavar="HOST:PORT",
        help="(d) nginx 代理到的地址：基准在此运行一个 (c) 模式的 gunicorn（不给则认为已有上游在运行）",
    )
    return parser.parse_args(argv)


def log(text: str) -> None:
    print(text, flush=True)


class Run:
    """The web servers of the chosen modes, started together and measured page by page, interleaved."""

    def __init__(self, args, *, targets: dict[str, Target], modes: list[str], workdir: Path):
        self.args = args
        self.targets = targets
        self.modes = modes
        self.workdir = workdir
        self.load = Load(
            threads=args.threads, connections=args.connections, user_agent=BROWSER_USER_AGENT if args.browser else None
        )
        self.script = workdir / "report.lua"
        self.script.write_text(WRK_SCRIPT)
        self.redis = Redis(workdir) if args.cache == "redis" else None
        self.servers: dict[tuple[str, str], Server] = {}
        self.best: dict[tuple[str, str], Best] = {}
        self.checks: dict[str, dict] = {key: {} for key in PAGE_TYPES}

    def cache_env(self, db: int) -> dict[str, str]:
        return {"REDIS_URL": self.redis.url(db)} if self.redis else {}

    def unique_servers(self) -> list[Server]:
        return list({id(s): s for s in self.servers.values()}.values())

    # Every mode runs one server for the portal's pages and one for the unit's, as (b) must (one fixed
    # schema each): no mode's unit pages share workers with the portal home's cache reads.
    MODE_SETTINGS = {
        "uncached": ("bench.settings_pages", {"PAGE_CACHE_ENABLED": "0"}),
        "notenancy": ("bench.settings_pages_notenancy", {"PAGE_CACHE_ENABLED": "0"}),
        "cached": ("bench.settings_pages", {"PAGE_CACHE_ENABLED": "1"}),
    }

    def start(self) -> None:
        schemas = sorted({t.schema for t in self.targets.values()})
        redis_db = 0
        for mode in self.modes:
            settings_module, env = self.MODE_SETTINGS[mode]
            by_schema = {}
            for schema in schemas:
                redis_db += 1
                fixed = {"BENCH_FIXED_SCHEMA": schema} if mode == "notenancy" else {}
                by_schema[schema] = Server(
                    f"{mode}-{schema}", settings_module, {**env, **fixed, **self.cache_env(redis_db)}, self.workdir
                )
            self.servers.update({(mode, key): by_schema[t.schema] for key, t in self.targets.items()})
        servers = self.unique_servers()
        log(f"启动 {len(servers)} 个 gunicorn（各 {self.args.workers} 个工作进程）…")
        for server in servers:
            server.start(workers=self.args.workers, threads=self.args.gunicorn_threads)
        for server in servers:
            server.wait_ready([self.targets[k] for (_m, k), s in self.servers.items() if s is server])

    def stop(self) -> None:
        for server in self.unique_servers():
            server.stop()
        if self.redis:
            self.redis.stop()

    def compare_pages(self) -> None:
        """The modes serve the same page: bodies equal but for per-response nonces and CSRF tokens."""
        for key, target in self.targets.items():
            bodies = {mode: normalised_body(self.servers[(mode, key)].base, target) for mode in self.modes}
            reference = bodies.get("uncached")
            for mode, body in bodies.items():
                if mode != "uncached" and reference is not None:
                    self.checks[key][f"same_body_{mode}"] = body == reference
                    if body != reference:
                        log(f"注意：{key} 在 {mode} 模式下与多租户模式的页面不同（{len(body)} 与 {len(reference)} 字节）")

    def measure(self) -> None:
        seconds = self.args.seconds
        for key in PAGE_TYPES:
            target = self.targets[key]
            for mode in self.modes:
                server = self.servers[(mode, key)]
                run_wrk(server.base + target.path, target.host, load=self.load, seconds=WARMUP_S, script=self.script)
                if mode == "cached":
                    _, headers = fetch(server.base, target)
                    self.checks[key]["x_page_cache"] = headers.get("X-Page-Cache", "(无 X-Page-Cache)")
            for round_ in range(self.args.rounds):
                # Each round starts with another mode: what one run leaves behind (autovacuum, a busy
                # neighbour) does not always fall on the same mode.
                shift = round_ % len(self.modes)
                for mode in self.modes[shift:] + self.modes[:shift]:
                    server = self.servers[(mode, key)]
                    figures = run_wrk(server.base + target.path, target.host, load=self.load, seconds=seconds, script=self.script)
                    self.best.setdefault((mode, key), Best()).add(figures)
                    log(
                        f"  {key:<12} {mode:<10} 第{round_ + 1}轮 {figures['rps']:>8.1f} 次/秒  "
                        f"p95 {figures['p95_ms']:>7.2f} ms  错误 {figures['errors']}  负载 {figures['load1']}"
                    )

    def measure_spread(self, hosts: list[str]) -> dict:
        """Unit homes of all units at random, in the modes with tenancy."""
        script = self.workdir / "spread.lua"
        script.write_text(spread_script(hosts, user_agent=self.load.user_agent))
        spread = {}
        for mode in [m for m in self.modes if m in ("uncached", "cached")]:
            base = self.servers[(mode, "unit_home")].base
            # Every unit's home once first: its menus and home lists (and in (c) the page) are in Redis,
            # as on a site that has been up for a while; the per-process domain entries expire on their own.
            with ThreadPoolExecutor(max_workers=self.load.connections // 4 or 1) as pool:
                statuses = list(pool.map(lambda host, base=base: fetch(base, Target("spread", host, "/", ""))[0], hosts))
            if any(status != 200 for status in statuses):
                raise SystemExit(f"{mode}：有单位首页未返回 200（{sorted(set(statuses))}）")
            run_wrk(base + "/", None, load=self.load, seconds=WARMUP_S, script=script)
            best = Best()
            for _ in range(self.args.rounds):
                best.add(run_wrk(base + "/", None, load=self.load, seconds=self.args.seconds, script=script))
            spread[mode] = best.summary()
            log(
                f"  全部单位首页  {mode:<10} {spread[mode]['rps']:>8.1f} 次/秒  p95 {spread[mode]['p95_ms']:>7.2f} ms（{len(hosts)} 个主机名轮流）"
            )
        return spread

    def results(self) -> dict[str, dict[str, dict]]:
        return {mode: {key: self.best[(mode, key)].summary() for key in PAGE_TYPES} for mode in self.modes}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Stopped from outside: still stop the web servers and Redis (the finally blocks below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.nice:
        os.nice(args.nice)
    load_start = os.getloadavg()
    if load_start[0] > 0.5 and not args.nice:
        log(f"注意：当前负载 {load_start[0]:.2f}，其他任务在运行；可用 --nice 10 运行，结果为上限")
    os.environ["DATABASE_URL"] = database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_pages"
    os.environ["PAGE_CACHE_ENABLED"] = "0"
    # This process counts queries with local-memory caches; only the web servers get a Redis.
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    provisioned = provision(units=args.units, log=log)
    log(f"基准数据库就绪：{provisioned['units']} 个子站（{provisioned['seconds']} s）")
    if args.provision_only:
        print(json.dumps({"provisioned": provisioned}, ensure_ascii=False))
        return
    targets = choose_pages()
    for target in targets.values():
        log(f"  {target.key}: http://{target.host}{target.path}")
    queries = count_queries(targets, tenancy=True, show=args.show_queries, log=log)
    queries_notenancy = count_queries(targets, tenancy=False, show=args.show_queries, log=log)
    budget = {key: PORTAL_HOME_BUDGET if key == "portal_home" else UNIT_PAGE_BUDGET for key in PAGE_TYPES}
    log(f"查询数（多租户）：{queries}；无租户：{queries_notenancy}；预算 {budget}")
    cpu = cpu_per_request(targets, requests=args.cpu_requests, log=log) if args.cpu_requests else None

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    skipped = {}
    if "cached" in modes and (reason := pagecache_available()):
        skipped["cached"] = reason
        modes.remove("cached")
        log(f"跳过 (c)：{reason}")
    run = Run(args, targets=targets, modes=modes, workdir=Path(tempfile.mkdtemp(prefix="bench-pages-")))
    spread, nginx = None, None
    try:
        run.start()
        run.compare_pages()
        run.measure()
        if not args.no_spread:
            spread = run.measure_spread(unit_hosts())
        for server in run.unique_servers():
            server.stop()
        if args.nginx:
            nginx = measure_nginx(args, run=run)
    finally:
        run.stop()
    # The servers' logs are kept only when something failed (the exception leaves the folder behind).
    shutil.rmtree(run.workdir, ignore_errors=True)
    result = summarise(
        args,
        run=run,
        queries=queries,
        queries_notenancy=queries_notenancy,
        cpu=cpu,
        budget=budget,
        skipped=skipped,
        spread=spread,
        nginx=nginx,
        provisioned=provisioned,
        load_start=load_start,
    )
    print(json.dumps(result, ensure_ascii=False))


def unit_hosts() -> list[str]:
    from tenants.models import Domain, Unit

    return list(
        Domain.objects.filter(is_primary=True, tenant__in=Unit.objects.sites())
        .order_by("domain")
        .values_list("domain", flat=True)
    )


def summarise(
    args, *, run: Run, queries, queries_notenancy, cpu, budget, skipped, spread, nginx, provisioned, load_start
) -> dict:
    results = run.results()
    modes = run.modes

    def aggregate(mode: str) -> float | None:
        return harmonic_mean([results[mode][k]["rps"] for k in PAGE_TYPES]) if mode in results else None

    uncached, notenancy, cached = aggregate("uncached"), aggregate("notenancy"), aggregate("cached")
    per_page = {}
    for key in PAGE_TYPES:
        page = {mode: results[mode][key] for mode in modes}
        if "uncached" in modes and "notenancy" in modes:
            page["tenancy_ratio"] = ratio(results["uncached"][key]["rps"], results["notenancy"][key]["rps"], 3)
        if "uncached" in modes and "cached" in modes:
            page["cache_ratio"] = ratio(results["cached"][key]["rps"], results["uncached"][key]["rps"], 1)
        page.update(run.checks[key])
        if nginx:
            page["nginx"] = nginx["pages"][key]
        per_page[key] = page
    tenancy_ratio, cache_ratio = ratio(uncached, notenancy, 3), ratio(cached, uncached, 1)

    def unit_pages(mode: str) -> float | None:
        return harmonic_mean([results[mode][k]["rps"] for k in UNIT_PAGES]) if mode in results else None

    # The portal home's uncached rate is so low at 1,000 units that it carries the four-page ratios: the unit
    # pages' own aggregates and the weakest page are reported beside them.
    by_pages = {
        "uncached_rps": unit_pages("uncached"),
        "notenancy_rps": unit_pages("notenancy"),
        "cached_rps": unit_pages("cached"),
        "tenancy_ratio": ratio(unit_pages("uncached"), unit_pages("notenancy"), 3),
        "cache_ratio": ratio(unit_pages("cached"), unit_pages("uncached"), 1),
        "min_page_tenancy_ratio": _smallest(per_page[k].get("tenancy_ratio") for k in PAGE_TYPES),
        "min_page_cache_ratio": _smallest(per_page[k].get("cache_ratio") for k in PAGE_TYPES),
    }
    queries_met = all(queries[k] <= budget[k] for k in PAGE_TYPES)
    log(
        f"多租户 {uncached} 次/秒，无租户 {notenancy}，比值 {tenancy_ratio}（目标 ≥ {TENANCY_TARGET}）；"
        f"整页缓存 {cached or '—'}，倍数 {cache_ratio or '—'}（目标 ≥ {CACHE_TARGET:.0f}）；"
        f"查询预算{'达标' if queries_met else '超出'}"
    )
    result = {
        "uncached_rps": uncached,
        "notenancy_rps": notenancy,
        "cached_rps": cached,
        "tenancy_ratio": tenancy_ratio,
        "cache_ratio": cache_ratio,
        "unit_pages": by_pages,
        "queries": queries,
        "queries_notenancy": queries_notenancy,
        "query_budget": budget,
        "cpu_ms_per_request": cpu,
        "tenancy_cpu_ratio": cpu_ratio(cpu),
        "targets": {
            "tenancy_ratio_min": TENANCY_TARGET,
            "cache_ratio_min": CACHE_TARGET,
            "tenancy_met": tenancy_ratio is not None and tenancy_ratio >= TENANCY_TARGET,
            "cache_met": cache_ratio is not None and cache_ratio >= CACHE_TARGET,
            "queries_met": queries_met,
        },
        "skipped": skipped,
        "per_page": per_page,
        "spread_unit_homes": spread,
        "pages": {k: f"http://{t.host}{t.path}" for k, t in run.targets.items()},
        "units": provisioned["units"],
        "aggregate": "harmonic mean of the four pages' requests/s (an even mix of the page types)",
        "setup": {
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.gunicorn_threads or int(os.environ.get("GUNICORN_THREADS", 2)),
            "wrk_threads": args.threads,
            "connections": args.connections,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "cache": args.cache,
            "visits_counted": args.browser,
        },
        "machine": machine(load_start=load_start, nice=os.nice(0)),
    }
    if nginx:
        result.update({k: v for k, v in nginx.items() if k != "pages"})
    return result


def measure_nginx(args, *, run: Run) -> dict:
    """(d): the four pages through nginx's proxy_cache and one static file through the same nginx.

    `--nginx private` starts deploy/nginx.conf itself (bench.private_nginx) in front of a (c) server of
    its own; any other value is the base URL of a running stack, reached with each page's Host header.
    """
    upstream, private = None, None
    static_url = args.nginx_static
    if args.nginx_upstream or args.nginx == "private":
        bind_host, _, port = (args.nginx_upstream or f"127.0.0.1:{free_port()}").rpartition(":")
        upstream = Server("nginx-upstream", "bench.settings_pages", {"PAGE_CACHE_ENABLED": "1", **run.cache_env(15)}, run.workdir)
        upstream.port, upstream.bind_host = int(port), bind_host or "127.0.0.1"
        upstream.start(workers=args.workers, threads=args.gunicorn_threads)
        upstream.wait_ready(list(run.targets.values()))
    if args.nginx == "private":
        from bench.private_nginx import PrivateNginx

        private = PrivateNginx(run.workdir, upstream=f"{upstream.bind_host}:{upstream.port}", domain=_portal_domain())
        private.start()
        base = private.base
        static_url = static_url or private.static_url
        log(f"私有 nginx（deploy/nginx.conf）：{base}，上游 {upstream.base}")
    else:
        base = args.nginx.rstrip("/")
    try:
        pages = {}
        for key in PAGE_TYPES:
            target = nginx_target(run.targets[key], domain=args.nginx_domain)
            run_wrk(base + target.path, target.host, load=run.load, seconds=WARMUP_S, script=run.script)
            best = Best()
            for _ in range(args.rounds):
                best.add(run_wrk(base + target.path, target.host, load=run.load, seconds=args.seconds, script=run.script))
            pages[key] = best.summary()
            _, headers = fetch(base, target)
            pages[key]["x_cache"] = headers.get("X-Cache-Status") or headers.get("X-Page-Cache")
            log(f"  {key:<12} nginx      {pages[key]['rps']:>8.1f} 次/秒  p95 {pages[key]['p95_ms']:>7.2f} ms")
        result = {
            "pages": pages,
            "nginx": "private: deploy/nginx.conf in front of a (c) server" if private else base,
            "nginx_rps": harmonic_mean([pages[k]["rps"] for k in PAGE_TYPES]),
        }
        if static_url:
            static_host = args.nginx_static_host or args.nginx_domain or _portal_domain()
            best = Best()
            for _ in range(args.rounds):
                best.add(run_wrk(static_url, static_host, load=run.load, seconds=args.seconds, script=run.script))
            static = best.summary()
            log(f"  静态文件      nginx      {static['rps']:>8.1f} 次/秒  p95 {static['p95_ms']:>7.2f} ms")
            result.update(
                nginx_static_rps=static["rps"],
                nginx_static_p95_ms=static["p95_ms"],
                nginx_static_ratio=ratio(result["nginx_rps"], static["rps"], 3),
            )
        return result
    finally:
        if private is not None:
            private.stop()
        if upstream is not None:
            upstream.stop()


def _smallest(values) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def nginx_target(target: Target, *, domain: str | None) -> Target:
    """The page under the stack's domain (zhuhai.localhost, say) when it is not the bench's PORTAL_DOMAIN."""
    portal = _portal_domain()
    if not domain or domain == portal:
        return target
    host = domain if target.host == portal else target.host.removesuffix(f".{portal}") + f".{domain}"
    return Target(target.key, host, target.path, target.schema)


def _portal_domain() -> str:
    from django.conf import settings

    return settings.PORTAL_DOMAIN


def machine(*, load_start, nice: int) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgresql": server_version,
        "nice": nice,
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    main(sys.argv[1:])
