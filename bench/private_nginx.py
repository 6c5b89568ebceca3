"""A private nginx for bench/pages.py mode (d) when no stack is running: deploy/nginx.conf itself.

The project's server configuration (proxy_cache keyed by host and URL, X-Accel-Expires from the page
cache, the purge listener) is rendered with loopback ports of its own, a self-signed certificate and the
bench's web server as the upstream, inside a main configuration like the one deploy/stack.py writes
(2 worker processes, the cache purge module). Everything lives in the bench's temporary folder and the
process is stopped with the bench.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench import deploy_stack

ROOT = Path(__file__).resolve().parent.parent
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


class PrivateNginx:
    def __init__(self, workdir: Path, *, upstream: str, domain: str):
        if not Path(NGINX).exists() or not CACHE_PURGE_MODULE.exists():
            raise NginxUnavailable(f"需要 nginx 与 {CACHE_PURGE_MODULE}（Debian: nginx-light, libnginx-mod-http-cache-purge）")
        self.dir = workdir / "nginx"
        for sub in ("cache", "temp", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.https_port, http_port, purge_port = _free_port(), _free_port(), _free_port()
        stack = deploy_stack.load()
        cert, key = self.dir / "cert.pem", self.dir / "key.pem"
        try:
            stack.self_signed_certificate(cert=cert, key=key, domain=domain, days=2)
            values = stack.nginx_values(
                {"PORTAL_DOMAIN": domain, "GUNICORN_BIND": upstream, "MEDIA_ROOT": str(self.dir / "media")},
                https_port=self.https_port,
                http_port=http_port,
                purge_port=purge_port,
                cert=str(cert),
                key=str(key),
                cache=str(self.dir / "cache"),
                access_log=str(self.dir / "log" / "access.log"),
            )
            # The style sheet compared with is served from the source tree (no collectstatic for a bench).
            server = stack.render_nginx(values={**values, "STATIC_ROOT": f"{STATIC_DIR}/"})
        except stack.StackError as error:
            raise NginxUnavailable(f"nginx 配置未能生成：{error}") from error
        (self.dir / "govplatform.conf").write_text(server, encoding="utf-8")
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(
            stack.nginx_main_conf(
                nginx_dir=self.dir,
                pid=self.dir / "nginx.pid",
                error_log=self.dir / "log" / "error.log",
            ),
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
