"""A private nginx for bench/pages.py mode (d) when no stack is running: deploy/nginx.conf itself.

The project's server configuration (proxy_cache keyed by host and URL, X-Accel-Expires from the page
cache, the purge listener) is rendered with loopback ports of its own, a self-signed certificate and the
bench's web server as the upstream, inside a main configuration like the one deploy/stack.py writes
(2 worker processes, the cache purge module). Everything lives in the bench's temporary folder and the
process is stopped with the bench.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"
CACHE_PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# What the static-file comparison fetches: the platform's own style sheet, straight from the source tree.
STATIC_DIR = ROOT / "govplatform" / "static"
STATIC_PATH = "/static/css/site.css"


class NginxUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(workdir: Path, domain: str) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={domain}",
         "-keyout", str(key), "-out", str(cert),
         "-addext", f"subjectAltName=DNS:{domain},DNS:*.{domain},DNS:www.{domain},IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def render(*, values: dict[str, str]) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(re.findall(r"@([A-Z_]+)@", text)))
    if left:
        raise NginxUnavailable(f"deploy/nginx.conf 中有基准未知的占位符：{', '.join(left)}")
    return text


class PrivateNginx:
    def __init__(self, workdir: Path, *, upstream: str, domain: str):
        if not Path(NGINX).exists() or not CACHE_PURGE_MODULE.exists():
            raise NginxUnavailable(f"需要 nginx 与 {CACHE_PURGE_MODULE}（Debian: nginx-light, libnginx-mod-http-cache-purge）")
        self.dir = workdir / "nginx"
        for sub in ("cache", "temp", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.https_port, http_port, purge_port = _free_port(), _free_port(), _free_port()
        cert, key = _certificate(self.dir, domain)
        server = render(
            values={
                "DOMAIN": domain,
                "HTTPS_PORT": str(self.https_port),
                "HTTP_PORT": str(http_port),
                "HTTPS_SUFFIX": f":{self.https_port}",
                "PURGE_PORT": str(purge_port),
                "UPSTREAM": upstream,
                "CERT": str(cert),
                "KEY": str(key),
                "STATIC_ROOT": f"{STATIC_DIR}/",
                "MEDIA_ROOT": f"{self.dir / 'media'}/",
                "CACHE_PATH": str(self.dir / "cache"),
                "ADMIN_ALLOW": "        allow 127.0.0.1/32;",
            }
        )
        (self.dir / "govplatform.conf").write_text(server, encoding="utf-8")
        temp = self.dir / "temp"
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(
            f"""user root;
load_module {CACHE_PURGE_MODULE};
worker_processes 2;
pid {self.dir / "nginx.pid"};
error_log {self.dir / "log" / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.dir / "log" / "access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    sendfile on;
    include {self.dir / "govplatform.conf"};
}}
""",
            encoding="utf-8",
        )
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def static_url(self) -> str:
        return self.base + STATIC_PATH

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(self.dir), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxUnavailable(f"nginx 未能启动：{self.process.stderr.read().decode(errors='replace')}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.https_port)) == 0:
                    return
            time.sleep(0.1)
        raise NginxUnavailable("nginx 在 10 s 内未监听")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # QUIT: graceful shutdown of the master and its workers.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
