"""网上抓取 (第五条（四）): sources read over HTTP from a local server, deduplicated, reviewed, shown on the portal."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace

import pytest
from aiohttp import web
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django_q.models import Schedule
from django_tenants.utils import schema_context

from harvest import demo, services, tasks
from harvest.css import SelectorError, css_to_xpath
from harvest.fetch import FetchLimits
from harvest.models import HarvestedItem, HarvestRun, HarvestSection, HarvestSource, ItemStatus, RunOutcome
from oversight import selectors as oversight_selectors
from search.selectors import latest_documents
from tenants.roles import CentreRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client, unit_admin_client
from tests.support.servers import ServerThread

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>中国政府网</title><link>/</link><description>要闻</description>
<item><title>国务院常务会议研究部署冬季能源保供</title><link>/yaowen/2026-11/20/content_1.htm</link>
<pubDate>Fri, 20 Nov 2026 18:30:00 +0800</pubDate>
<description>&lt;p&gt;会议指出&lt;script&gt;alert(1)&lt;/script&gt;，要&lt;b&gt;保障&lt;/b&gt;群众温暖过冬。\x07&lt;/p&gt;</description></item>
<item><title>国务院办公厅关于优化政务服务的意见</title><link>/zhengce/content_2.htm</link>
<pubDate>Wed, 18 Nov 2026 09:00:00 +0800</pubDate><description>推进“高效办成一件事”。</description></item>
<item><title>没有链接的条目</title></item>
<item><title>脚本链接</title><link>javascript:alert(1)</link></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>广东省人民政府</title><id>urn:gd</id><updated>2026-11-21T08:00:00Z</updated>
<entry><title type="html">&lt;em&gt;广东省&lt;/em&gt;推进新型工业化实施方案</title><id>urn:gd:1</id>
<link rel="alternate" href="https://www.gd.gov.cn/zwgk/1.html"/><updated>2026-11-21T08:00:00Z</updated>
<summary type="html">方案提出&lt;br/&gt;推动制造业高质量发展</summary></entry>
<entry><title>省政府常务会议研究大湾区建设</title><id>urn:gd:2</id>
<link href="https://www.gd.gov.cn/zwgk/2.html"/><published>2026-11-19T02:00:00Z</published></entry>
</feed>
"""

LIST_PAGE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>政务要闻</title></head><body>
<div class="nav"><ul class="news"><li><a href="/not-an-item">导航</a></li></ul></div>
<div id="main"><ul class="news list">
<li><a href="art/1.html" title="珠海市召开营商环境优化工作会议（全文标题）">珠海市召开营商环境优化…</a><span class="date">[2026年11月20日]</span><p class="sum">会议部署<b>下一阶段</b>工作。</p></li>
<li><a href="art/2.html">横琴粤澳深度合作区建设情况通报</a><span class="date">[2026年11月18日]</span></li>
<li><a href="mailto:office@example.org">联系我们</a><span class="date">[2026年11月17日]</span></li>
<li><a href="art/3.html">日期写错的条目</a><span class="date">近日</span></li>
</ul></div></body></html>
"""


def _page(n: int) -> str:
    items = "".join(
        f"<item><title>国务院信息第{i}条</title><link>/p/{i}.htm</link><pubDate>{dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i):%a, %d %b %Y %H:%M:%S +0000}</pubDate><description>摘要{i}</description></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


@pytest.fixture
def site():
    """A local site: feeds, a list page, robots.txt and failing answers, changed by each test through `state`."""
    state = SimpleNamespace(robots="User-agent: *\nDisallow: /private/\n", rss=RSS, hits={})

    async def handler(request: web.Request) -> web.StreamResponse:
        path = request.path
        state.hits[path] = state.hits.get(path, 0) + 1
        match path:
            case "/robots.txt":
                return web.Response(text=state.robots) if state.robots is not None else web.Response(status=404)
            case "/rss.xml" | "/private/rss.xml" | "/mirror/rss.xml":
                return web.Response(text=state.rss, content_type="application/rss+xml")
            case "/copy.xml":
                # The same news as /rss.xml at other addresses (a repost): equal by content.
                return web.Response(
                    text=RSS.replace("/yaowen/", "/repost/").replace("/zhengce/", "/repost2/"), content_type="application/xml"
                )
            case "/atom.xml":
                return web.Response(text=ATOM, content_type="application/atom+xml")
            case "/list/index.html":
                return web.Response(body=LIST_PAGE.encode("gbk"), content_type="text/html")
            case "/error.xml":
                return web.Response(status=500, text="Internal Server Error")
            case "/slow.xml":
                await asyncio.sleep(3)
                return web.Response(text=RSS)
            case "/garbage.xml":
                return web.Response(body=b"\x00\x01\x02 not a feed \xff\xfe <<<", content_type="application/octet-stream")
            case "/big.xml":
                return web.Response(body=b"<rss>" + b" " * (300 * 1024) + b"</rss>", content_type="application/xml")
            case "/moved.xml":
                raise web.HTTPFound("/private/rss.xml")
        raise web.HTTPNotFound()

    def build(ports):
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", handler)
        return [app]

    with ServerThread(build, count=1, max_lifetime_s=90) as server:
        yield SimpleNamespace(state=state, base=f"http://127.0.0.1:{server.ports[0]}", port=server.ports[0])


@pytest.fixture
def sections(db):
    return SimpleNamespace(
        gov=HarvestSection.objects.create(name="国务院信息", slug="guowuyuan", sort_order=1),
        gd=HarvestSection.objects.create(name="省政府信息", slug="shengzhengfu", sort_order=2),
    )


def _source(section, url: str, *, name: str = "中国政府网", **fields) -> HarvestSource:
    source = HarvestSource(name=name, url=url, section=section, **fields)
    source.full_clean()
    source.save()
    return source


def _portal() -> PublicSchemaClient:
    return PublicSchemaClient(HTTP_HOST="localhost")


# --- reading sources ------------------------------------------------------------------


def test_rss_items_are_stored_as_plain_text_with_absolute_links(site, sections):
    source = _source(sections.gov, f"{site.base}/rss.xml")
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.OK and run.status_code == 200
    assert (run.items_found, run.items_new, run.items_duplicate, run.items_skipped) == (4, 2, 0, 2)
    assert "缺少有效的 http(s) 链接" in run.detail
    items = {item.title: item for item in HarvestedItem.objects.filter(source=source)}
    first = items["国务院常务会议研究部署冬季能源保供"]
    assert first.url == f"{site.base}/yaowen/2026-11/20/content_1.htm"
    assert first.summary == "会议指出，要保障群众温暖过冬。"  # script, tags and the BEL character gone
    assert first.published_at == dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
    assert first.status == ItemStatus.SHOWN and first.section == sections.gov and first.run == run
    assert set(items) == {"国务院常务会议研究部署冬季能源保供", "国务院办公厅关于优化政务服务的意见"}
    source.refresh_from_db()
    assert source.consecutive_failures == 0 and source.next_run_at == run.next_attempt_at
    assert run.next_attempt_at - run.finished_at < dt.timedelta(minutes=61)


def test_atom_entries_are_read(site, sections):
    source = _source(sections.gd, f"{site.base}/atom.xml", name="广东省人民政府")
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.OK and run.items_new == 2
    items = {item.url: item for item in HarvestedItem.objects.filter(source=source)}
    one = items["https://www.gd.gov.cn/zwgk/1.html"]
    assert one.title == "广东省推进新型工业化实施方案" and one.summary == "方案提出 推动制造业高质量发展"
    assert items["https://www.gd.gov.cn/zwgk/2.html"].published_at == dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC)


def test_html_list_page_is_read_with_css_selectors(site, sections):
    source = _source(
        sections.gd,
        f"{site.base}/list/index.html",
        name="广东省人民政府网站",
        kind="html",
        item_selector="#main ul.news > li",
        title_selector="a",
        date_selector="span.date",
        date_format="%Y年%m月%d日",
        summary_selector="p.sum",
    )
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.OK, run.error
    assert (run.items_found, run.items_new, run.items_skipped) == (4, 3, 1)
    assert "1 条日期无法识别" in run.detail
    items = {item.url: item for item in HarvestedItem.objects.filter(source=source)}
    first = items[f"{site.base}/list/art/1.html"]
    # The title attribute holds the full title; GBK decoded from <meta charset>.
    assert first.title == "珠海市召开营商环境优化工作会议（全文标题）"
    assert first.summary == "会议部署下一阶段工作。"
    assert first.published_at == dt.datetime(2026, 11, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    undated = items[f"{site.base}/list/art/3.html"]
    assert undated.published_at is None and undated.sort_at == undated.harvested_at
    assert f"{site.base}/not-an-item" not in items


def test_a_selector_that_matches_nothing_fails_the_run(site, sections):
    source = _source(sections.gd, f"{site.base}/list/index.html", kind="html", item_selector="table.news tr")
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.FAILED and "没有匹配到任何条目" in run.error


def test_css_translation_and_refused_selectors():
    assert css_to_xpath("ul.news > li") == (
        "descendant::ul[contains(concat(' ', normalize-space(@class), ' '), \" news \")]/child::li"
    )
    assert css_to_xpath("a[href^='/art']") == 'descendant::a[starts-with(@href, "/art")]'
    for bad in ("a:hover", "ul::before", "li >", "", "a ! b"):
        with pytest.raises(SelectorError):
            css_to_xpath(bad)


# --- deduplication --------------------------------------------------------------------


def test_items_are_deduplicated_by_url_and_by_content_across_runs_and_sources(site, sections):
    source = _source(sections.gov, f"{site.base}/rss.xml")
    assert services.run_source(source_id=source.pk).items_new == 2
    again = services.run_source(source_id=source.pk)
    assert (again.outcome, again.items_new, again.items_duplicate) == (RunOutcome.OK, 0, 2)
    # The same news at other addresses (a repost) is the same content.
    repost = _source(sections.gd, f"{site.base}/copy.xml", name="转载站")
    copied = services.run_source(source_id=repost.pk)
    assert (copied.items_new, copied.items_duplicate) == (0, 2)
    # A new item in the feed is the only new one.
    site.state.rss = RSS.replace(
        "<item><title>没有链接的条目</title></item>",
        "<item><title>国务院新闻办举行发布会</title><link>/xinwen/3.htm</link><description>介绍外贸运行情况。</description></item>",
    )
    third = services.run_source(source_id=source.pk)
    assert (third.items_new, third.items_duplicate) == (1, 2)
    assert HarvestedItem.objects.count() == 3
    assert HarvestedItem.objects.filter(url=f"{site.base}/xinwen/3.htm").exists()


# --- review -----------------------------------------------------------------------------


def test_a_source_that_requires_review_keeps_items_hidden_until_approved(site, sections, django_capture_on_commit_callbacks):
    source = _source(sections.gov, f"{site.base}/rss.xml", requires_review=True)
    run = services.run_source(source_id=source.pk)
    assert run.items_new == 2 and "2 条待审核" in run.detail
    assert set(HarvestedItem.objects.values_list("status", flat=True)) == {ItemStatus.PENDING}
    portal = _portal()
    assert "国务院常务会议研究部署冬季能源保供" not in portal.get("/zhuanzai/guowuyuan/").content.decode()

    centre = centre_client()
    queue = centre.get("/admin/harvest/review/")
    assert queue.status_code == 200 and "国务院常务会议研究部署冬季能源保供" in queue.content.decode()
    first = HarvestedItem.objects.get(title="国务院常务会议研究部署冬季能源保供")
    other = HarvestedItem.objects.get(title="国务院办公厅关于优化政务服务的意见")
    # The reviews commit, as in production: their after-commit purge empties the section's cached page.
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post("/admin/harvest/review/", {"item": [str(first.pk)], "decision": "approve", "status": "pending"})
        assert response.status_code == 302
        centre.post("/admin/harvest/review/", {"item": [str(other.pk)], "decision": "reject", "status": "pending"})
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.status == ItemStatus.SHOWN and first.reviewed_by.username == "centre" and first.reviewed_at is not None
    assert other.status == ItemStatus.REJECTED
    html = portal.get("/zhuanzai/guowuyuan/").content.decode()
    assert "国务院常务会议研究部署冬季能源保供" in html and "国务院办公厅关于优化政务服务的意见" not in html
    # A rejected item stays rejected: the next run finds it a duplicate.
    assert services.run_source(source_id=source.pk).items_new == 0
    # No selection, or an unknown decision: a message, not an error page.
    bad = centre.post("/admin/harvest/review/", {"decision": "approve"}, follow=True)
    assert bad.status_code == 200 and "请先选择要处理的信息" in bad.content.decode()
    nul = centre.post("/admin/harvest/review/", {"item": ["1\x00"], "decision": "explode"}, follow=True)
    assert nul.status_code == 200


# --- what may be fetched ------------------------------------------------------------------


def test_robots_txt_disallow_is_respected(site, sections):
    source = _source(sections.gov, f"{site.base}/private/rss.xml")
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.FAILED and "robots.txt 禁止抓取" in run.error
    assert site.state.hits.get("/private/rss.xml") is None and not HarvestedItem.objects.exists()
    # A redirect into the disallowed path is refused at that hop.
    moved = _source(sections.gov, f"{site.base}/moved.xml", name="跳转来源")
    assert "robots.txt 禁止抓取" in services.run_source(source_id=moved.pk).error
    site.state.robots = "User-agent: *\nDisallow:\n"
    allowed = _source(sections.gov, f"{site.base}/mirror/rss.xml", name="镜像")
    assert services.run_source(source_id=allowed.pk).outcome == RunOutcome.OK


def test_a_private_address_is_refused_unless_allowed(site, sections, settings):
    source = _source(sections.gov, f"{site.base}/rss.xml")
    settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = []
    run = services.run_source(source_id=source.pk)
    assert run.outcome == RunOutcome.FAILED and run.error == "禁止访问内网地址：127.0.0.1"
    assert site.state.hits == {}  # nothing was contacted, not even robots.txt
    by_name = _source(sections.gov, f"http://localhost:{site.port}/rss.xml", name="按域名")
    assert "禁止访问内网地址" in services.run_source(source_id=by_name.pk).error
    settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{site.port}"]
    assert services.run_source(source_id=source.pk).outcome == RunOutcome.OK


# --- failures, retries and the schedule -------------------------------------------------------


def test_errors_are_recorded_on_the_run_and_the_next_source_still_runs(site, sections, monkeypatch):
    monkeypatch.setattr(services, "FETCH_LIMITS", FetchLimits(timeout_s=0.5, max_bytes=200 * 1024))
    failing = {
        "/error.xml": "HTTP 500",
        "/slow.xml": "超时（0.5 秒内未完成）",
        "/garbage.xml": "无法解析为 RSS/Atom",
        "/big.xml": "内容超过 200 KB 上限",
        "/missing.xml": "HTTP 404",
    }
    for index, path in enumerate(failing):
        _source(sections.gov, f"{site.base}{path}", name=f"来源{index}")
    # Created last, so run last: the failures before it do not stop it.
    _source(sections.gov, f"{site.base}/rss.xml", name="最后一个来源")

    now = dt.datetime.now(dt.UTC)
    runs = services.run_due_sources(now=now)
    assert len(runs) == 6 and runs[-1].source.name == "最后一个来源"
    by_url = {run.source.url.removeprefix(site.base): run for run in runs}
    for path, message in failing.items():
        run = by_url[path]
        assert run.outcome == RunOutcome.FAILED and run.error.startswith(message), (path, run.error)
        assert run.finished_at is not None and run.attempt == 1
    assert by_url["/error.xml"].status_code == 500
    assert by_url["/rss.xml"].outcome == RunOutcome.OK and by_url["/rss.xml"].items_new == 2

    # Back-off: a transient failure is tried again after 5 minutes, then 10; nothing is due meanwhile.
    error_source = by_url["/error.xml"].source
    error_source.refresh_from_db()
    assert error_source.consecutive_failures == 1
    assert dt.timedelta(minutes=4) < error_source.next_run_at - now < dt.timedelta(minutes=6)
    # A body that does not parse is not retried before the source's usual interval.
    garbage = by_url["/garbage.xml"].source
    garbage.refresh_from_db()
    assert garbage.next_run_at - now >= dt.timedelta(minutes=59)
    assert services.run_due_sources(now=now + dt.timedelta(minutes=1)) == []
    later = services.run_due_sources(now=now + dt.timedelta(minutes=7))
    assert {run.source.url.removeprefix(site.base) for run in later} >= {"/error.xml", "/slow.xml"}
    second = next(run for run in later if run.source_id == error_source.pk)
    assert second.attempt == 2 and "连续第 2 次失败" in second.detail
    assert dt.timedelta(minutes=9) < second.next_attempt_at - second.started_at < dt.timedelta(minutes=11)
    # Deactivated sources are never due.
    HarvestSource.objects.update(active=False)
    assert services.run_due_sources(now=now + dt.timedelta(days=2)) == []


def test_the_schedule_runs_every_five_minutes(db):
    schedule = Schedule.objects.get(func="harvest.tasks.run_due_sources")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 5, -1)
    assert tasks.run_due_sources() == "抓取来源 0 个，失败 0 个"


# --- the centre's admin ---------------------------------------------------------------------


def test_centre_sees_runs_and_errors_and_runs_a_source_now(site, sections, django_capture_on_commit_callbacks):
    source = _source(sections.gov, f"{site.base}/error.xml")
    services.run_source(source_id=source.pk)
    centre = centre_client()
    overview = centre.get("/admin/harvest/")
    html = overview.content.decode()
    assert overview.status_code == 200 and "中国政府网" in html and "HTTP 500" in html
    detail = centre.get(f"/admin/harvest/source/{source.pk}/")
    assert detail.status_code == 200 and "立即抓取" in detail.content.decode() and "HTTP 500" in detail.content.decode()

    HarvestSource.objects.filter(pk=source.pk).update(url=f"{site.base}/rss.xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(f"/admin/harvest/source/{source.pk}/run/")
    assert response.status_code == 302
    run = HarvestRun.objects.filter(source=source).first()
    assert run.trigger == "manual" and run.outcome == RunOutcome.OK and run.items_new == 2
    page = centre.get(f"/admin/harvest/source/{source.pk}/").content.decode()
    assert "国务院常务会议研究部署冬季能源保供" in page and "立即抓取" in page
    assert centre.get("/admin/harvest/source/999999/").status_code == 404


def test_source_form_refuses_bad_selectors_in_chinese(sections):
    centre = centre_client()
    data = {
        "name": "省政府网站",
        "kind": "html",
        "url": "https://www.gd.gov.cn/gdywdt/",
        "section": str(sections.gd.pk),
        "interval_minutes": "60",
        "active": "on",
        "item_selector": "ul.list li:hover",
        "title_selector": "a",
        "date_selector": "span",
        "date_format": "%Y-%q",
        "summary_selector": "",
    }
    response = centre.post("/admin/harvest/sources/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "无法识别" in html and "日期格式只能使用" in html
    assert not HarvestSource.objects.exists()
    data.update(item_selector="ul.list > li", date_format="%Y-%m-%d")
    created = centre.post("/admin/harvest/sources/new/", data)
    source = HarvestSource.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/admin/harvest/source/{source.pk}/"
    # Editing reschedules it for the next tick.
    HarvestSource.objects.filter(pk=source.pk).update(next_run_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC), consecutive_failures=3)
    edited = centre.post(f"/admin/harvest/sources/edit/{source.pk}/", {**data, "interval_minutes": "30"})
    assert edited.status_code == 302
    source.refresh_from_db()
    assert source.interval_minutes == 30 and source.next_run_at is None and source.consecutive_failures == 0


def test_a_section_in_use_is_not_deleted(site, sections):
    _source(sections.gov, f"{site.base}/rss.xml")
    response = centre_client().post(f"/admin/harvest/sections/delete/{sections.gov.pk}/", follow=True)
    assert response.status_code == 200 and "不能删除" in response.content.decode()
    assert HarvestSection.objects.filter(pk=sections.gov.pk).exists()
    unused = centre_client().post(f"/admin/harvest/sections/delete/{sections.gd.pk}/")
    assert unused.status_code == 302 and not HarvestSection.objects.filter(pk=sections.gd.pk).exists()


def test_only_the_centre_has_these_screens(unit_a, sections):
    assert unit_admin_client(unit_a).get("/admin/harvest/").status_code == 404
    with schema_context("public"):
        user = get_user_model().objects.create_user(username="jiancha_h", password="jiancha-h-pw")
        user.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
    supervisor = logged_in_client(schema_name="public", host="localhost", username="jiancha_h", password="jiancha-h-pw")
    # Wagtail's admin answers a refused screen with a redirect to its home page and a message.
    for path in ("/admin/harvest/", "/admin/harvest/review/", "/admin/harvest/sources/"):
        refused = supervisor.get(path)
        assert refused.status_code in (302, 403) and "harvest" not in refused.get("Location", "")
    from wagtail.admin.menu import admin_menu

    from tests.support.menus import menu_labels as _labels

    def harvest_menu(user):
        reverse("wagtailadmin_home")
        request = RequestFactory().get("/admin/")
        request.user = user
        return [entry for entry in _labels(admin_menu, request) if isinstance(entry, tuple) and entry[0] == "网上抓取"]

    with schema_context("public"):
        assert harvest_menu(user) == []
        assert harvest_menu(get_user_model().objects.get(username="centre")) == [
            ("网上抓取", ["抓取概况", "抓取来源", "待审核信息", "转载栏目"])
        ]
    with schema_context(unit_a.schema_name):
        assert harvest_menu(get_user_model().objects.get(username="ta_admin")) == []


# --- the portal ------------------------------------------------------------------------------


def test_portal_sections_list_items_with_source_and_link(site, sections):
    source = _source(sections.gov, f"{site.base}/rss.xml")
    services.run_source(source_id=source.pk)
    portal = _portal()
    index = portal.get("/zhuanzai/")
    html = index.content.decode()
    assert index.status_code == 200 and "国务院信息" in html and "省政府信息" in html
    assert 'href="/zhuanzai/guowuyuan/"' in html and "国务院常务会议研究部署冬季能源保供" in html

    page = portal.get("/zhuanzai/guowuyuan/")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-CN">' in html
    assert f'<a href="{site.base}/yaowen/2026-11/20/content_1.htm" rel="noopener" target="_blank">' in html
    assert "来源：中国政府网" in html and "2026-11-20" in html
    # Newest first.
    assert html.index("国务院常务会议研究部署冬季能源保供") < html.index("国务院办公厅关于优化政务服务的意见")
    assert portal.get("/zhuanzai/nosuch/").status_code == 404
    assert portal.get("/zhuanzai/guowuyuan/?page=%00").status_code == 200
    assert portal.get("/zhuanzai/guowuyuan/?page=99999").status_code == 200


def test_section_pages_are_paginated_newest_first(site, sections):
    site.state.rss = _page(25)
    source = _source(sections.gov, f"{site.base}/rss.xml")
    assert services.run_source(source_id=source.pk).items_new == 25
    portal = _portal()
    first = portal.get("/zhuanzai/guowuyuan/").content.decode()
    assert "国务院信息第24条" in first and "国务院信息第4条" not in first and "第 1 / 2 页" in first
    second = portal.get("/zhuanzai/guowuyuan/?page=2").content.decode()
    assert "国务院信息第4条" in second and "国务院信息第0条" in second and "国务院信息第24条" not in second


def test_homepage_block_tag(site, sections):
    source = _source(sections.gov, f"{site.base}/rss.xml")
    services.run_source(source_id=source.pk)
    html = Template('{% load harvest_tags %}{% harvested_section "guowuyuan" limit=1 %}').render(Context({}))
    assert "<h2" in html and "国务院信息" in html and 'href="/zhuanzai/guowuyuan/"' in html and "更多" in html
    assert "国务院常务会议研究部署冬季能源保供" in html and "国务院办公厅关于优化政务服务的意见" not in html
    assert 'rel="noopener"' in html and "中国政府网" in html
    assert Template('{% load harvest_tags %}{% harvested_section "nosuch" %}').render(Context({})).strip() == ""


def test_harvested_items_never_count_as_a_units_content(site, sections, unit_a, content):
    column = content.column(unit_a, title="部门动态")
    content.news(unit_a, column=column, title="测试甲局召开工作会议", body="部署工作。")
    before = oversight_selectors.unit_state(unit=unit_a)
    source = _source(sections.gov, f"{site.base}/rss.xml")
    assert services.run_source(source_id=source.pk).items_new == 2

    titles = [hit.title for hit in latest_documents(limit=50)]
    assert "测试甲局召开工作会议" in titles
    assert not any("国务院" in title for title in titles)
    after = oversight_selectors.unit_state(unit=unit_a)
    assert [(c.title, c.item_count) for c in after.columns] == [(c.title, c.item_count) for c in before.columns]
    home = _portal().get("/").content.decode()
    assert "测试甲局召开工作会议" in home
    # On the homepage a harvested item is only in its own section's block, never among the units' news.
    news_block = home.split('id="section-news"', 1)[1].split("</section>", 1)[0]
    assert "国务院常务会议研究部署冬季能源保供" not in news_block


# --- the demo --------------------------------------------------------------------------------------


@pytest.fixture
def demo_site():
    """The demo's static files as the demo server serves them."""

    def build(ports):
        app = web.Application()
        app.router.add_static(demo.STATIC_PATH, demo.DEMO_DIR)
        return [app]

    with ServerThread(build, count=1, max_lifetime_s=60) as server:
        yield f"http://127.0.0.1:{server.ports[0]}"


def test_demo_seeds_two_sections_fed_by_local_sources(db, demo_site):
    lines = demo.seed(base_url=demo_site)
    assert len(lines) == 2 and all("成功" in line for line in lines)
    gov = HarvestSection.objects.get(slug="guowuyuan")
    gd = HarvestSection.objects.get(slug="shengzhengfu")
    assert HarvestedItem.objects.filter(section=gov, status=ItemStatus.SHOWN).count() == 10
    assert HarvestedItem.objects.filter(section=gd, status=ItemStatus.SHOWN).count() == 6
    assert HarvestedItem.objects.filter(section=gd, status=ItemStatus.PENDING).count() == 2
    item = HarvestedItem.objects.filter(section=gov).first()
    assert item.url.startswith(f"{demo_site}/static/harvest/demo/gov/articles/")
    html = _portal().get("/zhuanzai/guowuyuan/").content.decode()
    assert "中国政府网（演示）" in html and "国务院常务会议部署做好今冬明春能源保供工作" in html

    # Once the server listens, the schedule fetches the same files over HTTP: nothing new.
    for source in HarvestSource.objects.all():
        run = services.run_source(source_id=source.pk)
        assert run.outcome == RunOutcome.OK and run.items_new == 0 and run.items_duplicate >= 8, run.error
    assert demo.seed(base_url=demo_site) == [
        "网上抓取：中国政府网（演示） 已有抓取记录，未重复导入",
        "网上抓取：广东省人民政府（演示） 已有抓取记录，未重复导入",
    ]
    # Every link of the demo opens its stand-in original.
    for url in HarvestedItem.objects.values_list("url", flat=True):
        path = url.removeprefix(f"{demo_site}{demo.STATIC_PATH}/")
        assert (demo.DEMO_DIR / path).is_file(), url
