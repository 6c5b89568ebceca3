"""通报 (第十一条) as a decision, step by step through the real admin screens and the portal: the monitoring's
register proposes cases (idempotently, never a shared footer link against a unit), the centre confirms or
dismisses (with a reason), the unit answers once within its working days, the 政务公开领导小组 approves
(never the centre alone, never the drafter), and the 通报 is published as a portal page and a PDF."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from bulletins import services
from bulletins.models import Bulletin, BulletinCase, BulletinEvent, BulletinStatus, CaseStatus
from oversight import selectors as oversight_selectors
from oversight import services as oversight_services
from oversight.linkcheck.crawler import CrawlReport, LinkResult, LinkSource
from oversight.models import BrokenLink, FreshnessSnapshot
from oversight.reports.figures import CLAUSE_MAINTENANCE, CLAUSE_UNREACHABLE
from tenants.models import Unit
from tenants.roles import CentreRole, UnitRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client, unit_admin_client

PASSWORD = "pw-tongbao-12345"
OWN_LINK = "http://ta.localhost/bmdt/missing-report.pdf"
FOOTER_LINK = "http://ta.localhost/footer-gone/"
VETO = "首页动态信息已 30 天未更新（要求每 7 天至少更新一次）"
QUARTERS = "一二三四"


def _path(name: str, *args) -> str:
    return reverse(name, args=args or None, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def public_user(username: str, *groups: str, superuser: bool = False):
    with schema_context("public"):
        User = get_user_model()
        if superuser:
            user = User.objects.create_superuser(username=username, password=PASSWORD, email=f"{username}@example.gov.cn")
        else:
            user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.gov.cn")
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def public_client(username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name="public", host="localhost", username=username, password=PASSWORD)


def unit_user(unit, username: str, *groups: str):
    with schema_context(unit.schema_name):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def unit_user_client(unit, username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name=unit.schema_name, host=f"{unit.code}.localhost", username=username, password=PASSWORD)


def menu_labels(user) -> list[str]:
    """The items of the 通报 menu the admin shows `user` (in the active schema)."""
    reverse("wagtailadmin_home")
    request = RequestFactory().get("/admin/")
    request.user = user
    for item in admin_menu.menu_items_for_request(request):
        if isinstance(item, SubmenuMenuItem) and item.name == "bulletins":
            return [str(child.label) for child in item.menu.menu_items_for_request(request)]
    return []


def _crawl(*links: tuple[str, bool]) -> CrawlReport:
    now = timezone.now()
    results = {
        url: LinkResult(
            url=url, status=404, sources=[LinkSource(page_url="http://ta.localhost/", link_text="链接", platform=platform)]
        )
        for url, platform in links
    }
    return CrawlReport(start_url="http://ta.localhost/", started_at=now, finished_at=now, pages_crawled=2, links=results)


@pytest.fixture
def month():
    """Last month: the month the daily schedule proposes."""
    return services.previous_month()


@pytest.fixture
def monitored(unit_a, unit_b, month):
    """Last month's monitoring records, written as the checks write them.

    Both units have been open long enough for vetoes to count. Unit A failed the freshness rules twice and
    has one broken link in its own content; a link of the shared footer is broken on both units' pages;
    unit B has nothing else.
    """
    year, number = month
    start, _end = oversight_selectors.month_bounds(year, number)
    Unit.objects.filter(pk__in=[unit_a.pk, unit_b.pk]).update(created_at=start - timedelta(days=400))
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    oversight_services.record_broken_links(
        unit=unit_a, report=_crawl((OWN_LINK, False), (FOOTER_LINK, True)), homepage_only=False
    )
    oversight_services.record_broken_links(unit=unit_b, report=_crawl((FOOTER_LINK, True)), homepage_only=False)
    # The links were found on the 5th of the month.
    BrokenLink.objects.filter(url__in=[OWN_LINK, FOOTER_LINK]).update(first_seen=start + timedelta(days=4))
    for unit in (unit_a, unit_b):
        for day, passed in ((9, unit != unit_a), (19, unit != unit_a)):
            FreshnessSnapshot.objects.create(
                unit=unit,
                taken_at=start + timedelta(days=day, hours=3),
                score=52 if not passed else 95,
                passed=passed,
                stale_columns=3 if not passed else 0,
                empty_columns=0,
                broken_links=oversight_selectors.open_broken_links(unit=unit).count(),
                availability_ratio=1.0,
                detail={"vetoes": [] if passed else [VETO], "deductions": []},
            )
    return start


def _cases(unit) -> dict[str, BulletinCase]:
    return {case.clause: case for case in BulletinCase.objects.filter(unit=unit)}


# --- 1. the register proposes -----------------------------------------------------------------


def test_the_register_proposes_cases_once_and_never_a_footer_link(monitored, unit_a, unit_b, month):
    year, number = month
    # The centre asks for last month's register on its screen.
    response = centre_client().post(_path("bulletins:cases"), {"period": f"{year}-{number}"}, follow=True)
    assert response.status_code == 200
    assert "新登记 2 宗" in response.content.decode()

    proposed = _cases(unit_a)
    assert set(proposed) == {CLAUSE_MAINTENANCE, CLAUSE_UNREACHABLE}
    assert all(case.status == CaseStatus.PROPOSED for case in proposed.values())
    assert VETO in proposed[CLAUSE_MAINTENANCE].evidence
    assert proposed[CLAUSE_MAINTENANCE].first_day == (monitored + timedelta(days=9)).date()
    assert proposed[CLAUSE_MAINTENANCE].last_day == (monitored + timedelta(days=19)).date()
    unreachable = proposed[CLAUSE_UNREACHABLE].evidence
    assert "1 个链接无法打开" in unreachable and OWN_LINK in unreachable
    # The footer link is the centre's (recorded under the portal's unit): never a case against a unit.
    assert FOOTER_LINK not in unreachable
    centre = oversight_selectors.centre_unit()
    assert BrokenLink.objects.filter(unit=centre, url=FOOTER_LINK, resolved_at__isnull=True).exists()
    assert not BulletinCase.objects.filter(unit=unit_b).exists()
    assert not BulletinCase.objects.filter(unit=centre).exists()
    assert not BulletinCase.objects.filter(evidence__contains="footer-gone").exists()

    # Proposing again (the daily schedule does) adds nothing and keeps what was there.
    again = services.propose_cases(year=year, month=number)
    assert (again.created, again.refreshed, again.kept) == (0, 0, 2)
    assert BulletinCase.objects.count() == 2
    assert BulletinEvent.objects.filter(action="bulletins.proposed").count() == 2

    # A decided case is never reopened by a later run, even when the register's facts change.
    case = proposed[CLAUSE_MAINTENANCE]
    services.dismiss_case(
        case_id=case.pk, user=get_user_model().objects.get(username="centre"), reason="系统升级期间暂停更新，已报备"
    )
    FreshnessSnapshot.objects.filter(unit=unit_a).update(detail={"vetoes": ["另一项否决"], "deductions": []})
    services.propose_cases(year=year, month=number)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISMISSED and VETO in case.evidence


def test_bad_periods_are_refused_with_a_message(db):
    response = centre_client().post(_path("bulletins:cases"), {"period": "2026-13"}, follow=True)
    assert "月份无效" in response.content.decode()
    with pytest.raises(ValidationError):
        services.propose_cases(year=1999, month=1)


# --- 2. the centre decides ------------------------------------------------------------------


def test_dismissal_needs_a_reason_and_confirmation_opens_the_unit_window(monitored, unit_a, month):
    services.propose_cases(year=month[0], month=month[1])
    cases = _cases(unit_a)
    maintenance, unreachable = cases[CLAUSE_MAINTENANCE], cases[CLAUSE_UNREACHABLE]
    client = centre_client()
    url = _path("bulletins:case", unreachable.pk)

    page = client.get(url)
    assert page.status_code == 200 and OWN_LINK in page.content.decode()
    refused = client.post(url, {"action": "dismiss", "reason": "   "})
    assert refused.status_code == 200
    assert "不予认定时必须填写理由" in refused.content.decode()
    unreachable.refresh_from_db()
    assert unreachable.status == CaseStatus.PROPOSED
    with pytest.raises(ValidationError, match="请填写不予认定的理由"):
        services.dismiss_case(case_id=unreachable.pk, user=get_user_model().objects.get(username="centre"), reason="")

    client.post(url, {"action": "dismiss", "reason": "该附件链接因服务器迁移中断 2 小时，属客观原因"}, follow=True)
    unreachable.refresh_from_db()
    assert unreachable.status == CaseStatus.DISMISSED
    assert unreachable.dismissal_reason == "该附件链接因服务器迁移中断 2 小时，属客观原因"
    assert unreachable.decided_by == "centre" and unreachable.decided_at is not None

    # A judgement without its reasons is refused too.
    missing = client.post(_path("bulletins:case", maintenance.pk), {"action": "confirm", "serious": "yes", "judgement": ""})
    assert "请填写影响判断说明" in missing.content.decode()
    mail.outbox.clear()
    confirmed = client.post(
        _path("bulletins:case", maintenance.pk),
        {"action": "confirm", "serious": "yes", "judgement": "首页连续一个月未更新，公众投诉 3 次", "answer_working_days": "3"},
        follow=True,
    )
    assert "已确认该情形" in confirmed.content.decode()
    maintenance.refresh_from_db()
    assert maintenance.status == CaseStatus.CONFIRMED and maintenance.serious is True
    assert maintenance.answer_working_days == 3
    from workcalendar.services import add_working_days

    expected = add_working_days(start=timezone.localdate(), days=3)
    assert timezone.localtime(maintenance.answer_deadline).date() == expected
    # A dismissed or confirmed case is not decided twice.
    twice = client.post(url, {"action": "confirm", "serious": "no", "judgement": "改判"}, follow=True)
    assert "不能再确认" in twice.content.decode()

    # Every step is in the trail: who, when, what.
    trail = list(BulletinEvent.objects.filter(case=unreachable).values_list("action", "actor", "comment"))
    assert trail[-1] == ("bulletins.dismissed", "centre", "该附件链接因服务器迁移中断 2 小时，属客观原因")
    assert BulletinEvent.objects.filter(case=maintenance, action="bulletins.confirmed", actor="centre").exists()


# --- 3. the unit answers ---------------------------------------------------------------------


@pytest.fixture
def confirmed(monitored, unit_a, month):
    services.propose_cases(year=month[0], month=month[1])
    cases = _cases(unit_a)
    centre = get_user_model().objects.get(username="centre")
    services.confirm_case(
        case_id=cases[CLAUSE_MAINTENANCE].pk, user=centre, serious=True, judgement="首页连续一个月未更新，影响公众获取信息"
    )
    # Confirmed a month ago with 5 working days: the unit never answered in time.
    services.confirm_case(
        case_id=cases[CLAUSE_UNREACHABLE].pk,
        user=centre,
        serious=True,
        judgement="办事指南附件无法下载",
        now=timezone.now() - timedelta(days=30),
    )
    return {clause: BulletinCase.objects.get(pk=case.pk) for clause, case in cases.items()}


def test_the_unit_sees_only_its_own_cases_and_answers_once_within_the_deadline(confirmed, unit_a, unit_b):
    case = confirmed[CLAUSE_MAINTENANCE]
    # Unit B sees nothing of unit A's cases, and cannot open or answer one.
    other = unit_admin_client(unit_b)
    listing = other.get("/admin/bulletins/unit/").content.decode()
    assert VETO not in listing and "暂无需要本单位答复的情形" in listing
    assert other.get(f"/admin/bulletins/unit/{case.pk}/").status_code == 404
    assert other.post(f"/admin/bulletins/unit/{case.pk}/", {"text": "冒名答复"}).status_code == 404
    # The centre's register is not a screen of a unit's admin.
    assert other.get("/admin/bulletins/").status_code == 404

    own = unit_admin_client(unit_a)
    listing = own.get("/admin/bulletins/unit/").content.decode()
    assert VETO in listing and OWN_LINK in listing and "已过期限" in listing
    with schema_context(unit_a.schema_name):
        assert "本单位通报事项" in menu_labels(get_user_model().objects.get(username="ta_admin"))
    # An editor reads, but only the head, the leader in charge or the administrator answer.
    unit_user(unit_a, "ta_tb_editor", UnitRole.EDITOR)
    editor = unit_user_client(unit_a, "ta_tb_editor")
    assert editor.get(f"/admin/bulletins/unit/{case.pk}/").status_code == 200
    refused = editor.post(f"/admin/bulletins/unit/{case.pk}/", {"text": "信息员答复"}, follow=True)
    assert "仅本单位第一责任人、分管领导或单位管理员可以答复" in refused.content.decode()

    answered = own.post(f"/admin/bulletins/unit/{case.pk}/", {"text": "已落实专人每周更新首页动态信息。"}, follow=True)
    assert "已提交答复" in answered.content.decode()
    again = own.post(f"/admin/bulletins/unit/{case.pk}/", {"text": "第二次答复"}, follow=True)
    assert "每宗情形只能答复一次" in again.content.decode()
    case.refresh_from_db()
    assert case.answer == "已落实专人每周更新首页动态信息。"
    assert case.answered_by == "测试甲局 管理员（ta_admin）"
    event = BulletinEvent.objects.get(case=case, action="bulletins.answered")
    assert event.actor_unit == unit_a.name and event.comment == case.answer
    # The unit's own audit log has it too, under its own user.
    with schema_context(unit_a.schema_name):
        from wagtail.models import ModelLogEntry

        entry = ModelLogEntry.objects.get(action="bulletins.answered")
        assert entry.user.username == "ta_admin"


def test_answering_after_the_deadline_is_refused(confirmed, unit_a):
    late = confirmed[CLAUSE_UNREACHABLE]
    assert late.answer_deadline < timezone.now()
    client = unit_admin_client(unit_a)
    page = client.get(f"/admin/bulletins/unit/{late.pk}/").content.decode()
    assert "答复期限已过，未提交答复" in page and 'name="text"' not in page
    response = client.post(f"/admin/bulletins/unit/{late.pk}/", {"text": "迟到的说明"}, follow=True)
    assert "已过，不能再提交答复" in response.content.decode()
    late.refresh_from_db()
    assert late.answer == "" and late.answered_at is None


# --- 4. and 5. approval and publication -------------------------------------------------------


def _title(case: BulletinCase) -> str:
    quarter = (case.month - 1) // 3 + 1
    return f"关于{case.year}年第{QUARTERS[quarter - 1]}季度政府网站维护管理情况的通报"


def _draft(client, case: BulletinCase, *cases: BulletinCase):
    quarter = (case.month - 1) // 3 + 1
    url = _path("bulletins:bulletin_new") + f"?year={case.year}&quarter={quarter}"
    form = client.get(url)
    assert form.status_code == 200 and _title(case) in form.content.decode()
    return client.post(
        url,
        {
            "title": _title(case),
            "number": "珠政务公开〔2026〕1号",
            "body": "现将本季度政府网站维护管理中造成严重影响的情形通报如下。",
            "cases": [str(c.pk) for c in (case, *cases)],
        },
        follow=True,
    )


def test_the_leading_group_approves_and_the_tongbao_is_published(confirmed, unit_a, django_capture_on_commit_callbacks):
    answered, late = confirmed[CLAUSE_MAINTENANCE], confirmed[CLAUSE_UNREACHABLE]
    public_user("lingdao", CentreRole.LEADING_GROUP)
    centre = centre_client()
    drafted = _draft(centre, answered, late)
    assert "已保存通报草稿" in drafted.content.decode()
    bulletin = Bulletin.objects.get()
    assert bulletin.status == BulletinStatus.DRAFT and set(bulletin.cases.all()) == {answered, late}
    detail = _path("bulletins:bulletin", bulletin.pk)

    # Unit A may still answer the first case: not yet.
    waiting = centre.post(detail, {"action": "submit"}, follow=True)
    assert "尚未答复且答复期限未满" in waiting.content.decode()
    unit_admin_client(unit_a).post(f"/admin/bulletins/unit/{answered.pk}/", {"text": "已整改，首页每周更新。"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = centre.post(detail, {"action": "submit"}, follow=True)
    assert "已提交市政务公开领导小组审批" in submitted.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.SUBMITTED
    assert [m.to for m in mail.outbox if "通报待审批" in m.subject] == [["lingdao@example.gov.cn"]]

    # The centre drafts; it does not approve.
    refused = centre.post(detail, {"action": "approve", "comment": "同意"}, follow=True)
    assert "仅市政务公开领导小组成员可以审批通报" in refused.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.SUBMITTED and bulletin.published_at is None
    assert centre.get(_path("bulletins_portal:detail", bulletin.pk), HTTP_HOST="localhost").status_code == 404

    # The leading group reads it in its admin and approves.
    leader = public_client("lingdao")
    with schema_context("public"):
        assert menu_labels(get_user_model().objects.get(username="lingdao")) == ["通报审批与发布"]
    page = leader.get(detail).content.decode()
    assert "审批通过并发布" in page and "已整改，首页每周更新。" in page
    approved = leader.post(detail, {"action": "approve", "comment": "同意发布"}, follow=True)
    assert "通报已在门户网站发布" in approved.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED and bulletin.approved_by_name == "lingdao"
    actions = list(BulletinEvent.objects.filter(bulletin=bulletin).values_list("action", "actor"))
    assert actions == [
        ("bulletins.drafted", "centre"),
        ("bulletins.submitted", "centre"),
        ("bulletins.approved", "lingdao"),
        ("bulletins.published", "lingdao"),
    ]

    # The portal: the list, the page with the unit's answer, and the PDF.
    portal = PublicSchemaClient(HTTP_HOST="localhost")
    listing = portal.get("/tongbao/").content.decode()
    assert _title(answered) in listing
    page = portal.get(f"/tongbao/{bulletin.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert _title(answered) in html and unit_a.full_name in html
    assert "已整改，首页每周更新。" in html and "未在答复期限内提交说明" in html
    assert "首页连续一个月未更新，影响公众获取信息" in html
    pdf = portal.get(f"/tongbao/{bulletin.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (_title(answered), unit_a.full_name, "已整改，首页每周更新。", "珠海市政务公开领导小组", CLAUSE_MAINTENANCE):
        assert expected.replace(" ", "") in text.replace(" ", "").replace("\n", ""), expected
    # The unit finds the published 通报 on its own screen, linked on the portal's host.
    unit_page = unit_admin_client(unit_a).get("/admin/bulletins/unit/").content.decode()
    assert _title(answered) in unit_page and f"/tongbao/{bulletin.pk}/" in unit_page
    # Published cases are not offered for another 通报.
    again = centre.get(_path("bulletins:bulletin_new") + f"?year={answered.year}&quarter={(answered.month - 1) // 3 + 1}")
    assert "没有经确认造成严重影响、尚未列入通报的情形" in again.content.decode()


def test_nobody_approves_their_own_draft_and_a_return_needs_a_reason(confirmed, unit_a):
    answered = confirmed[CLAUSE_UNREACHABLE]  # its window has closed
    drafter = public_user("centre_lg", CentreRole.LEADING_GROUP, superuser=True)
    public_user("lingdao2", CentreRole.LEADING_GROUP)
    own = public_client("centre_lg")
    _draft(own, answered)
    bulletin = Bulletin.objects.get()
    assert bulletin.drafted_by_id == drafter.pk
    detail = _path("bulletins:bulletin", bulletin.pk)
    own.post(detail, {"action": "submit"})
    page = own.get(detail).content.decode()
    assert "不能审批自己起草的通报" in page and "审批通过并发布" not in page
    refused = own.post(detail, {"action": "approve"}, follow=True)
    assert "起草人不能审批自己起草的通报" in refused.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.SUBMITTED

    leader = public_client("lingdao2")
    no_reason = leader.post(detail, {"action": "return", "reason": ""})
    assert "退回时必须填写理由" in no_reason.content.decode()
    leader.post(detail, {"action": "return", "reason": "请补充整改要求"})
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DRAFT and bulletin.return_reason == "请补充整改要求"
    assert BulletinEvent.objects.filter(bulletin=bulletin, action="bulletins.returned", actor="lingdao2").exists()


# --- the supervisor -------------------------------------------------------------------------


def test_the_supervisor_reads_every_centre_screen_and_writes_nothing(confirmed, unit_a):
    case = confirmed[CLAUSE_MAINTENANCE]
    public_user("jiancha_tb", CentreRole.SUPERVISOR)
    services.create_bulletin(
        user=get_user_model().objects.get(username="centre"),
        year=case.year,
        quarter=(case.month - 1) // 3 + 1,
        title=_title(case),
        body="正文",
        case_ids=[case.pk],
    )
    bulletin = Bulletin.objects.get()
    supervisor = public_client("jiancha_tb")
    reads = [
        _path("bulletins:cases"),
        _path("bulletins:case", case.pk),
        _path("bulletins:bulletins"),
        _path("bulletins:bulletin", bulletin.pk),
        _path("bulletins:bulletin_pdf", bulletin.pk),
    ]
    for path in reads:
        assert supervisor.get(path).status_code == 200, path
    with schema_context("public"):
        assert menu_labels(get_user_model().objects.get(username="jiancha_tb")) == ["第十一条情形", "通报审批与发布"]
    writes = [
        (_path("bulletins:cases"), {"period": f"{case.year}-{case.month}"}),
        (_path("bulletins:case", case.pk), {"action": "dismiss", "reason": "监察不应能写"}),
        (_path("bulletins:bulletin", bulletin.pk), {"action": "submit"}),
        (_path("bulletins:bulletin", bulletin.pk), {"action": "approve"}),
        (_path("bulletins:bulletin_new"), {"title": "x", "body": "y", "cases": [str(case.pk)]}),
    ]
    for path, data in writes:
        response = supervisor.post(path, data)
        assert response.status_code == 403, path
        assert "监察角色只能查看" in response.content.decode(), path
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DRAFT and Bulletin.objects.count() == 1
    assert BulletinCase.objects.get(pk=case.pk).status == CaseStatus.CONFIRMED


def test_other_public_staff_see_no_tongbao_screen(db):
    nobody = public_user("public_nobody")
    with schema_context("public"):
        assert menu_labels(nobody) == []
    client = public_client("public_nobody")
    for path in (_path("bulletins:cases"), _path("bulletins:bulletins")):
        assert client.get(path).status_code in (302, 403), path


def test_the_daily_task_proposes_last_month(monitored, unit_a):
    from bulletins.tasks import propose_last_month

    assert propose_last_month() == 2
    assert propose_last_month() == 0
    assert BulletinCase.objects.filter(unit=unit_a).count() == 2
    assert isinstance(BulletinCase.objects.first().proposed_at, datetime)


def test_the_demo_proposes_decides_and_publishes_a_tongbao(unit_a, unit_b):
    from bulletins import demo

    done = demo.seed(now=timezone.now())
    assert done == {"proposed": 2, "confirmed": 1, "dismissed": 1, "answered": 1, "published": 1}
    bulletin = Bulletin.objects.get()
    assert bulletin.status == BulletinStatus.PUBLISHED and bulletin.approved_by_name.endswith("（zwgk_lingdao）")
    assert not BulletinCase.objects.filter(unit=oversight_selectors.centre_unit()).exists()
    assert BulletinCase.objects.get(status=CaseStatus.DISMISSED).dismissal_reason
    page = PublicSchemaClient(HTTP_HOST="localhost").get(f"/tongbao/{bulletin.pk}/").content.decode()
    assert "本单位已落实信息员每周更新首页动态信息" in page
    assert demo.seed(now=timezone.now()) == {}
