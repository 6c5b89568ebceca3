"""Tests for oversight.linkcheck against two local aiohttp sites.

Site A (internal) and site B (an "external" organisation) both listen on
127.0.0.1 in a background thread; the checker runs in the test's own loop.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web

from oversight.linkcheck import (
    BlockedAddress,
    CheckConfig,
    CrawlReport,
    GuardedResolver,
    LinkSource,
    check_site,
    crawl,
    is_public_address,
    make_session,
    normalize_url,
)
from tests.support.servers import ServerThread, closed_port

TIMEOUT_S = 0.5
PER_HOST = 2
GLOBAL = 3


@dataclass
class SiteState:
    """What the servers saw: request log and concurrency high-water marks."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (site, method, path)
    in_flight: Counter = field(default_factory=Counter)
    max_in_flight: Counter = field(default_factory=Counter)
    flaky_hits: int = 0

    def reset(self) -> None:
        self.requests.clear()
        self.in_flight.clear()
        self.max_in_flight.clear()
        self.flaky_hits = 0

    def seen(self, site: str, path: str) -> list[str]:
        return [m for s, m, p in self.requests if s == site and p == path]


def html(body: str) -> web.Response:
    return web.Response(
        text=f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
        content_type="text/html",
    )


def build_apps(state: SiteState, ext_port: int, refused_port: int) -> list[web.Application]:
    def tracking(site: str) -> web.middleware:
        @web.middleware
        async def middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
            state.requests.append((site, request.method, request.path))
            # /slow keeps running server-side after the client timed out, so it
            # would overstate the client's concurrency; every other request counts.
            counted = request.path != "/slow"
            if counted:
                state.in_flight[site] += 1
                state.in_flight["all"] += 1
                for key in (site, "all"):
                    state.max_in_flight[key] = max(state.max_in_flight[key], state.in_flight[key])
            try:
                return await handler(request)
            finally:
                if counted:
                    state.in_flight[site] -= 1
                    state.in_flight["all"] -= 1

        return middleware

    ext = f"http://127.0.0.1:{ext_port}"
    home = f"""
      <link rel="stylesheet" href="/static/site.css">
      <a href="/about">关于我们</a>
      <a href="/news/">新闻</a>
      <a href="/missing">失效页面</a>
      <a href="/broken">服务器错误</a>
      <a href="/flaky">偶尔出错</a>
      <a href="http://127.0.0.1:{refused_port}/x">已关闭端口</a>
      <a href="/slow">很慢的页面</a>
      <a href="/r1">旧地址</a>
      <a href="/loop-a">循环跳转</a>
      <img src="/img/logo.png" alt="市徽">
      <a href="/files/report.pdf">年度报告</a>
      <a href="http://169.254.169.254/latest/meta-data/">元数据</a>
      <a href="/to-private">跳到内网</a>
      <a href="{ext}/ok">外部网站</a>
      <a href="{ext}/private/secret">外部禁爬</a>
      <a href="{ext}/gone">外部失效</a>
      <a href="{ext}/head-405">不支持HEAD</a>
      <a href="mailto:office@example.gov.cn">邮箱</a> <a href="tel:12345">电话</a>
      <a href="javascript:void(0)">脚本</a> <a href="#top">顶部</a>
      <a href="/about#team">团队</a>
      {"".join(f'<a href="/pause/{n}">暂停{n}</a>' for n in range(6))}
    """
    pages = {
        "/": home,
        "/about": '<a href="/">首页</a> <a href="/missing">旧链接</a>',
        "/news/": '<base href="/news/items/"><a href="a1.html"> 新闻\n 一 </a><img src="/img/missing.png" alt="缺失图片">',
        "/news/items/a1.html": '<a href="/deep">深层页面</a>',
        "/deep": "深层",
        "/names": '<a href="http://intranet.example/">内网域名</a><a href="http://nxdomain.example/">不存在的域名</a>',
    }
    redirects = {
        "/r1": (301, "/r2"),
        "/r2": (302, "/about"),
        "/loop-a": (302, "/loop-b"),
        "/loop-b": (302, "/loop-a"),
        "/to-private": (302, "http://10.255.255.1/admin"),
    }

    async def internal(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in pages:
            return html(pages[path])
        if path in redirects:
            status, location = redirects[path]
            return web.Response(status=status, headers={"Location": location})
        if path == "/broken":
            return web.Response(status=500)
        if path == "/flaky":
            state.flaky_hits += 1
            return web.Response(status=500) if state.flaky_hits == 1 else html("恢复")
        if path == "/slow":
            await asyncio.sleep(TIMEOUT_S * 2)
            return html("太慢")
        if path.startswith("/pause/"):
            await asyncio.sleep(0.1)  # makes requests overlap so the limit is exercised
            return web.Response(text="ok")
        if path == "/img/logo.png":
            return web.Response(body=b"\x89PNG\r\n", content_type="image/png")
        if path == "/files/report.pdf":
            return web.Response(body=b"%PDF-1.4", content_type="application/pdf")
        if path == "/static/site.css":
            return web.Response(text="body{}", content_type="text/css")
        raise web.HTTPNotFound()

    async def external(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private/\n")
        if path == "/ok":
            return html('<a href="/never">不应访问</a>')
        if path == "/private/secret":
            return html("secret")
        if path == "/head-405":
            if request.method == "HEAD":
                return web.Response(status=405)
            return web.Response(text="works with GET")
        raise web.HTTPNotFound()

    apps = []
    for name, handler in (("A", internal), ("B", external)):
        app = web.Application(middlewares=[tracking(name)])
        app.router.add_route("*", "/{tail:.*}", handler)
        apps.append(app)
    return apps


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    state = SiteState()
    refused = closed_port()
    server = ServerThread(
        lambda ports: build_apps(state, ext_port=ports[1], refused_port=refused),
        count=2,
        max_lifetime_s=60,
    )
    with server:
        port_a, port_b = server.ports
        yield SimpleNamespace(
            state=state,
            a=f"http://127.0.0.1:{port_a}",
            b=f"http://127.0.0.1:{port_b}",
            refused=f"http://127.0.0.1:{refused}/x",
            internal=frozenset({f"127.0.0.1:{port_a}"}),
        )


def make_config(site: SimpleNamespace, **overrides: object) -> CheckConfig:
    settings: dict[str, object] = dict(
        start_url=site.a + "/",
        internal_hosts=site.internal,
        allowed_private_hosts=frozenset({"127.0.0.1"}),
        max_concurrency=GLOBAL,
        per_host_concurrency=PER_HOST,
        timeout_s=TIMEOUT_S,
        retries=1,
        retry_backoff_s=0.05,
    )
    settings.update(overrides)
    return CheckConfig(**settings)  # type: ignore[arg-type]


def home_links(site: SimpleNamespace) -> set[str]:
    a, b = site.a, site.b
    return {
        f"{a}/",
        f"{a}/static/site.css",
        f"{a}/about",
        f"{a}/news/",
        f"{a}/missing",
        f"{a}/broken",
        f"{a}/flaky",
        site.refused,
        f"{a}/slow",
        f"{a}/r1",
        f"{a}/loop-a",
        f"{a}/img/logo.png",
        f"{a}/files/report.pdf",
        "http://169.254.169.254/latest/meta-data/",
        f"{a}/to-private",
        f"{b}/ok",
        f"{b}/private/secret",
        f"{b}/gone",
        f"{b}/head-405",
        *(f"{a}/pause/{n}" for n in range(6)),
    }


def expected_broken(site: SimpleNamespace) -> dict[str, tuple[int | None, str | None]]:
    a = site.a
    return {
        f"{a}/missing": (404, None),
        f"{a}/broken": (500, None),
        site.refused: (None, "连接被拒绝"),
        f"{a}/slow": (None, "超时"),
        f"{a}/loop-a": (302, "重定向循环"),
        f"{a}/img/missing.png": (404, None),
        f"{site.b}/gone": (404, None),
    }


@pytest.fixture(scope="module")
def full_run(site: SimpleNamespace) -> SimpleNamespace:
    site.state.reset()
    config = make_config(site)
    traced: list[str] = []

    async def on_request_start(session, ctx, params) -> None:  # type: ignore[no-untyped-def]
        traced.append(str(params.url))

    async def run() -> CrawlReport:
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(on_request_start)
        session = make_session(config, trace_configs=[trace])
        try:
            return await crawl(config, session=session)
        finally:
            await session.close()

    report = asyncio.run(run())
    return SimpleNamespace(
        report=report,
        requests=list(site.state.requests),
        max_in_flight=dict(site.state.max_in_flight),
        traced=traced,
    )


def test_finds_exactly_the_expected_broken_links(site, full_run) -> None:  # type: ignore[no-untyped-def]
    found = {r.url: (r.status, r.error) for r in full_run.report.broken}
    assert found == expected_broken(site)


def test_every_link_checked_once_and_internal_pages_crawled(site, full_run) -> None:  # type: ignore[no-untyped-def]
    report = full_run.report
    deeper = {f"{site.a}/news/items/a1.html", f"{site.a}/img/missing.png", f"{site.a}/deep"}
    # No mailto:/tel:/javascript:/#fragment entries, /about#team merged into /about,
    # nothing from the external page /ok (B/never).
    assert set(report.links) == home_links(site) | deeper
    # "/", /about, /news/, /news/items/a1.html, /deep and the recovered /flaky.
    assert report.pages_crawled == 6
    gets = Counter((s, p) for s, m, p in full_run.requests if m == "GET")
    # Once as a link (two sources, one check) and once as the end of /r1's chain.
    assert gets[("A", "/about")] == 2
    assert not [r for r in full_run.requests if r[2] == "/never"]
    assert report.links[f"{site.b}/ok"].method == "HEAD"


def test_sources_record_page_and_link_text(site, full_run) -> None:  # type: ignore[no-untyped-def]
    links = full_run.report.links
    a = site.a
    assert set(links[f"{a}/missing"].sources) == {
        LinkSource(f"{a}/", "失效页面"),
        LinkSource(f"{a}/about", "旧链接"),
    }
    assert links[f"{a}/img/missing.png"].sources == [LinkSource(f"{a}/news/", "缺失图片")]
    # <base href> resolution and whitespace collapsing in link text.
    assert links[f"{a}/news/items/a1.html"].sources == [LinkSource(f"{a}/news/", "新闻 一")]
    assert set(links[f"{a}/about"].sources) == {
        LinkSource(f"{a}/", "关于我们"),
        LinkSource(f"{a}/", "团队"),
    }
    assert links[f"{a}/"].sources == [LinkSource(f"{a}/about", "首页")]


def test_redirect_hops_recorded(site, full_run) -> None:  # type: ignore[no-untyped-def]
    a = site.a
    chain = full_run.report.links[f"{a}/r1"]
    assert chain.redirects == [(301, f"{a}/r2"), (302, f"{a}/about")]
    assert (chain.status, chain.final_url, chain.broken) == (200, f"{a}/about", False)
    loop = full_run.report.links[f"{a}/loop-a"]
    assert loop.redirects == [(302, f"{a}/loop-b"), (302, f"{a}/loop-a")]
    assert loop.broken


def test_retry_and_head_fallback(site, full_run) -> None:  # type: ignore[no-untyped-def]
    links = full_run.report.links
    flaky = links[f"{site.a}/flaky"]
    assert (flaky.status, flaky.broken) == (200, False)
    assert full_run.requests.count(("A", "GET", "/flaky")) == 2
    # 404 is definitive: no retry.
    assert full_run.requests.count(("A", "GET", "/missing")) == 1
    # 500 and timeouts are retried once.
    assert full_run.requests.count(("A", "GET", "/broken")) == 2
    assert full_run.requests.count(("A", "GET", "/slow")) == 2
    head405 = links[f"{site.b}/head-405"]
    assert (head405.status, head405.method, head405.broken) == (200, "GET", False)
    assert [m for s, m, p in full_run.requests if p == "/head-405"] == ["HEAD", "GET"]
    assert links[f"{site.a}/img/logo.png"].method == "HEAD"
    assert links[f"{site.a}/files/report.pdf"].status == 200


def test_private_addresses_refused_without_connecting(site, full_run) -> None:  # type: ignore[no-untyped-def]
    links = full_run.report.links
    metadata = links["http://169.254.169.254/latest/meta-data/"]
    assert (metadata.skipped, metadata.broken, metadata.error) == (True, False, "禁止访问内网地址")
    assert metadata.status is None and metadata.elapsed_ms < 100
    hop = links[f"{site.a}/to-private"]
    assert (hop.skipped, hop.error) == (True, "禁止访问内网地址")
    assert hop.redirects == [(302, "http://10.255.255.1/admin")]
    # The aiohttp trace proves no request to those hosts was even started.
    assert full_run.traced
    assert not [u for u in full_run.traced if "169.254." in u or "10.255." in u]
    assert {r.url for r in full_run.report.skipped} >= {metadata.url, hop.url}


def test_robots_txt_honoured_for_external_hosts(site, full_run) -> None:  # type: ignore[no-untyped-def]
    secret = full_run.report.links[f"{site.b}/private/secret"]
    assert (secret.skipped, secret.broken, secret.error) == (True, False, "robots.txt 禁止")
    assert full_run.requests.count(("B", "GET", "/robots.txt")) == 1
    assert not [r for r in full_run.requests if r[2] == "/private/secret"]
    # The internal site is ours: its robots.txt is never consulted.
    assert not [r for r in full_run.requests if r[:1] == ("A",) and r[2] == "/robots.txt"]


def test_concurrency_limits_respected(full_run) -> None:  # type: ignore[no-untyped-def]
    peak = full_run.max_in_flight
    assert peak["A"] == PER_HOST  # limit reached (requests did overlap) but never exceeded
    assert peak.get("B", 0) <= PER_HOST
    assert peak["all"] <= GLOBAL


def test_homepage_only_mode_checks_start_page_links_only(site) -> None:  # type: ignore[no-untyped-def]
    site.state.reset()
    report = check_site(make_config(site, only_start_page=True))
    assert report.pages_crawled == 1
    assert set(report.links) == home_links(site)
    news = report.links[f"{site.a}/news/"]
    assert (news.status, news.method) == (200, "HEAD")
    expected = expected_broken(site)
    del expected[f"{site.a}/img/missing.png"]
    assert {r.url: (r.status, r.error) for r in report.broken} == expected
    assert not site.state.seen("A", "/news/items/a1.html")


def test_max_pages_caps_crawl(site) -> None:  # type: ignore[no-untyped-def]
    report = check_site(make_config(site, start_url=site.a + "/about", max_pages=1))
    assert report.pages_crawled == 1
    assert set(report.links) == {f"{site.a}/about", f"{site.a}/", f"{site.a}/missing"}
    assert report.links[f"{site.a}/"].status == 200


def test_host_names_resolving_to_private_addresses_and_dns_failures(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        if host == "nxdomain.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    report = check_site(make_config(site, start_url=site.a + "/names", only_start_page=True))
    intranet = report.links["http://intranet.example/"]
    assert (intranet.skipped, intranet.broken, intranet.error) == (True, False, "禁止访问内网地址")
    nxdomain = report.links["http://nxdomain.example/"]
    assert (nxdomain.broken, nxdomain.error) == (True, "DNS解析失败")
    assert nxdomain.sources == [LinkSource(f"{site.a}/names", "不存在的域名")]


def test_guarded_resolver_policy() -> None:
    async def scenario() -> None:
        allowed = GuardedResolver(frozenset({"localhost"}))
        answers = await allowed.resolve("localhost", 80, socket.AF_INET)
        assert {a["host"] for a in answers} == {"127.0.0.1"}
        with pytest.raises(BlockedAddress):
            await GuardedResolver().resolve("localhost", 80, socket.AF_INET)
        # Port-qualified allow-list entries only cover that port.
        port_only = GuardedResolver(frozenset({"localhost:8000"}))
        assert await port_only.resolve("localhost", 8000, socket.AF_INET)
        with pytest.raises(BlockedAddress):
            await port_only.resolve("localhost", 8001, socket.AF_INET)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("not-an-ip", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        ("HTTP://Example.GOV.cn:80/a#x", None, "http://example.gov.cn/a"),
        ("https://example.gov.cn:443", None, "https://example.gov.cn/"),
        ("http://example.gov.cn:8080/a?b=1#c", None, "http://example.gov.cn:8080/a?b=1"),
        ("../img/a.png", "http://h.cn/news/x/", "http://h.cn/news/img/a.png"),
        ("/政务公开/通知 1.html", "http://h.cn/", "http://h.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E9%80%9A%E7%9F%A5%201.html"),
        ("http://例子.中国/", None, "http://xn--fsqu00a.xn--fiqs8s/"),
        ("http://user:pw@h.cn/", None, "http://h.cn/"),
        ("mailto:a@b.cn", None, None),
        ("ftp://h.cn/f", None, None),
    ],
)
def test_normalize_url(raw: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(raw, base) == expected


def test_normalize_url_rejects_malformed() -> None:
    with pytest.raises(ValueError):
        normalize_url("http://h.cn:99999/")
    with pytest.raises(ValueError):
        normalize_url("http:///path-only")


def test_too_many_redirects_is_broken(site) -> None:  # type: ignore[no-untyped-def]
    report = check_site(make_config(site, start_url=site.a + "/r1", max_redirects=1))
    start = report.links[f"{site.a}/r1"]
    assert (start.broken, start.error) == (True, "重定向次数过多")
    assert start.redirects == [(301, f"{site.a}/r2"), (302, f"{site.a}/about")]
    assert report.pages_crawled == 0


def test_allow_list_entries_with_a_leading_dot_cover_sub_domains():
    from oversight.linkcheck.guard import host_in

    hosts = frozenset({".localhost", "10.0.0.5:8080"})
    assert host_in(hosts, "fgj.localhost", 8000) and host_in(hosts, "localhost", 80)
    assert not host_in(hosts, "evil-localhost", 80) and not host_in(hosts, "localhost.evil.com", 80)
    assert host_in(hosts, "10.0.0.5", 8080) and not host_in(hosts, "10.0.0.5", 80)
