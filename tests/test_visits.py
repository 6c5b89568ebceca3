"""The visit counter through real requests: each visitor once per site and day, only public HTML pages by
browsers, nothing personal stored, the roll-up of finished days, and a page that never breaks."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tenants.models import Unit
from tests.support.clients import PublicSchemaClient
from visits import demo, selectors, services
from visits.middleware import VisitCounterMiddleware
from visits.models import DailyVisits, VisitorDigest

COUNTER = "visits.middleware.VisitCounterMiddleware"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture
def counting(settings):
    """The counter where it belongs: right after the tenant middleware (once, whatever settings say)."""
    middleware = [name for name in settings.MIDDLEWARE if name != COUNTER]
    tenant = next(index for index, name in enumerate(middleware) if name.endswith("TenantMainMiddleware"))
    middleware.insert(tenant + 1, COUNTER)
    settings.MIDDLEWARE = middleware


def visit(host: str, path: str = "/", *, ip: str = "203.0.113.7", agent: str = BROWSER, method: str = "get", **extra):
    client = PublicSchemaClient(HTTP_HOST=host)
    return getattr(client, method)(path, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, **extra)


def today_row(unit) -> DailyVisits | None:
    return DailyVisits.objects.filter(unit=unit, day=timezone.localdate()).first()


def figures(unit) -> tuple[int, int]:
    row = today_row(unit)
    return (row.views, row.unique_visitors) if row else (0, 0)


def test_each_visitor_counts_once_per_site_and_day(counting, unit_a, unit_b, host_a):
    portal = Unit.objects.get(schema_name="public")
    first = visit(host_a)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/html")
    assert figures(unit_a) == (1, 1)
    visit(host_a)
    visit(host_a, "/hudong/chaxun/")
    assert figures(unit_a) == (3, 1)
    # Another address, or another browser at the same address, is another visitor.
    visit(host_a, ip="198.51.100.20")
    visit(host_a, agent=DESKTOP)
    assert figures(unit_a) == (5, 3)
    # The same person on another site counts there, not here.
    visit("localhost")
    visit("tb.localhost")
    assert figures(portal) == (1, 1) and figures(unit_b) == (1, 1) and figures(unit_a) == (5, 3)
    assert VisitorDigest.objects.filter(unit=unit_a, day=timezone.localdate()).count() == 3
    # The selector reads the same figures.
    today = timezone.localdate()
    assert selectors.visits(unit=unit_a, start=today, end=today) == selectors.VisitFigures(views=5, unique_visitors=3)


def test_admin_static_documents_api_errors_and_bots_are_not_counted(counting, unit_a, host_a):
    login = visit(host_a, "/admin/login/")
    assert login.status_code == 200 and login["Content-Type"].startswith("text/html")
    visit(host_a, "/static/css/site.css")
    visit(host_a, "/media/unit_ta/x.png")
    visit(host_a, "/documents/1/x.pdf")
    visit(host_a, "/captcha/refresh/")
    visit("localhost", "/api/v1/units")
    assert visit(host_a, "/no-such-page/").status_code == 404
    visit(host_a, method="post")
    visit(host_a, method="head")
    visit(host_a, "/feeds/rss/")
    for agent in (
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-requests/2.32",
        "GovPlatformLinkChecker/1.0",
        "Python/3.11 aiohttp/3.9.5",
        "",
    ):
        assert visit(host_a, agent=agent).status_code == 200
    visit(host_a, HTTP_SEC_PURPOSE="prefetch")
    portal = Unit.objects.get(schema_name="public")
    assert figures(unit_a) == (0, 0) and figures(portal) == (0, 0)
    assert not VisitorDigest.objects.exists()
    # A browser on the same page is counted: the exclusions above are what kept the count at zero.
    visit(host_a)
    assert figures(unit_a) == (1, 1)


def test_nothing_personal_is_stored(counting, unit_a, host_a):
    ip, agent = "203.0.113.77", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0 unique-marker-4711"
    visit(host_a, ip=ip, agent=agent)
    visit(host_a, ip=ip, agent=agent)
    digests = list(VisitorDigest.objects.filter(unit=unit_a))
    assert len(digests) == 1
    assert {field.name for field in VisitorDigest._meta.concrete_fields} == {"unit", "day", "digest"}
    assert {field.name for field in DailyVisits._meta.concrete_fields} == {
        "id", "unit", "day", "views", "unique_visitors", "rolled_up_at"
    }  # fmt: skip
    digest = digests[0].digest
    assert len(bytes.fromhex(digest)) == services.DIGEST_BYTES
    assert ip not in digest and "unique-marker" not in digest
    # Every stored row, as text: neither the address nor any part of the browser string is there.
    with connection.cursor() as cursor:
        for model in (VisitorDigest, DailyVisits):
            cursor.execute(f"SELECT row_to_json(t)::text FROM public.{model._meta.db_table} t")
            dump = " ".join(row[0] for row in cursor.fetchall())
            assert ip not in dump and "203.0.113" not in dump and "unique-marker" not in dump and "Firefox" not in dump
    # The digest is keyed per day: the same visitor tomorrow cannot be linked to today.
    today = timezone.localdate()
    same_today = services.visitor_digest(unit_id=unit_a.pk, day=today, ip=ip, user_agent=agent)
    tomorrow = services.visitor_digest(unit_id=unit_a.pk, day=today + timedelta(days=1), ip=ip, user_agent=agent)
    assert same_today == digest and tomorrow != digest
    assert services.day_salt(today) != services.day_salt(today + timedelta(days=1))
    # A plain hash of the visitor's data (without the day's secret salt) is not what is stored.
    import hashlib

    assert hashlib.sha256(f"{unit_a.pk}\x1f{today}\x1f{ip}\x1f{agent}".encode()).hexdigest()[:32] != digest
    # Rows go through Django's deletion (a unit deleted takes its digests with it): the text key sorts.
    assert VisitorDigest.objects.filter(unit=unit_a).delete()[0] == 1


def test_roll_up_collapses_finished_days_and_deletes_their_digests(unit_a):
    now = timezone.make_aware(datetime(2026, 3, 10, 2, 0))
    yesterday, today = date(2026, 3, 9), date(2026, 3, 10)
    for ip in ("198.51.100.1", "198.51.100.1", "198.51.100.2"):
        services.record_visit(unit_id=unit_a.pk, ip=ip, user_agent=BROWSER, day=yesterday)
    services.record_visit(unit_id=unit_a.pk, ip="198.51.100.3", user_agent=BROWSER, day=today)
    assert VisitorDigest.objects.filter(day=yesterday).count() == 2
    assert services.roll_up(now=now) == 1
    row = DailyVisits.objects.get(unit=unit_a, day=yesterday)
    assert (row.views, row.unique_visitors, row.rolled_up_at) == (3, 2, now)
    assert not VisitorDigest.objects.filter(day=yesterday).exists()
    # Today is still running: its digest stays so that its visitor is not counted twice.
    assert VisitorDigest.objects.filter(day=today).count() == 1
    assert DailyVisits.objects.get(unit=unit_a, day=today).rolled_up_at is None
    # A request that straddled midnight leaves a digest of a rolled-up day: it is deleted, the day kept as it was.
    services.record_visit(unit_id=unit_a.pk, ip="198.51.100.9", user_agent=BROWSER, day=yesterday)
    assert services.roll_up(now=now + timedelta(hours=1)) == 0
    assert not VisitorDigest.objects.filter(day=yesterday).exists()
    assert DailyVisits.objects.get(unit=unit_a, day=yesterday).unique_visitors == 3
    assert selectors.visits(unit=unit_a, start=yesterday, end=today) == selectors.VisitFigures(views=5, unique_visitors=4)
    # The schedule's entry point does the same in the public schema.
    from visits.tasks import roll_up

    assert roll_up() >= 1
    assert not VisitorDigest.objects.filter(day__lt=timezone.localdate()).exists()


def test_a_database_error_never_breaks_the_page(counting, unit_a, host_a, monkeypatch, caplog):
    monkeypatch.setattr(services, "_count_sql", lambda: "INSERT INTO public.visits_no_such_table VALUES (%s, %s, %s, %s, %s)")
    with caplog.at_level(logging.ERROR, logger="visits.middleware"):
        response = visit(host_a)
    assert response.status_code == 200 and "测试甲局" in response.content.decode()
    assert any("访问计数写入失败" in record.getMessage() for record in caplog.records)
    # Only the counter's savepoint was rolled back: the connection still works.
    assert Unit.objects.filter(pk=unit_a.pk).exists() and not DailyVisits.objects.exists()


def test_middleware_skips_requests_without_a_tenant(rf):
    request = rf.get("/", HTTP_USER_AGENT=BROWSER)
    from django.http import HttpResponse

    middleware = VisitCounterMiddleware(lambda r: HttpResponse("<p>x</p>"))
    assert middleware(request).status_code == 200


def test_selector_and_demo_history(unit_a, unit_b):
    now = timezone.make_aware(datetime(2026, 6, 15, 9, 0))
    written = demo.seed(now=now)
    sites = Unit.objects.exclude(code="template")
    days = (date(2026, 6, 14) - date(2025, 1, 1)).days + 1
    assert written == days * sites.count()
    for unit in sites:
        rows = DailyVisits.objects.filter(unit=unit)
        assert rows.count() == days
        assert not rows.filter(unique_visitors__gt=models_f("views")).exists()
        assert not rows.filter(unique_visitors=0).exists()
    year = selectors.visits(unit=unit_a, start=date(2025, 1, 1), end=date(2025, 12, 31))
    expected = DailyVisits.objects.filter(unit=unit_a, day__year=2025)
    assert year.views == sum(row.views for row in expected) and year.unique_visitors == sum(r.unique_visitors for r in expected)
    portal = selectors.visits(unit=Unit.objects.get(schema_name="public"), start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert portal.unique_visitors > year.unique_visitors
    # Weekdays are busier than weekends.
    weekday = [r.unique_visitors for r in expected if r.day.weekday() < 5]
    weekend = [r.unique_visitors for r in expected if r.day.weekday() >= 5]
    assert sum(weekday) / len(weekday) > sum(weekend) / len(weekend)
    # Seeding again rewrites the same days, nothing more.
    assert demo.seed(now=now) == written and DailyVisits.objects.filter(unit=unit_a).count() == days
    with pytest.raises(Exception, match="独立访客数不能大于浏览次数"):
        services.record_day(unit_id=unit_a.pk, day=date(2026, 6, 1), views=1, unique_visitors=2)


def models_f(name: str):
    from django.db.models import F

    return F(name)
