"""Monitoring of the units' sites: freshness scores, link checks, the centre's views and reports."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from aiohttp import web
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from wagtail.models import Revision, Site
from wagtail.rich_text import RichText

from oversight import selectors, services
from oversight.freshness import SHANGHAI
from oversight.models import AvailabilityProbe, BrokenLink, CheckRun, FreshnessSnapshot
from sitepages.models import ColumnListingPage, NewsPage
from tenants.models import Domain, Unit
from tests.support.clients import centre_client, unit_admin_client
from tests.support.servers import ServerThread


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _column(home, *, title: str, slug: str, kind: str, policy_days: int | None, item_type: str = "news"):
    column = ColumnListingPage(title=title, slug=slug, item_type=item_type, column_kind=kind, policy_days=policy_days)
    return home.add_child(instance=column)


def _news(column, *, slug: str, days_ago: int):
    return column.add_child(
        instance=NewsPage(
            title=f"工作动态{slug}",
            slug=slug,
            author="张三",
            source="市测试甲局",
            publish_date=_today() - dt.timedelta(days=days_ago),
            body=[("paragraph", RichText("<p>召开工作会议。</p>"))],
        )
    )


def _build_columns(unit) -> SimpleNamespace:
    """A dynamic column 20 days old, an empty policy column and a static column 40 days old."""
    with schema_context(unit.schema_name):
        home = Site.objects.get().root_page
        news = _column(home, title="部门动态", slug="bmdt", kind="dynamic", policy_days=14)
        _news(news, slug="n1", days_ago=20)
        _news(news, slug="n0", days_ago=25)
        notices = _column(home, title="通知公告", slug="tzgg", kind="policy", policy_days=None, item_type="notice")
        static = _column(home, title="机构职能", slug="jgzn", kind="static", policy_days=30)
        _news(static, slug="s1", days_ago=40)
        return SimpleNamespace(news=news, notices=notices, static=static)


# --- freshness ------------------------------------------------------------------


def test_freshness_of_hand_built_columns(unit_a, django_assert_max_num_queries):
    columns = _build_columns(unit_a)
    # 14: two of them are 互动交流's (interaction.selectors.freshness_state: the cases' aggregate, the channel page),
    # one the retired requirements, four the homepage's dynamic information (sitepages.homepage: the home page,
    # its columns, view restrictions, one UNION).
    with django_assert_max_num_queries(14):
        state = selectors.unit_state(unit=unit_a)
    by_title = {column.title: column for column in state.columns}
    assert by_title["部门动态"].item_count == 2 and by_title["部门动态"].edit_url == f"/admin/pages/{columns.news.id}/edit/"
    assert by_title["通知公告"].policy_days == 183 and by_title["通知公告"].item_count == 0

    snapshot = services.score_and_record(unit=unit_a)
    reasons = [d["reason"] for d in snapshot.deductions]
    assert "栏目「部门动态」已 20 天未更新（要求 14 天）" in reasons
    assert "栏目「通知公告」为空白栏目（通知公告及政策文件类，无任何信息）" in reasons
    assert "栏目「机构职能」已 40 天未更新或核查（要求 30 天）" in reasons
    assert "首页动态信息已 20 天未更新（要求每 7 天至少更新一次）" in reasons
    # These hand-built columns have no 互动渠道 page: 互动回应差 applies too (tests/test_interaction.py).
    assert snapshot.vetoes == [
        "首页动态信息已 20 天未更新（≥14 天）",
        "互动回应差：网站没有可用的互动交流渠道（互动渠道栏目未开设或未发布）",
    ]
    assert (snapshot.stale_columns, snapshot.empty_columns, snapshot.passed) == (2, 1, False)
    assert snapshot.score == 100 - (5 + 5 + 2 + 10)
    run = CheckRun.objects.get(unit=unit_a, kind="freshness")
    assert run.outcome == "ok" and run.finished_at is not None


def test_unit_state_query_count_does_not_grow_with_columns(unit_a, django_assert_max_num_queries):
    _build_columns(unit_a)
    with schema_context(unit_a.schema_name):
        home = Site.objects.get().root_page
        for n in range(6):
            _news(_column(home, title=f"栏目{n}", slug=f"lm{n}", kind="dynamic", policy_days=14), slug=f"x{n}", days_ago=1)
    # 14: two of them are 互动交流's (interaction.selectors.freshness_state: the cases' aggregate, the channel page),
    # one the retired requirements, four the homepage's dynamic information (sitepages.homepage: the home page,
    # its columns, view restrictions, one UNION).
    with django_assert_max_num_queries(14):
        state = selectors.unit_state(unit=unit_a)
    assert len(state.columns) == 9


def test_confirmation_from_dashboard_resets_static_column(unit_a):
    columns = _build_columns(unit_a)
    services.score_and_record(unit=unit_a)
    client = unit_admin_client(unit_a)

    dashboard = client.get("/admin/")
    html = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert "网站监测：更新及时性" in html and f"/admin/pages/{columns.static.id}/edit/" in html
    assert f"/admin/oversight/columns/{columns.static.id}/confirm/" in html
    # Only static columns get the confirmation button.
    assert f"/admin/oversight/columns/{columns.news.id}/confirm/" not in html

    response = client.post(f"/admin/oversight/columns/{columns.static.id}/confirm/")
    assert response.status_code == 302
    with schema_context(unit_a.schema_name):
        page = ColumnListingPage.objects.get(pk=columns.static.id)
        assert page.last_confirmed_by == "ta_admin" and page.last_confirmed_at is not None
    latest = FreshnessSnapshot.objects.filter(unit=unit_a).first()
    reasons = [d["reason"] for d in latest.deductions]
    assert not any("机构职能" in reason for reason in reasons)
    assert latest.stale_columns == 1

    refused = client.post(f"/admin/oversight/columns/{columns.news.id}/confirm/")
    assert refused.status_code == 302
    with schema_context(unit_a.schema_name):
        assert ColumnListingPage.objects.get(pk=columns.news.id).last_confirmed_at is None


def test_republishing_an_old_revision_keeps_the_confirmation_and_policy(unit_a):
    columns = _build_columns(unit_a)
    with schema_context(unit_a.schema_name):
        page = ColumnListingPage.objects.get(pk=columns.static.id)
        old_revision = page.save_revision()
        page.intro = "<p>新的栏目说明</p>"
        page.save_revision().publish()
    with schema_context(unit_a.schema_name):
        page = ColumnListingPage.objects.get(pk=columns.static.id)
        page.last_confirmed_at = timezone.now()
        page.last_confirmed_by = "ta_admin"
        page.policy_days = 20
        page.save(update_fields=["last_confirmed_at", "last_confirmed_by", "policy_days"])
        confirmed_at = page.last_confirmed_at

        # As the admin's revisions view does: the revision loaded afresh.
        Revision.objects.get(pk=old_revision.pk).publish()

        page = ColumnListingPage.objects.get(pk=columns.static.id)
        assert page.intro == ""  # the old revision's content is live again
        assert (page.last_confirmed_at, page.last_confirmed_by, page.policy_days) == (confirmed_at, "ta_admin", 20)
        assert page.column_kind == "static" and page.item_type == "news"
        # An editor's next draft starts from the latest revision and keeps them too.
        draft = page.get_latest_revision_as_object()
        assert (draft.last_confirmed_at, draft.policy_days) == (confirmed_at, 20)


# --- links ----------------------------------------------------------------------


def _html(body: str) -> web.Response:
    return web.Response(text=f"<!DOCTYPE html><html><body>{body}</body></html>", content_type="text/html", charset="utf-8")


@pytest.fixture
def unit_site(unit_a, settings):
    state = SimpleNamespace(fixed=False)

    async def handler(request: web.Request) -> web.StreamResponse:
        match request.path:
            case "/":
                return _html('<a href="/about/">关于我们</a><a href="/missing/">失效链接</a><a href="/ok/">正常</a>')
            case "/about/":
                return _html('<a href="/gone/">旧文件</a><a href="/">首页</a>')
            case "/ok/":
                return _html("正常")
            case "/missing/" if state.fixed:
                return _html("已恢复")
            case "/gone/":
                return web.Response(status=410)
        raise web.HTTPNotFound()

    def build(ports):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        return [app]

    with ServerThread(build, count=1, max_lifetime_s=60) as server:
        port = server.ports[0]
        settings.PORTAL_PORT = str(port)
        settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
        Domain.objects.create(domain="127.0.0.1", tenant=unit_a, is_primary=True)
        yield SimpleNamespace(state=state, base=f"http://127.0.0.1:{port}")


def test_link_check_records_and_resolves_broken_links(unit_a, unit_site):
    base = unit_site.base
    services.check_unit_links(unit=unit_a)
    links = {link.url: link for link in BrokenLink.objects.filter(unit=unit_a)}
    assert set(links) == {f"{base}/missing/", f"{base}/gone/"}
    assert links[f"{base}/missing/"].status == 404
    assert links[f"{base}/missing/"].sources == [{"page": f"{base}/", "text": "失效链接"}]
    assert links[f"{base}/gone/"].sources == [{"page": f"{base}/about/", "text": "旧文件"}]
    first_seen = links[f"{base}/gone/"].first_seen

    unit_site.state.fixed = True
    services.check_unit_links(unit=unit_a)
    missing = BrokenLink.objects.get(unit=unit_a, url=f"{base}/missing/")
    gone = BrokenLink.objects.get(unit=unit_a, url=f"{base}/gone/")
    assert missing.resolved_at is not None
    assert gone.resolved_at is None and gone.first_seen == first_seen and gone.last_seen > first_seen
    assert list(selectors.open_broken_links(unit=unit_a).values_list("url", flat=True)) == [f"{base}/gone/"]
    runs = CheckRun.objects.filter(unit=unit_a, kind="links_full")
    assert [run.outcome for run in runs] == ["ok", "ok"]


def test_homepage_only_check_leaves_unseen_links_open(unit_a, unit_site):
    base = unit_site.base
    services.check_unit_links(unit=unit_a)
    services.check_unit_links(unit=unit_a, homepage_only=True)
    # /gone/ sits on /about/, which a homepage check does not crawl.
    assert set(selectors.open_broken_links(unit=unit_a).values_list("url", flat=True)) == {f"{base}/missing/", f"{base}/gone/"}


def test_availability_probe(unit_a, unit_site):
    probe = services.probe_availability(unit=unit_a, timeout_s=5)
    assert probe.ok and probe.status == 200
    assert selectors.availability_failure_ratio(unit=unit_a) == 0.0


def test_checks_reach_the_units_own_localhost_host_without_an_allow_list(unit_a, unit_site, settings):
    # As in the demo: the unit lives at ta.localhost:<port>, which the system
    # resolver may not know; its own hosts need no allow-list entry.
    settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = []
    Domain.objects.filter(tenant=unit_a).update(is_primary=False)
    Domain.objects.filter(tenant=unit_a, domain="ta.localhost").update(is_primary=True)
    unit_a.refresh_from_db()
    probe = services.probe_availability(unit=unit_a, timeout_s=5)
    assert probe.ok and probe.status == 200
    run = services.check_unit_links(unit=unit_a)
    assert run.outcome == "ok" and "检查页面 3 个" in run.detail
    port = settings.PORTAL_PORT
    assert set(selectors.open_broken_links(unit=unit_a).values_list("url", flat=True)) == {
        f"http://ta.localhost:{port}/missing/",
        f"http://ta.localhost:{port}/gone/",
    }


def test_a_homepage_the_checker_may_not_fetch_fails_the_run(unit_a, monkeypatch):
    from oversight.linkcheck import CheckConfig, CrawlReport, LinkResult

    def refused(config: CheckConfig) -> CrawlReport:
        start = config.start_url
        result = LinkResult(
            url=start,
            status=None,
            error="禁止访问内网地址",
            redirects=[],
            final_url=start,
            elapsed_ms=0.1,
            method="GET",
            sources=[],
            skipped=True,
        )
        now = timezone.now()
        return CrawlReport(start_url=start, started_at=now, finished_at=now, pages_crawled=0, links={start: result})

    # A crawl that refused its own start page (a report as the crawler makes it).
    monkeypatch.setattr(services, "check_site", refused)
    with pytest.raises(services.CheckFailed, match="未能检查"):
        services.check_unit_links(unit=unit_a)
    assert CheckRun.objects.get(unit=unit_a, kind="links_full").outcome == "failed"


def test_centre_runs_a_check_on_demand_and_sees_the_run(unit_a, unit_site, django_capture_on_commit_callbacks):
    client = centre_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/oversight/units/ta/check/", {"kind": "links_full"})
    assert response.status_code == 302 and response.url == "/admin/oversight/units/ta/"
    run = CheckRun.objects.get(unit=unit_a, kind="links_full")
    assert run.outcome == "ok" and "无法打开 2 个" in run.detail
    assert BrokenLink.objects.filter(unit=unit_a, resolved_at__isnull=True).count() == 2

    detail = client.get("/admin/oversight/units/ta/").content.decode()
    assert "最近检查记录" in detail and run.detail in detail and "立即全站链接检查" in detail

    # The same check still running is not queued a second time.
    CheckRun.objects.create(unit=unit_a, kind="links_full", started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused = client.post("/admin/oversight/units/ta/check/", {"kind": "links_full"}, follow=True)
    assert callbacks == [] and "正在进行" in refused.content.decode()
    assert client.post("/admin/oversight/units/ta/check/", {"kind": "reboot"}, follow=True).status_code == 200
    # The link check and the one refused; the link check rescored the unit after it (a freshness run).
    assert CheckRun.objects.filter(unit=unit_a).exclude(kind="freshness").count() == 2


def test_unit_staff_rescore_their_own_site_from_the_dashboard(unit_a, unit_b, django_capture_on_commit_callbacks):
    _build_columns(unit_a)
    client = unit_admin_client(unit_a)
    dashboard = client.get("/admin/").content.decode()
    assert "立即检查本站链接" in dashboard and "/admin/oversight/check/" in dashboard
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/oversight/check/", {"kind": "freshness"})
    assert response.status_code == 302
    # Only the unit that asked is scored.
    assert list(FreshnessSnapshot.objects.values_list("unit__code", flat=True)) == ["ta"]
    # A unit cannot start the centre's per-unit view for another unit.
    other = client.post("/admin/oversight/units/tb/check/", {"kind": "freshness"})
    assert other.status_code == 404


def test_first_checks_are_scheduled_once_and_remove_themselves(db):
    from django_q.models import Schedule

    services.schedule_first_checks(delay=dt.timedelta(seconds=30))
    services.schedule_first_checks(delay=dt.timedelta(seconds=30))
    once = Schedule.objects.filter(schedule_type=Schedule.ONCE)
    assert once.count() == 3 and set(once.values_list("repeats", flat=True)) == {-1}
    assert set(once.values_list("kwargs", flat=True)) == {"kind='availability'", "kind='links_full'", "kind='freshness'"}
    assert all(s.next_run > timezone.now() for s in once)


def test_availability_alerts_when_the_failure_ratio_crosses_each_line(
    unit_a, unit_site, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    with schema_context("public"):
        User.objects.filter(username="centre").update(email="centre@zhuhai.gov.cn")
    with schema_context(unit_a.schema_name):
        head = User.objects.create_user("ta_head", email="head@ta.gov.cn", password="x")
        head.groups.add(Group.objects.get(name="第一责任人"))
        User.objects.create_user("ta_reader", email="reader@ta.gov.cn", password="x")  # in no alerted group
    now = timezone.now()
    AvailabilityProbe.objects.bulk_create(
        AvailabilityProbe(unit=unit_a, checked_at=now - dt.timedelta(hours=h), ok=True, status=200, elapsed_ms=5)
        for h in range(1, 21)
    )
    settings.PORTAL_PORT = "1"  # nothing listens on port 1: the homepage is refused
    levels = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            probe = services.probe_availability(unit=unit_a, timeout_s=5)
        assert not probe.ok and probe.error
        levels.append(selectors.availability_level(selectors.availability_failure_ratio(unit=unit_a)))
    # 1 of 21 fails (4.8 %: warning), 2 of 22 (9.1 %: veto), 3 of 23 (still veto: no new mail).
    assert levels == ["warning", "veto", "veto"]
    subjects = [(mail.subject, tuple(mail.to)) for mail in mailoutbox]
    assert subjects == [
        ("【政府网站群】测试甲局网站首页访问失败率超过预警线", ("head@ta.gov.cn",)),
        ("【政府网站群】测试甲局网站首页访问失败率超过预警线", ("centre@zhuhai.gov.cn",)),
        ("【政府网站群】测试甲局网站首页访问失败率超过单项否决线", ("head@ta.gov.cn",)),
        ("【政府网站群】测试甲局网站首页访问失败率超过单项否决线", ("centre@zhuhai.gov.cn",)),
    ]
    assert "4.8%" in mailoutbox[0].body and "/admin/oversight/units/ta/" in mailoutbox[1].body


# --- information centre views and reports ---------------------------------------


def test_public_dashboard_lists_units_with_drill_down(unit_a, unit_b):
    _build_columns(unit_a)
    snapshot = services.score_and_record(unit=unit_a)
    for weeks_ago, score in ((3, 60), (2, 70), (1, 80)):
        FreshnessSnapshot.objects.create(
            unit=unit_a,
            taken_at=timezone.now() - dt.timedelta(weeks=weeks_ago),
            score=score,
            passed=True,
            stale_columns=0,
            empty_columns=0,
            broken_links=0,
            detail={},
        )
    now = timezone.now()
    BrokenLink.objects.create(
        unit=unit_a,
        url="http://ta.localhost/old/",
        status=404,
        sources=[{"page": "http://ta.localhost/", "text": "旧链接文字"}],
        first_seen=now,
        last_seen=now,
    )
    client = centre_client()
    overview = client.get("/admin/oversight/")
    assert overview.status_code == 200
    html = overview.content.decode()
    assert "测试甲局" in html and "测试乙局" in html and "尚未评分" in html
    assert f'<td class="score">{snapshot.score}</td>' in html
    # Unit A's trend over four weeks: 60, 70, 80, then today's score.
    trend = html.split('<tr class="unit-ta">', 1)[1].split("</tr>", 1)[0]
    assert "<polyline" in trend and trend.count(",") >= 4 and f' {snapshot.score} 分"' in trend and " 60 分，" in trend

    detail = client.get("/admin/oversight/units/ta/").content.decode()
    assert "首页动态信息已 20 天未更新" in detail
    assert "http://ta.localhost/old/" in detail and "旧链接文字" in detail
    assert "<svg" in detail and detail.count("<rect") == 4

    # Unit admins do not see the centre's view.
    unit_client = unit_admin_client(unit_a)
    assert unit_client.get("/admin/oversight/").status_code == 404


def test_monthly_reports_download(unit_a, unit_b):
    _build_columns(unit_a)
    snapshot = services.score_and_record(unit=unit_a)
    today = _today()
    client = centre_client()
    response = client.get(f"/admin/oversight/report/?period={today.year}-{today.month}&format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    unit_rows = [row for row in rows if any(isinstance(v, str) and "测试甲局" in v for v in row)]
    assert unit_rows and any(snapshot.score in row for row in unit_rows)

    pdf = client.get(f"/admin/oversight/report/?period={today.year}-{today.month}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/admin/oversight/report/?period=2026-13&format=xlsx").status_code == 404


# --- fan-out, schedules, commands --------------------------------------------------


def test_failing_unit_does_not_stop_the_others(unit_a, unit_b, django_capture_on_commit_callbacks):
    # A unit whose schema is missing: its checks fail at the first query.
    ghost = Unit(code="ghost", name="失联局", schema_name="unit_ghost", sort_order=0)
    ghost.save()
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.run_for_all_units(kind="freshness")
    assert queued == 3
    runs = {run.unit.code: run for run in CheckRun.objects.filter(kind="freshness").select_related("unit")}
    assert runs["ghost"].outcome == "failed" and runs["ghost"].detail
    assert runs["ta"].outcome == "ok" and runs["tb"].outcome == "ok"
    assert set(FreshnessSnapshot.objects.values_list("unit__code", flat=True)) == {"ta", "tb"}


def test_schedules_are_idempotent(db):
    from django_q.models import Schedule

    services.setup_schedules()
    services.setup_schedules()
    schedules = Schedule.objects.filter(func="oversight.tasks.run_for_all_units")
    assert schedules.count() == 4
    availability = schedules.get(kwargs="kind='availability'")
    assert availability.schedule_type == Schedule.MINUTES and 24 * 60 // availability.minutes >= 20
    kinds = {"availability", "links_home", "links_full", "freshness"}
    assert set(schedules.values_list("kwargs", flat=True)) == {f"kind={kind!r}" for kind in kinds}


def test_score_units_command(unit_a, unit_b):
    out = io.StringIO()
    call_command("score_units", stdout=out)
    assert "测试甲局（ta）：" in out.getvalue() and "测试乙局（tb）：" in out.getvalue()
    assert FreshnessSnapshot.objects.filter(unit__code__in=["ta", "tb"]).count() == 2


def test_check_links_command(unit_a, unit_site):
    out = io.StringIO()
    call_command("check_links", "--unit", "ta", "--homepage-only", stdout=out)
    assert "测试甲局（ta）：" in out.getvalue() and "无法打开 1 个" in out.getvalue()
    # The link check, then the score that counts what it found.
    assert list(CheckRun.objects.filter(unit=unit_a).order_by("started_at", "id").values_list("kind", flat=True)) == [
        "links_home",
        "freshness",
    ]
    with pytest.raises(CommandError):
        call_command("check_links", "--unit", "nope")


# --- 首页动态信息 (issue 12 part 3) ----------------------------------------------------


def _leader_with_speech(home, *, days_ago: int):
    from sitepages.models import LeaderPage, SpeechPage

    leader = home.add_child(
        instance=LeaderPage(
            title="市长",
            slug="sz",
            name="李四",
            post="市长",
            email="sz@example.gov.cn",
            division_of_work="主持市政府全面工作。",
            column_kind="plan",
        )
    )
    speech = leader.add_child(
        instance=SpeechPage(
            title="在全市工作会议上的讲话",
            slug="jh1",
            kind="speech",
            author="李四",
            publish_date=_today() - dt.timedelta(days=days_ago),
            body=[("paragraph", RichText("<p>讲话全文。</p>"))],
        )
    )
    return leader, speech


def _latest_section(html: str) -> str:
    """The homepage's 最新动态 section (the column navigation below it lists every page too)."""
    start = html.index('id="h-news"')
    return html[start : html.index("</section>", start)]


def test_homepage_rule_for_a_unit_without_a_news_column(unit_a):
    """市府办公室 has no 部门动态 column: its leaders' speeches and its notices are its homepage dynamic information."""
    from sitepages.homepage import homepage_columns
    from sitepages.models import HomepageDynamicSetting, NoticePage

    with schema_context(unit_a.schema_name):
        home = Site.objects.get().root_page
        leader, _speech = _leader_with_speech(home, days_ago=2)
        notices = _column(home, title="通知公告", slug="tzgg", kind="policy", policy_days=None, item_type="notice")
        notices.add_child(
            instance=NoticePage(
                title="关于节假日值班的通知",
                issuing_body="市测试甲局",
                slug="tz1",
                publish_date=_today() - dt.timedelta(days=10),
                body=[("paragraph", RichText("<p>通知全文。</p>"))],
            )
        )
        assert {p.pk for p in homepage_columns()} == {leader.pk, notices.pk}

    state = selectors.unit_state(unit=unit_a)
    assert state.homepage_newest_dynamic is not None
    snapshot = services.score_and_record(unit=unit_a)
    assert not any("首页" in veto for veto in snapshot.vetoes)
    assert not any(d["kind"] == "homepage" for d in snapshot.deductions)

    # The homepage shows the same items.
    client = unit_admin_client(unit_a)
    page = _latest_section(client.get("/").content.decode())
    assert "在全市工作会议上的讲话" in page and "关于节假日值班的通知" in page

    # The unit administrator chooses the notices only: the homepage and the rule follow.
    edit = "/admin/settings/sitepages/homepagedynamicsetting/"
    with schema_context(unit_a.schema_name):
        site_id = Site.objects.get().pk
    form = client.get(f"{edit}{site_id}/")
    assert form.status_code == 200 and "首页动态信息栏目" in form.content.decode()
    saved = client.post(f"{edit}{site_id}/", {"columns": [notices.pk]})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with schema_context(unit_a.schema_name):
        assert [p.pk for p in HomepageDynamicSetting.for_site(Site.objects.get()).columns.all()] == [notices.pk]
    page = _latest_section(client.get("/").content.decode())
    assert "在全市工作会议上的讲话" not in page and "关于节假日值班的通知" in page
    snapshot = services.score_and_record(unit=unit_a)
    assert "首页动态信息已 10 天未更新（要求每 7 天至少更新一次）" in [d["reason"] for d in snapshot.deductions]
    # The centre's admin has no such setting (the table is in the unit's schema).
    assert edit not in centre_client().get("/admin/").content.decode()


# --- blame only what a unit can fix (issue 12 part 5) ---------------------------------------

FOOTER = '<footer data-platform-template><a href="/footer-gone/">网站地图</a><a href="/ok/">RSS</a></footer>'


@pytest.fixture
def unit_site_with_footer(unit_a, settings):
    async def handler(request: web.Request) -> web.StreamResponse:
        match request.path:
            case "/":
                return _html(f'<a href="/bmdt/">部门动态</a><a href="/missing/">失效链接</a>{FOOTER}')
            case "/bmdt/":
                return _html(f'<a href="/missing/">同一失效链接</a><a href="/">首页</a>{FOOTER}')
            case "/ok/":
                return _html("正常")
        raise web.HTTPNotFound()

    def build(ports):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        return [app]

    with ServerThread(build, count=1, max_lifetime_s=60) as server:
        port = server.ports[0]
        settings.PORTAL_PORT = str(port)
        settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
        Domain.objects.create(domain="127.0.0.1", tenant=unit_a, is_primary=True)
        yield SimpleNamespace(base=f"http://127.0.0.1:{port}")


def test_footer_links_are_the_centres_and_a_unit_sees_its_own_list(unit_a, unit_site_with_footer):
    base = unit_site_with_footer.base
    columns = _build_columns(unit_a)  # 部门动态 is at /bmdt/ in the unit's tree
    centre = selectors.centre_unit()
    assert centre is not None
    services.check_unit_links(unit=unit_a)

    own = {link.url: link for link in selectors.open_broken_links(unit=unit_a)}
    assert set(own) == {f"{base}/missing/"}
    # Listed once, with every page where it appears.
    assert own[f"{base}/missing/"].sources == [
        {"page": f"{base}/", "text": "失效链接"},
        {"page": f"{base}/bmdt/", "text": "同一失效链接"},
    ]
    platform = list(selectors.open_broken_links(unit=centre))
    assert [link.url for link in platform] == [f"{base}/footer-gone/"]
    assert sorted(s["page"] for s in platform[0].sources) == [f"{base}/", f"{base}/bmdt/"]
    # A second run records it once again, not once more.
    services.check_unit_links(unit=unit_a)
    assert selectors.open_broken_links(unit=centre).count() == 1
    assert len(selectors.open_broken_links(unit=centre).get().sources) == 2

    # The score counts the unit's link only, right after the check.
    latest = FreshnessSnapshot.objects.filter(unit=unit_a).first()
    assert latest.broken_links == 1

    # The unit's own list, in its own admin, with an edit link for each page.
    client = unit_admin_client(unit_a)
    listing = client.get("/admin/oversight/links/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert f"{base}/missing/" in html and "footer-gone" not in html
    assert "HTTP 404" in html and "失效链接" in html and "同一失效链接" in html
    assert f"/admin/pages/{columns.news.id}/edit/" in html
    with schema_context(unit_a.schema_name):
        home_id = Site.objects.get().root_page_id
    assert f"/admin/pages/{home_id}/edit/" in html
    assert "/admin/oversight/links/" in client.get("/admin/").content.decode()

    # The dashboard panel agrees with the list.
    dashboard = client.get("/admin/").content.decode()
    assert "无法打开的链接 <a" in dashboard and "1 个</a>" in dashboard
    assert "存在 1 个无法打开的链接" in dashboard
    assert "暂无需要处理的问题" not in dashboard

    # The centre sees the footer link once, under its own heading.
    overview = centre_client().get("/admin/oversight/").content.decode()
    assert "平台公共模板中无法打开的链接" in overview and f"{base}/footer-gone/" in overview


def test_panel_lists_links_found_after_the_last_score(unit_a):
    """No "无法打开的链接 N 个" next to "暂无需要处理的问题"."""
    services.score_and_record(unit=unit_a)
    now = timezone.now()
    BrokenLink.objects.create(
        unit=unit_a,
        url="http://ta.localhost/x/",
        status=404,
        sources=[{"page": "http://ta.localhost/", "text": "x"}],
        first_seen=now,
        last_seen=now,
    )
    dashboard = unit_admin_client(unit_a).get("/admin/").content.decode()
    assert "存在 1 个无法打开的链接（下次评分计入）" in dashboard and "暂无需要处理的问题" not in dashboard


def test_trend_bars_of_vetoed_weeks_are_red(unit_a):
    now = timezone.now()
    for days, passed in ((14, True), (7, False), (0, True)):
        FreshnessSnapshot.objects.create(
            unit=unit_a,
            taken_at=now - dt.timedelta(days=days),
            score=95,
            passed=passed,
            stale_columns=0,
            empty_columns=0,
            broken_links=0,
            detail={"vetoes": [] if passed else ["首页无任何动态信息"]},
        )
    bars = selectors.trend_svg_bars(selectors.weekly_scores(unit=unit_a), vetoed=selectors.vetoed_weeks(unit=unit_a))
    assert [bar["vetoed"] for bar in bars] == [False, True, False]
    html = centre_client().get(f"/admin/oversight/units/{unit_a.code}/").content.decode()
    assert html.count('fill="#c62828"') == 1 and "（单项否决）" in html


# --- one source of truth for the monthly report (issue 12 part 4) -----------------------------


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI)


def _snapshot(unit, day: str, *, score: int, vetoes=(), stale=0, empty=0, broken=0, ratio=None, deductions=()):
    return FreshnessSnapshot.objects.create(
        unit=unit,
        taken_at=_at(day),
        score=score,
        passed=not vetoes,
        stale_columns=stale,
        empty_columns=empty,
        broken_links=broken,
        availability_ratio=ratio,
        detail={
            "vetoes": list(vetoes),
            "deductions": [{"points": p, "reason": r, "column_id": None, "kind": k} for p, r, k in deductions],
        },
    )


@pytest.fixture
def known_snapshots(unit_a, unit_b):
    """市测试甲局 opened 2026-09-01, scored twice in October; 乙 opened 2026-10-25 (in grace at its October score)."""
    Unit.objects.filter(pk=unit_a.pk).update(created_at=_at("2026-09-01"))
    Unit.objects.filter(pk=unit_b.pk).update(created_at=_at("2026-10-25"))
    _snapshot(unit_a, "2026-10-10", score=80, vetoes=["首页动态信息已 15 天未更新（≥14 天）"])
    _snapshot(
        unit_a,
        "2026-10-28",
        score=91,
        stale=1,
        broken=2,
        ratio=0.99,
        deductions=[
            (5, "栏目「部门动态」已 21 天未更新（要求 14 天）", "stale_dynamic"),
            (2, "存在 2 个无法打开的链接", "broken_links"),
        ],
    )
    _snapshot(unit_b, "2026-10-30", score=40, vetoes=["空白栏目 5 个（≥5 个）"], empty=5, stale=2)
    for path in ("a", "b"):
        BrokenLink.objects.create(
            unit=unit_a,
            url=f"http://ta.localhost/{path}/",
            status=404,
            sources=[{"page": "http://ta.localhost/", "text": path}],
            first_seen=_at("2026-10-20"),
            last_seen=_at("2026-11-04"),
            resolved_at=_at("2026-11-05"),
        )
    # Found after the October score: not October's.
    BrokenLink.objects.create(
        unit=unit_a,
        url="http://ta.localhost/c/",
        status=500,
        sources=[],
        first_seen=_at("2026-11-10"),
        last_seen=timezone.now(),
    )
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    return SimpleNamespace(a=unit_a, b=unit_b)


def _summary_rows(sheet) -> tuple[list, dict[str, list], list]:
    headers = [c.value for c in sheet[3]]
    rows = {}
    total = None
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if row[0] == "合计／平均":
            total = list(row)
        elif row[0] is not None:
            rows[row[0]] = list(row)
    return headers, rows, total


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_report_cells_agree_with_known_snapshots(known_snapshots):
    from oversight.reports import build_monthly_pdf, build_monthly_xlsx

    a, b = known_snapshots.a, known_snapshots.b
    report = selectors.monthly_report(year=2026, month=10)
    book = load_workbook(io.BytesIO(build_monthly_xlsx(report)))
    headers, rows, total = _summary_rows(book["汇总"])
    labels = headers[2:-6]
    assert headers[:2] == ["单位", "发布信息数"] and headers[-6:] == [
        "得分",
        "是否单项否决",
        "过期栏目",
        "空白栏目",
        "死链",
        "可用率",
    ]
    # Every cell of both units' rows: the month's last snapshot, nothing else.
    assert rows[a.name] == [a.name, 0, *[0] * len(labels), 91, "否", 1, 0, 2, 0.99]
    assert rows[b.name] == [b.name, 0, *[0] * len(labels), 40, "开通未满 14 天", 2, 5, 0, "无数据"]
    # 乙 is in its grace period: its veto does not count and its score does not pull the average down.
    others = [name for name in rows if name not in (a.name, b.name)]
    assert all(rows[name][-5] in ("无记录", "未开通") for name in others)
    assert total == ["合计／平均", 0, *[0] * len(labels), 91, "否决 0 个", 3, 5, 2, 0.99]
    assert f"合格 1 个，单项否决 0 个；不参加评比 {b.name}（开通未满 14 天）" in book["汇总"]["A2"].value

    # The register reads the same snapshots: the 2 links the October score counted, the veto outside the grace period.
    register = [row for row in book["第十一条通报登记"].iter_rows(min_row=2, values_only=True) if row[0] is not None]
    assert register == [
        (
            1,
            a.name,
            "第十一条（一）未按规定及时进行政务信息维护管理",
            "首页动态信息已 15 天未更新（≥14 天）",
            dt.datetime(2026, 10, 10),
            dt.datetime(2026, 10, 10),
            1,
        ),
        (
            2,
            a.name,
            "第十一条（三）非客观原因造成网页无法打开",
            "2 个链接无法打开（如 http://ta.localhost/a/、http://ta.localhost/b/）",
            dt.datetime(2026, 10, 20),
            dt.datetime(2026, 10, 28),
            9,
        ),
    ]
    explained = {row[3] for row in book["扣分说明"].iter_rows(min_row=2, values_only=True) if row[0] == b.name}
    assert explained == {"单项否决（开通未满 14 天，单项否决暂不计）：空白栏目 5 个（≥5 个）"}

    text = _pdf_text(build_monthly_pdf(report))
    flat = text.replace("\n", "").replace(" ", "")
    assert "平均得分91.0分；合格1个，无单项否决" in flat
    assert f"不参加评比{b.name}（开通未满14天）" in flat
    assert "第十一条登记2宗" in flat
    assert "2个链接无法打开" in flat and "首页动态信息已15天未更新" in flat
    # The overview table, cell by cell: 单位, 发布信息数, 得分, 单项否决, 过期栏目, 空白栏目, 死链, 可用率.
    assert f"{a.name}091否10299.00%" in flat
    assert f"{b.name}040开通未满14天250无数据" in flat
    # Each unit's section: the same figures.
    assert "得分91是否单项否决否过期栏目1空白栏目0死链2首页可用率99.00%" in flat
    assert "得分40是否单项否决开通未满14天过期栏目2空白栏目5死链0首页可用率无数据" in flat


def test_past_and_early_months_invent_nothing(known_snapshots):
    from oversight.reports import build_monthly_pdf, build_monthly_xlsx

    a, b = known_snapshots.a, known_snapshots.b
    # November: no score recorded for either unit in November → 无记录, no 0 分, no veto, no case.
    november = selectors.monthly_report(year=2026, month=11)
    book = load_workbook(io.BytesIO(build_monthly_xlsx(november)))
    _headers, rows, total = _summary_rows(book["汇总"])
    for name in (a.name, b.name):
        assert rows[name][-6:] == ["无记录"] * 6
    assert total[-6] == "无记录" and total[-5] == "否决 0 个"
    assert [row for row in book["第十一条通报登记"].iter_rows(min_row=2, values_only=True) if row[1]] == []
    explained = {(row[1], row[2], row[3]) for row in book["扣分说明"].iter_rows(min_row=2, values_only=True) if row[0] == a.name}
    assert explained == {("无记录", "无记录", "本月无评分记录，不作评价")}
    flat = _pdf_text(build_monthly_pdf(november)).replace("\n", "").replace(" ", "")
    assert "无评分记录；合格0个，无单项否决" in flat
    assert "得分无记录是否单项否决无记录" in flat and "得分0" not in flat

    # August: before either unit was opened → 未开通 everywhere, nothing else.
    august = selectors.monthly_report(year=2026, month=8)
    _headers, rows, _total = _summary_rows(load_workbook(io.BytesIO(build_monthly_xlsx(august)))["汇总"])
    for name in (a.name, b.name):
        assert set(rows[name][1:]) == {"未开通"}
    assert august.cases == ()


def test_demo_overdue_static_column_is_confirmed_through_the_unit_admin(unit_a):
    """The demo makes one static column overdue; its unit clears it with 已核查，内容准确 over HTTP."""
    from demo.content import OVERDUE_STATIC_DAYS, _make_one_static_column_overdue
    from sitepages.models import OverviewPage

    with schema_context(unit_a.schema_name):
        home = Site.objects.get().root_page
        overview = home.add_child(
            instance=OverviewPage(
                title="珠海概览", slug="zhgl", column_kind="static", body=[("paragraph", RichText("<p>概况。</p>"))]
            )
        )
        _make_one_static_column_overdue(home)
    snapshot = services.score_and_record(unit=unit_a)
    reason = f"栏目「珠海概览」已 {OVERDUE_STATIC_DAYS} 天未更新或核查（要求 30 天）"
    assert reason in [d["reason"] for d in snapshot.deductions]

    client = unit_admin_client(unit_a)
    dashboard = client.get("/admin/").content.decode()
    confirm = f"/admin/oversight/columns/{overview.id}/confirm/"
    assert reason in dashboard and confirm in dashboard and "已核查，内容准确" in dashboard
    response = client.post(confirm, follow=True)
    assert response.status_code == 200 and "已记录核查：栏目内容准确，评分已更新" in response.content.decode()
    latest = FreshnessSnapshot.objects.filter(unit=unit_a).first()
    assert reason not in [d["reason"] for d in latest.deductions]
    assert confirm not in client.get("/admin/").content.decode()
    # Seeding again leaves a confirmed column alone.
    with schema_context(unit_a.schema_name):
        _make_one_static_column_overdue(home)
    assert reason not in [d["reason"] for d in services.score_and_record(unit=unit_a).deductions]


def test_shared_footer_links_are_requested_once_per_run_not_once_per_unit(unit_a, unit_b, settings):
    """Every unit's pages carry the same footer: the first crawl of a run checks its links, the next
    units' crawls take that result instead of requesting the same address again."""
    requests_to: dict[str, int] = {}

    async def external(request: web.Request) -> web.StreamResponse:
        requests_to[request.path] = requests_to.get(request.path, 0) + 1
        if request.path == "/gone/":
            raise web.HTTPNotFound()
        return _html("外部网站")

    def build(ports):
        footer = (
            f'<footer data-platform-template><a href="http://127.0.0.1:{ports[1]}/gone/">网站标识</a>'
            f'<a href="http://127.0.0.1:{ports[1]}/fine/">备案</a></footer>'
        )

        async def unit_page(request: web.Request) -> web.StreamResponse:
            if request.path == "/":
                return _html(f'<a href="http://127.0.0.1:{ports[1]}/own/">本单位的外部链接</a>{footer}')
            raise web.HTTPNotFound()

        site, outside = web.Application(), web.Application()
        site.router.add_route("*", "/{tail:.*}", unit_page)
        outside.router.add_route("*", "/{tail:.*}", external)
        return [site, outside]

    with ServerThread(build, count=2, max_lifetime_s=60) as server:
        settings.PORTAL_PORT = str(server.ports[0])
        settings.LINKCHECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
        first = services.check_unit_links(unit=unit_a)
        second = services.check_unit_links(unit=unit_b)

    # The footer's two links were requested by the first crawl only; each unit's own link by its crawl.
    assert requests_to.get("/gone/") == 1 and requests_to.get("/fine/") == 1
    assert requests_to.get("/own/") == 2
    assert "沿用本轮已检查的结果" not in first.detail
    assert "公共模板链接 2 个沿用本轮已检查的结果" in second.detail
    # The broken footer link is the centre's, once, with the pages of both units' sites.
    centre_rows = list(selectors.open_broken_links(unit=selectors.centre_unit()))
    assert [row.url for row in centre_rows] == [f"http://127.0.0.1:{server.ports[1]}/gone/"]
    pages = sorted(source["page"] for source in centre_rows[0].sources)
    assert pages == sorted([f"http://ta.localhost:{server.ports[0]}/", f"http://tb.localhost:{server.ports[0]}/"])
    assert not selectors.open_broken_links(unit=unit_a).exists()
    assert not selectors.open_broken_links(unit=unit_b).exists()
