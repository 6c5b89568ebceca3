"""The production stack, started for real on this machine, all on loopback.

    python deploy/stack.py up          # install what is missing (apt), start everything, wait until it serves
    python deploy/stack.py down        # stop everything (data stays in .stack/)
    python deploy/stack.py status
    python deploy/stack.py stop|start|restart postgres|redis|web|nginx|worker-1|worker-2
    python deploy/stack.py kill worker-1   # SIGKILL, as a crash would (the fault tests use it)
    python deploy/stack.py env         # the environment the stack's processes run with (shell syntax)
    python deploy/stack.py nginx-conf --env FILE   # render deploy/nginx.conf for a real server

What runs (ports from the environment, defaults below):
  Debian's PostgreSQL server   127.0.0.1:55432, data in .stack/postgres
  Redis                        127.0.0.1:56379 (cache and django-q2 broker; no persistence, see below)
  gunicorn (production settings, GUNICORN_WORKERS)   127.0.0.1:18001
  two django-q2 clusters (manage.py qcluster), each a process group of its own
  nginx: https://zhuhai.localhost and https://<code>.zhuhai.localhost (port 443; 8443 when not root) with a
         self-signed certificate made here (a wildcard needs two labels below it, so not *.localhost),
         http on port 80 (8080) redirecting to https, and the page-cache purge listener on 127.0.0.1:18081

Only the standard library: this script installs and starts what the project's virtualenv then uses.
Processes are started detached (their own session), with pid files and logs in .stack/, so `up`
returns and `down` (or the next `up`) finds them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("STACK_DIR", ROOT / ".stack"))
PYTHON = ROOT / ".venv" / "bin" / "python"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"

# As root the stack takes 443 and 80, as in production: Wagtail writes https:// into absolute links only
# for port 443 (Site.root_url), so on another port the platform's own links would say http://.
_PRIVILEGED = os.geteuid() == 0
PORTS = {
    "https": int(os.environ.get("STACK_HTTPS_PORT", 443 if _PRIVILEGED else 8443)),
    "http": int(os.environ.get("STACK_HTTP_PORT", 80 if _PRIVILEGED else 8080)),
    "purge": int(os.environ.get("STACK_PURGE_PORT", 18081)),
    "web": int(os.environ.get("STACK_WEB_PORT", 18001)),
    "postgres": int(os.environ.get("STACK_PG_PORT", 55432)),
    "redis": int(os.environ.get("STACK_REDIS_PORT", 56379)),
}
DOMAIN = os.environ.get("STACK_DOMAIN", "zhuhai.localhost")
WORKERS = ("worker-1", "worker-2")
APT_PACKAGES = ("postgresql", "redis-server", "nginx-light", "libnginx-mod-http-cache-purge", "openssl")
CACHE_PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")


class StackError(RuntimeError):
    pass


# --- small helpers ------------------------------------------------------------


def log(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def _run(args: list[str], *, env: dict[str, str] | None = None, check: bool = True, quiet: bool = False, **kwargs):
    result = subprocess.run(args, env=env, text=True, capture_output=True, **kwargs)
    if check and result.returncode != 0:
        raise StackError(f"{' '.join(map(str, args))} 失败（退出码 {result.returncode}）：\n{result.stdout}{result.stderr}")
    if not quiet and result.stdout.strip():
        print(result.stdout.rstrip(), flush=True)
    return result


def _as_root() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise StackError(f"等待超时（{seconds:.0f} 秒）：{what}")


def _pg_bindir() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise StackError("没有找到 Debian 的 PostgreSQL 服务器（/usr/lib/postgresql/*/bin/initdb）")
    return versions[-1].parent


# --- installation ---------------------------------------------------------------


def ensure_packages() -> None:
    """Debian's packages for the stack, installed with apt when one is missing (root or sudo)."""
    missing = []
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("postgresql")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        missing.append("nginx-light")
    if not CACHE_PURGE_MODULE.exists():
        missing.append("libnginx-mod-http-cache-purge")
    if not shutil.which("openssl"):
        missing.append("openssl")
    if not missing:
        return
    log(f"apt 安装：{' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run([*_as_root(), "apt-get", "update", "-qq"], env=env, quiet=True)
    _run([*_as_root(), "apt-get", "install", "-y", "-qq", *missing], env=env, quiet=True)
    # Debian starts the packaged services where it can; the stack runs its own instances on its own ports.
    for service in ("nginx", "redis-server", "postgresql"):
        subprocess.run([*_as_root(), "service", service, "stop"], capture_output=True)


# --- configuration ----------------------------------------------------------------


def _state_dirs() -> None:
    for name in ("run", "log", "tls", "media", "nginx", "nginx/cache", "nginx/temp", "redis"):
        (STATE / name).mkdir(parents=True, exist_ok=True)


def _secrets() -> dict[str, str]:
    """Made once per stack and kept in .stack/secrets (mode 600)."""
    path = STATE / "secrets"
    if not path.exists():
        path.write_text(
            f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\nDB_PASSWORD={secrets.token_urlsafe(18)}\n", encoding="utf-8"
        )
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def stack_env() -> dict[str, str]:
    """The environment of every process of the stack: production settings, as deploy/env.example lists them."""
    keys = _secrets()
    return {
        "DJANGO_SETTINGS_MODULE": "govplatform.settings.production",
        "DJANGO_SECRET_KEY": keys["DJANGO_SECRET_KEY"],
        "DATABASE_URL": f"postgres://govplatform:{keys['DB_PASSWORD']}@127.0.0.1:{PORTS['postgres']}/govplatform",
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "PORTAL_DOMAIN": DOMAIN,
        "PORTAL_SCHEME": "https",
        "PORTAL_PORT": "" if PORTS["https"] == 443 else str(PORTS["https"]),
        "MEDIA_ROOT": str(STATE / "media"),
        "MEDIA_X_ACCEL_REDIRECT_PREFIX": "/_protected_media/",
        "ADMIN_ALLOWED_NETWORKS": "127.0.0.1/32,::1/128",
        "TRUSTED_PROXIES": "127.0.0.1/32,::1/128",
        "FRONTEND_CACHE_NGINX_URL": f"http://127.0.0.1:{PORTS['purge']}",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LINKCHECK_ALLOWED_PRIVATE_HOSTS": f"{DOMAIN},.{DOMAIN},127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{PORTS['web']}",
        "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "3"),
        "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "4"),
        "Q_WORKERS": os.environ.get("Q_WORKERS", "2"),
        # The link checker and the availability probe reach the platform's own hosts through nginx,
        # whose certificate is the stack's own.
        "REQUESTS_CA_BUNDLE": str(STATE / "tls" / "cert.pem"),
        "SSL_CERT_FILE": str(STATE / "tls" / "cert.pem"),
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "LANG": "C.UTF-8",
        "TZ": "Asia/Shanghai",
    }


def _process_env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}, **stack_env()}


def self_signed_certificate(*, cert: Path, key: Path, domain: str, days: int) -> None:
    """A certificate for `domain`, its subdomains and 127.0.0.1 (the stack's, and the page benchmark's nginx)."""
    _run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days),
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={domain}",
            "-addext", f"subjectAltName=DNS:{domain},DNS:*.{domain},DNS:www.{domain},IP:127.0.0.1",
        ],
        quiet=True,
    )  # fmt: skip
    key.chmod(0o600)


def make_certificate() -> None:
    cert, key = STATE / "tls" / "cert.pem", STATE / "tls" / "key.pem"
    if cert.exists() and key.exists():
        return
    log("生成自签名证书（localhost 与 *.localhost）")
    self_signed_certificate(cert=cert, key=key, domain=DOMAIN, days=30)


def render_nginx(*, values: dict[str, str]) -> str:
    """deploy/nginx.conf with its @NAME@ placeholders filled; an unknown or unfilled placeholder is an error."""
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(re.findall(r"@([A-Z_]+)@", text)))
    if left:
        raise StackError(f"deploy/nginx.conf 中还有未填的占位符：{', '.join(left)}")
    return text


def nginx_values(
    env: dict[str, str],
    *,
    https_port: int,
    http_port: int,
    purge_port: int,
    cert: str,
    key: str,
    cache: str,
    access_log: str = "/var/log/nginx/govplatform-access.log",
) -> dict[str, str]:
    networks = [n.strip() for n in env.get("ADMIN_ALLOWED_NETWORKS", "").split(",") if n.strip()]
    return {
        "DOMAIN": env.get("PORTAL_DOMAIN", DOMAIN),
        "HTTPS_PORT": str(https_port),
        "HTTP_PORT": str(http_port),
        "HTTPS_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "PURGE_PORT": str(purge_port),
        "UPSTREAM": env.get("GUNICORN_BIND", "127.0.0.1:8001"),
        "CERT": cert,
        "KEY": key,
        "STATIC_ROOT": str(ROOT / "static_collected") + "/",
        "MEDIA_ROOT": env.get("MEDIA_ROOT", "/srv/govplatform/media").rstrip("/") + "/",
        "CACHE_PATH": cache,
        "ACCESS_LOG": access_log,
        "ADMIN_ALLOW": "\n".join(f"        allow {n};" for n in networks) or "        allow 127.0.0.1/32;",
    }


def nginx_main_conf(*, nginx_dir: Path, pid: Path, error_log: Path) -> str:
    """The main configuration around nginx_dir/govplatform.conf (deploy/nginx.conf rendered): 2 workers, the
    cache purge module, every temporary path under nginx_dir/temp. The access log is govplatform.conf's."""
    user = "" if os.geteuid() != 0 else "user root;\n"
    temp = nginx_dir / "temp"
    return f"""# Generated by deploy/stack.py: an nginx of its own, around deploy/nginx.conf.
{user}load_module {CACHE_PURGE_MODULE};
worker_processes 2;
pid {pid};
error_log {error_log} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    sendfile on;
    include {nginx_dir / "govplatform.conf"};
}}
"""


def write_nginx_conf() -> Path:
    server = render_nginx(
        values=nginx_values(
            stack_env(),
            https_port=PORTS["https"],
            http_port=PORTS["http"],
            purge_port=PORTS["purge"],
            cert=str(STATE / "tls" / "cert.pem"),
            key=str(STATE / "tls" / "key.pem"),
            cache=str(STATE / "nginx" / "cache"),
            access_log=str(STATE / "log" / "nginx-access.log"),
        )
    )
    nginx_dir = STATE / "nginx"
    (nginx_dir / "govplatform.conf").write_text(server, encoding="utf-8")
    main = nginx_main_conf(
        nginx_dir=nginx_dir,
        pid=STATE / "run" / "nginx.pid",
        error_log=STATE / "log" / "nginx-error.log",
    )
    path = nginx_dir / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


# --- services ---------------------------------------------------------------------


def _pid_file(name: str) -> Path:
    return STATE / "run" / f"{name}.pid"


def _read_pid(name: str) -> int | None:
    try:
        pid = int(_pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _spawn(name: str, args: list[str]) -> None:
    """A detached process group of its own, logging to .stack/log/<name>.log."""
    if _read_pid(name):
        return
    logfile = open(STATE / "log" / f"{name}.log", "ab")  # noqa: SIM115 (handed to the child)
    process = subprocess.Popen(
        args, cwd=ROOT, env=_process_env(), stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    _pid_file(name).write_text(str(process.pid))


def _signal_group(name: str, sig: int) -> int | None:
    pid = _read_pid(name)
    if pid:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return None
    return pid


def _stop_process(name: str, *, seconds: float = 20) -> None:
    pid = _signal_group(name, signal.SIGTERM)
    if not pid:
        _pid_file(name).unlink(missing_ok=True)
        return
    try:
        _wait(lambda: _read_pid(name) is None and not _group_alive(pid), seconds=seconds, what=f"{name} 退出")
    except StackError:
        _signal_group(name, signal.SIGKILL)
    _pid_file(name).unlink(missing_ok=True)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _pg_user_args() -> list[str]:
    # The PostgreSQL server refuses to run as root: as root it runs as Debian's postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def start_postgres() -> None:
    bindir, data = _pg_bindir(), STATE / "postgres"
    run_dir = STATE / "run"
    if os.geteuid() == 0:
        shutil.chown(run_dir, "postgres")
        for folder in (data, STATE / "log"):
            folder.mkdir(exist_ok=True)
            shutil.chown(folder, "postgres")
    if not (data / "PG_VERSION").exists():
        log(f"初始化 PostgreSQL（{bindir.parent.name}）")
        _run([*_pg_user_args(), str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
              "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], quiet=True)  # fmt: skip
        # max_locks_per_transaction: pg_dump and migrate_schemas lock every table of many schemas (deploy/README.md).
        (data / "postgresql.auto.conf").write_text(
            f"listen_addresses = '127.0.0.1'\nport = {PORTS['postgres']}\nunix_socket_directories = '{run_dir}'\n"
            "max_connections = 200\nmax_locks_per_transaction = 512\nshared_buffers = '256MB'\n"
            "log_min_duration_statement = 1000\n",
            encoding="utf-8",
        )
    if _port_open(PORTS["postgres"]):
        return
    log("启动 PostgreSQL")
    _run([*_pg_user_args(), str(bindir / "pg_ctl"), "-D", str(data), "-l", str(STATE / "log" / "postgres.log"),
          "-w", "-t", "60", "start"], quiet=True)  # fmt: skip
    _ensure_database()


def _psql(sql: str) -> str:
    bindir = _pg_bindir()
    result = _run(
        [*_pg_user_args(), str(bindir / "psql"), "-h", str(STATE / "run"), "-p", str(PORTS["postgres"]), "-U", "postgres",
         "-d", "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], quiet=True,
    )  # fmt: skip
    return result.stdout.strip()


def _ensure_database() -> None:
    password = _secrets()["DB_PASSWORD"]
    if not _psql("SELECT 1 FROM pg_roles WHERE rolname = 'govplatform'"):
        _psql(f"CREATE ROLE govplatform LOGIN PASSWORD '{password}'")
    if not _psql("SELECT 1 FROM pg_database WHERE datname = 'govplatform'"):
        _psql("CREATE DATABASE govplatform OWNER govplatform")


def stop_postgres() -> None:
    data = STATE / "postgres"
    if (data / "postmaster.pid").exists():
        log("停止 PostgreSQL")
        _run([*_pg_user_args(), str(_pg_bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
             check=False, quiet=True)  # fmt: skip


def start_redis() -> None:
    if _port_open(PORTS["redis"]):
        return
    log("启动 Redis")
    # No persistence: Redis holds caches and the broker's queue only. The outbox and the schedules are in
    # PostgreSQL, so a Redis restart loses nothing, and a restarted Redis has no stale page in it.
    _run(["redis-server", "--bind", "127.0.0.1", "--port", str(PORTS["redis"]), "--daemonize", "yes",
          "--pidfile", str(_pid_file("redis")), "--logfile", str(STATE / "log" / "redis.log"),
          "--dir", str(STATE / "redis"), "--save", "", "--appendonly", "no", "--maxmemory", "512mb",
          "--maxmemory-policy", "allkeys-lru"], quiet=True)  # fmt: skip
    _wait(lambda: _port_open(PORTS["redis"]), seconds=15, what="Redis 监听端口")


def stop_redis() -> None:
    pid = _read_pid("redis")
    if pid:
        log("停止 Redis")
        os.kill(pid, signal.SIGTERM)
        _wait(lambda: _read_pid("redis") is None, seconds=15, what="Redis 退出")


def start_web() -> None:
    log("启动 gunicorn")
    _spawn("web", [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "govplatform.wsgi"])
    _wait(lambda: _port_open(PORTS["web"]), seconds=60, what="gunicorn 监听端口")


def start_worker(name: str) -> None:
    log(f"启动后台任务进程 {name}")
    _spawn(name, [str(PYTHON), "manage.py", "qcluster"])


def start_nginx() -> None:
    conf = write_nginx_conf()
    for kind in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (STATE / "nginx" / "temp" / kind).mkdir(parents=True, exist_ok=True)
    _run(["nginx", "-t", "-q", "-c", str(conf)], quiet=True)
    if _read_pid("nginx"):
        _run(["nginx", "-c", str(conf), "-s", "reload"], quiet=True)
        return
    log("启动 nginx")
    _run(["nginx", "-c", str(conf)], quiet=True)
    _wait(lambda: _port_open(PORTS["https"]), seconds=15, what="nginx 监听端口")


def stop_nginx() -> None:
    if _read_pid("nginx"):
        log("停止 nginx")
        _run(["nginx", "-c", str(STATE / "nginx" / "nginx.conf"), "-s", "quit"], check=False, quiet=True)
        _wait(lambda: _read_pid("nginx") is None, seconds=15, what="nginx 退出")


# --- the platform -------------------------------------------------------------------


def manage(*args: str, settings: str | None = None, check: bool = True, quiet: bool = False):
    env = _process_env()
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    return _run([str(PYTHON), "manage.py", *args], env=env, check=check, quiet=quiet, cwd=ROOT)


def prepare_platform() -> None:
    """Migrations, the portal and template, the demo's units and content (once), and the static files."""
    manage("setup_platform")
    marker = STATE / "seeded"
    if not marker.exists():
        log("写入演示单位与内容（seed_demo，仅首次）")
        # The demo seed needs the demo's passwords; the stack's processes themselves run production settings.
        env_settings = "govplatform.settings.stack_seed"
        manage("seed_demo", settings=env_settings, quiet=True)
        marker.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("check", "--deploy", "--fail-level", "WARNING")


class _HostConnection(http.client.HTTPSConnection):
    """An HTTPS connection to loopback that sends SNI and checks the certificate for `server_hostname`."""

    def __init__(self, *args, server_hostname: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._server_hostname = server_hostname

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_hostname)


def https_request(
    method: str,
    url_path: str,
    *,
    host: str = DOMAIN,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 5,
) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, body) of a request through nginx over TLS, trusting only the stack's certificate."""
    context = ssl.create_default_context(cafile=str(STATE / "tls" / "cert.pem"))
    connection = _HostConnection("127.0.0.1", PORTS["https"], timeout=timeout, context=context, server_hostname=host)
    try:
        connection.request(method, url_path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def https_get(url_path: str, *, host: str = DOMAIN, timeout: float = 5) -> tuple[int, bytes]:
    status, _headers, body = https_request("GET", url_path, host=host, timeout=timeout)
    return status, body


def wait_until_serving(*, seconds: float = 180) -> None:
    def serving() -> bool:
        try:
            return https_get("/", host=DOMAIN)[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    _wait(serving, seconds=seconds, what=f"https://{DOMAIN}:{PORTS['https']}/ 返回 200")


# --- commands -----------------------------------------------------------------------


SERVICES = {
    "postgres": (start_postgres, stop_postgres),
    "redis": (start_redis, stop_redis),
    "web": (start_web, lambda: _stop_process("web")),
    "nginx": (start_nginx, stop_nginx),
    **{name: ((lambda n=name: start_worker(n)), (lambda n=name: _stop_process(n, seconds=30))) for name in WORKERS},
}


def up() -> None:
    if not PYTHON.exists():
        raise StackError("缺少 .venv：先运行 make install")
    ensure_packages()
    _state_dirs()
    make_certificate()
    start_postgres()
    start_redis()
    prepare_platform()
    start_web()
    for worker in WORKERS:
        start_worker(worker)
    start_nginx()
    wait_until_serving()
    suffix = "" if PORTS["https"] == 443 else f":{PORTS['https']}"
    log(f"已启动：门户 https://{DOMAIN}{suffix}/  子站 https://<代码>.{DOMAIN}{suffix}/")


def down() -> None:
    stop_nginx()
    for worker in WORKERS:
        _stop_process(worker, seconds=30)
    _stop_process("web")
    stop_redis()
    stop_postgres()
    log("已全部停止")


def status() -> dict[str, bool]:
    state = {
        "postgres": _port_open(PORTS["postgres"]),
        "redis": _port_open(PORTS["redis"]),
        "web": bool(_read_pid("web")),
        "nginx": bool(_read_pid("nginx")),
        **{name: bool(_read_pid(name)) for name in WORKERS},
    }
    for name, running in state.items():
        print(f"{name:10} {'运行中' if running else '未运行'}")
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生产环境栈（本机回环地址）")
    parser.add_argument("command", choices=["up", "down", "status", "env", "start", "stop", "restart", "kill", "nginx-conf"])
    parser.add_argument("service", nargs="?", choices=sorted(SERVICES))
    parser.add_argument("--env", help="nginx-conf：生产环境变量文件（如 /etc/govplatform.env）")
    options = parser.parse_args(argv)
    try:
        if options.command == "up":
            up()
        elif options.command == "down":
            down()
        elif options.command == "status":
            status()
        elif options.command == "env":
            for key, value in stack_env().items():
                print(f"export {key}='{value}'")
        elif options.command == "nginx-conf":
            env = dict(os.environ)
            if options.env:
                lines = Path(options.env).read_text(encoding="utf-8").splitlines()
                env.update(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
            print(render_nginx(values=nginx_values(
                env, https_port=443, http_port=80, purge_port=8081, cert=f"/etc/ssl/{env.get('PORTAL_DOMAIN', DOMAIN)}/fullchain.pem",
                key=f"/etc/ssl/{env.get('PORTAL_DOMAIN', DOMAIN)}/privkey.pem", cache="/var/cache/nginx/govplatform",
            )))  # fmt: skip
        else:
            if not options.service:
                parser.error("需要指明服务：" + "、".join(sorted(SERVICES)))
            start, stop = SERVICES[options.service]
            if options.command == "kill":
                _signal_group(options.service, signal.SIGKILL)
                _pid_file(options.service).unlink(missing_ok=True)
            if options.command in ("stop", "restart"):
                stop()
            if options.command in ("start", "restart"):
                start()
    except StackError as error:
        print(f"[stack] 错误：{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
