"""The link checker benchmark's site: generated pages with a known set of broken links.

Served from a child process (BenchServer); the loopback servers themselves are the
tests' (tests/support/servers.py), shared so both exercise the same serving code.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.servers import LOOPBACK, bind_loopback, start_apps

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --------------------------------------------------------------------------
# Benchmark site
# --------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><h1>{title}</h1>
{links}
</body></html>
"""


@dataclass
class BenchSite:
    """A generated static site with a known set of broken links."""

    base: str
    ext_base: str
    pages: dict[str, bytes]
    links: set[str] = field(default_factory=set)  # every distinct absolute URL linked
    broken: set[str] = field(default_factory=set)  # expected broken absolute URLs
    slow: set[str] = field(default_factory=set)
    redirecting: set[str] = field(default_factory=set)
    robots_blocked: set[str] = field(default_factory=set)


def generate_site(port: int, ext_port: int, n_pages: int = 250, seed: int = 20240601) -> BenchSite:
    """Deterministic site: ``n_pages`` pages with 22 unique links each plus navigation.

    Per page: 8 leaf pages, 3 images, 2 PDFs, 1×404, 1×500, 1 slow page
    (200–500 ms), a 1-hop and a 2-hop redirect to good pages, a redirect to a
    404, 2 good + 1 missing external resources; every 10th page also links to
    an external path disallowed by robots.txt.
    """
    rng = random.Random(seed)
    base = f"http://{LOOPBACK}:{port}"
    ext = f"http://{LOOPBACK}:{ext_port}"
    site = BenchSite(base=base, ext_base=ext, pages={})
    site.links.update({f"{base}/", f"{base}/static/site.css"})
    index_links = []
    for i in range(n_pages):
        site.links.add(f"{base}/p/{i}.html")
        index_links.append(f'<li><a href="/p/{i}.html">栏目 {i}</a></li>')
        items: list[str] = []

        def link(href: str, text: str, absolute: str, items: list[str] = items) -> None:
            items.append(f'<li><a href="{href}">{text}</a></li>')
            site.links.add(absolute)

        for j in range(8):
            # Relative links exercise URL resolution in both checkers.
            link(f"../doc/{i}-{j}.html", f"文章 {i}-{j}", f"{base}/doc/{i}-{j}.html")
        for j in range(3):
            items.append(f'<img src="/img/{i}-{j}.png" alt="图片 {i}-{j}">')
            site.links.add(f"{base}/img/{i}-{j}.png")
        for j in range(2):
            link(f"/files/{i}-{j}.pdf", f"附件 {i}-{j}", f"{base}/files/{i}-{j}.pdf")
        link(f"/gone/{i}.html", "已删除", f"{base}/gone/{i}.html")
        site.broken.add(f"{base}/gone/{i}.html")
        link(f"/error/{i}.html", "出错", f"{base}/error/{i}.html")
        site.broken.add(f"{base}/error/{i}.html")
        delay = rng.randint(200, 500)
        link(f"/slow/{delay}/{i}.html", "慢页面", f"{base}/slow/{delay}/{i}.html")
        site.slow.add(f"{base}/slow/{delay}/{i}.html")
        for hops in (1, 2):
            url = f"{base}/go/{hops}/moved/{i}-{hops}.html"
            link(url, "跳转", url)
            site.redirecting.add(url)
        url = f"{base}/go/1/gone/{i}-r.html"
        link(url, "跳转到已删除", url)
        site.redirecting.add(url)
        site.broken.add(url)
        for j in range(2):
            link(f"{ext}/ext/ok/{i}-{j}", "外部资源", f"{ext}/ext/ok/{i}-{j}")
        link(f"{ext}/ext/gone/{i}", "外部失效", f"{ext}/ext/gone/{i}")
        site.broken.add(f"{ext}/ext/gone/{i}")
        if i % 10 == 0:
            link(f"{ext}/private/{i}", "外部禁爬", f"{ext}/private/{i}")
            site.robots_blocked.add(f"{ext}/private/{i}")
        # Navigation: repeated links test de-duplication and grow the page graph.
        nav = ["/", f"/p/{(i + 1) % n_pages}.html", f"/p/{(i - 1) % n_pages}.html"]
        nav += [f"/p/{rng.randrange(n_pages)}.html" for _ in range(3)]
        items += [f'<li><a href="{href}">导航</a></li>' for href in nav]
        rng.shuffle(items)
        site.pages[f"/p/{i}.html"] = _PAGE.format(title=f"栏目 {i}", links="<ul>\n" + "\n".join(items) + "\n</ul>").encode()
    site.pages["/"] = _PAGE.format(title="某某区人民政府", links="<ul>\n" + "\n".join(index_links) + "\n</ul>").encode()
    return site


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _leaf(title: str) -> bytes:
    return _PAGE.format(title=title, links='<a href="/">首页</a>').encode()


def make_bench_app(site: BenchSite) -> web.Application:
    """Internal site: behaviour is derived from the path, so no state is kept."""

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        parts = path.strip("/").split("/")
        if path in site.pages:
            return web.Response(body=site.pages[path], content_type="text/html", charset="utf-8")
        head = parts[0]
        if head in ("doc", "moved"):
            return web.Response(body=_leaf(path), content_type="text/html", charset="utf-8")
        if head == "img":
            return web.Response(body=_PNG, content_type="image/png")
        if head == "files":
            return web.Response(body=_PDF, content_type="application/pdf")
        if head == "static":
            return web.Response(text="body{font-family:sans-serif}", content_type="text/css")
        if head == "error":
            return web.Response(status=500, text="服务器内部错误")
        if head == "slow" and len(parts) >= 3 and parts[1].isdigit():
            await asyncio.sleep(int(parts[1]) / 1000)
            return web.Response(body=_leaf(path), content_type="text/html", charset="utf-8")
        if head == "go" and len(parts) >= 3 and parts[1].isdigit():
            hops = int(parts[1])
            rest = "/".join(parts[2:])
            target = f"/go/{hops - 1}/{rest}" if hops > 1 else f"/{rest}"
            status = web.HTTPFound if hops > 1 else web.HTTPMovedPermanently
            raise status(location=target)
        raise web.HTTPNotFound()

    return _with_linkchecker_header(handle)


def make_bench_external_app() -> web.Application:
    """Stand-in for other organisations' sites (checked, never crawled)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private/\n")
        if path.startswith("/ext/ok/"):
            return web.Response(text="ok")
        if path.startswith("/private/"):
            return web.Response(text="secret")
        raise web.HTTPNotFound()

    return _with_linkchecker_header(handle)


def _with_linkchecker_header(handle: Handler) -> web.Application:
    async def add_header(request: web.Request, response: web.StreamResponse) -> None:
        # LinkChecker throttles every host to <=10 requests/s unless the server
        # sends a "LinkChecker" header; sending it lets the benchmark compare
        # raw checking speed instead of LinkChecker's politeness delay.
        response.headers["LinkChecker"] = "unthrottled"

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    app.on_response_prepare.append(add_header)
    return app


async def _serve(site: BenchSite, socks: list[socket.socket], lifetime_s: float) -> None:
    runners = await start_apps([make_bench_app(site), make_bench_external_app()], socks)
    try:
        await asyncio.sleep(lifetime_s)
    finally:
        for runner in runners:
            await runner.cleanup()


def _serve_process(site: BenchSite, socks: list[socket.socket], lifetime_s: float) -> None:
    asyncio.run(_serve(site, socks, lifetime_s))


class BenchServer:
    """Run the benchmark site in a child process (so it does not compete for the GIL)."""

    def __init__(self, n_pages: int = 250, lifetime_s: float = 290.0) -> None:
        self._socks = [bind_loopback(), bind_loopback()]
        port, ext_port = (s.getsockname()[1] for s in self._socks)
        self.site = generate_site(port, ext_port, n_pages=n_pages)
        # fork: the child inherits the already-listening sockets and the site.
        ctx = multiprocessing.get_context("fork")
        self._process = ctx.Process(target=_serve_process, args=(self.site, self._socks, lifetime_s), daemon=True)

    def __enter__(self) -> BenchServer:
        self._process.start()
        for sock in self._socks:
            sock.close()  # only the child accepts
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(10)
