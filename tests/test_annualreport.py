"""政府网站工作年度报表 (国办函〔2018〕12号): pre-filled from known pages, cases, 找错 and visits; manual cells;
the 审核员's approval (never the editor's, never the last editor's); publication on the unit's site and the
portal; the January reminder; a new national template as a new file."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page, PageLogEntry, Site
from wagtail.rich_text import RichText

from annualreport import demo, selectors, services
from annualreport.models import AnnualReport, CellOrigin, ReportCell, ReportStatus, ValueType
from interaction import services as interaction_services
from interaction.models import Case, Status
from sitepages.models import InteractionPage, NoticePage, ServiceGuidePage, UnitProfilePage
from tenants.context import unit_schema
from tenants.hosts import unit_base_url
from tenants.models import Unit
from tenants.roles import UnitRole
from tenants.selectors import directory_units
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client
from visits import services as visit_services
from workcalendar.selectors import work_calendar

PASSWORD = "pw-user-12345"
YEAR = 2025
CREATED = timezone.make_aware(datetime(2026, 1, 3, 9, 0))


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def make_user(unit, username: str, *groups: str):
    with schema_context(unit.schema_name):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.gov.cn", is_staff=True, first_name=username
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def staff(unit, username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name=unit.schema_name, host=f"{unit.code}.localhost", username=username, password=PASSWORD)


def cell_values(report) -> dict[str, ReportCell]:
    return {cell.key: cell for cell in ReportCell.objects.filter(report=report)}


def manual_form(report, **overrides) -> dict:
    """A value for every manual row, as the browser posts the form."""
    data = {}
    for row in selectors.template_rows(template=report.template):
        if row.source:
            continue
        value = {
            ValueType.INTEGER: "12",
            ValueType.DECIMAL: "2.5",
            ValueType.YES_NO: "是",
            ValueType.TEXT: f"{row.label}内容",
            ValueType.CHOICE: row.choices[0] if row.choices else "",
            ValueType.MULTI_CHOICE: [row.choices[0]] if row.choices else [],
        }[row.value_type]
        data[f"cell_{row.key}"] = value
    data.update({f"cell_{key}": value for key, value in overrides.items()})
    return data


def fill_and_publish(unit, year: int, *, editor, reviewer, now: datetime | None = None):
    """The whole road through the services, in the unit's schema: fill in, submit, approve."""
    report = selectors.report(unit=unit, year=year)
    values = {key.removeprefix("cell_"): value for key, value in manual_form(report).items()}
    with unit_schema(unit):
        services.save_entries(report_id=report.pk, user=editor, values=values, now=now)
        services.submit(report_id=report.pk, user=editor, now=now)
        services.approve(report_id=report.pk, user=reviewer, now=now)
    return selectors.report(unit=unit, year=year)


# --- the platform's own data, known in advance --------------------------------------------------


def _publish_in(page_id: int, moment: datetime) -> None:
    Page.objects.filter(pk=page_id).update(first_published_at=moment)


def build_year_of_content(unit, content) -> dict:
    """Pages, cases, 找错 and visits of YEAR (and some just outside it) in `unit`; returns what each row must say."""
    news = content.column(unit, title="部门动态", item_type="news", categories="工作动态")
    for day in (date(YEAR, 1, 1), date(YEAR, 6, 1), date(YEAR, 12, 31)):
        content.news(unit, column=news, title=f"{day} 动态", body="本局召开工作会议。", day=day)
    content.news(unit, column=news, title="上一年的动态", body="去年的会议。", day=date(YEAR - 1, 12, 31))
    content.news(unit, column=news, title="未发布的动态", body="草稿。", day=date(YEAR, 3, 3), publish=False)
    notices = content.column(unit, title="通知公告", item_type="notice")
    guides = content.column(unit, title="办事指南", item_type="service_guide")
    with schema_context(unit.schema_name):
        for index, day in enumerate((date(YEAR, 2, 1), date(YEAR, 9, 1))):
            notice = Page.objects.get(pk=notices).add_child(
                instance=NoticePage(
                    title=f"通知{index}",
                    slug=f"notice{index}",
                    issuing_body="珠海市测试甲局",
                    publish_date=day,
                    live=False,
                    body=[("paragraph", RichText("<p>通知内容。</p>"))],
                )
            )
            notice.save_revision().publish()
        guide = Page.objects.get(pk=guides).add_child(
            instance=ServiceGuidePage(
                title="企业投资项目备案",
                slug="beian",
                publish_date=date(YEAR, 2, 1),
                legal_basis="《企业投资项目核准和备案管理条例》",
                conditions="在本市投资的企业",
                materials="备案申请表",
                location="市政务服务中心",
                agency="珠海市测试甲局",
                fees="不收费",
                hours="工作日 9:00—17:00",
                phone="0756-1234567",
                process="网上申报，3 个工作日内办结",
                live=False,
                body=[],
            )
        )
        guide.save_revision().publish()
        home = Site.objects.get(is_default_site=True).root_page
        profile = home.add_child(
            instance=UnitProfilePage(
                title="机构概况",
                slug="jggk",
                org_name="珠海市测试甲局",
                address="珠海市香洲区",
                public_phone="0756-1234567",
                supervision_phone="0756-7654321",
                email="ta@example.gov.cn",
                website="http://ta.localhost/",
                responsibilities="<p>主要职责。</p>",
                live=False,
            )
        )
        for _ in range(3):
            UnitProfilePage.objects.get(pk=profile.pk).save_revision().publish()
        entries = list(PageLogEntry.objects.filter(page_id=profile.pk, action="wagtail.publish").order_by("id"))
        assert len(entries) == 3
        PageLogEntry.objects.filter(pk=entries[0].pk).update(timestamp=aware(YEAR - 1, 11, 1, 10, 0))
        PageLogEntry.objects.filter(pk__in=[e.pk for e in entries[1:]]).update(timestamp=aware(YEAR, 4, 8, 10, 0))
        # Opened in the year (news, guides, profile) or before it (notices); the channel opens after it.
        _publish_in(news, aware(YEAR, 2, 1, 9, 0))
        _publish_in(guides, aware(YEAR, 1, 10, 9, 0))
        _publish_in(profile.pk, aware(YEAR, 3, 1, 9, 0))
        _publish_in(notices, aware(YEAR - 1, 6, 1, 9, 0))
        _publish_in(guide.pk, aware(YEAR, 2, 1, 9, 0))
        channel = home.add_child(
            instance=InteractionPage(
                title="互动渠道",
                slug="hdqd",
                channels="<p>欢迎咨询。</p>",
                handler_name="陈敏",
                handler_phone="0756-1234567",
                live=False,
            )
        )
        channel.save_revision().publish()

        def case(kind: str, status: str, received: datetime, answered: datetime | None = None, source: str = "site"):
            made = interaction_services.create_case(
                kind=kind, subject=f"{kind}留言", content="一条用于年度报表的留言。", source=source, phone="13900000001"
            )
            Case.objects.filter(pk=made.pk).update(
                status=status, received_at=received, answered_at=answered, deadline=received + timedelta(days=30)
            )

        answered = [
            (aware(YEAR, 3, 2, 9, 0), aware(YEAR, 3, 5, 10, 0)),
            (aware(YEAR, 4, 1, 9, 0), aware(YEAR, 4, 10, 16, 0)),
            (aware(YEAR, 8, 1, 9, 0), aware(YEAR, 8, 4, 11, 0)),
        ]
        case("consult", Status.PUBLISHED, *answered[0])
        case("complaint", Status.ANSWERED, *answered[1])
        case("suggestion", Status.ACCEPTED, aware(YEAR, 11, 20, 9, 0))
        case("help", Status.REFUSED, aware(YEAR, 5, 5, 9, 0))
        case("consult", Status.PUBLISHED, aware(YEAR - 1, 12, 20, 9, 0), aware(YEAR, 1, 5, 9, 0))
        case("consult", Status.TRANSFERRED, aware(YEAR, 7, 1, 9, 0))
        # 我为政府网站找错: two this year (one answered), one of last year still open.
        case("correction", Status.ANSWERED, *answered[2], source="national")
        case("correction", Status.ACCEPTED, aware(YEAR, 9, 1, 9, 0), source="national")
        case("correction", Status.ACCEPTED, aware(YEAR - 1, 10, 1, 9, 0), source="national")
    calendar = work_calendar()
    days = [calendar.working_days_between(timezone.localdate(a), timezone.localdate(b)) for a, b in answered]
    # Visits: two visitors (three views) on 1 January, one on 31 December; the days around the year do not count.
    for ip, day in (("198.51.100.1", date(YEAR, 1, 1)), ("198.51.100.1", date(YEAR, 1, 1)), ("198.51.100.2", date(YEAR, 1, 1))):
        visit_services.record_visit(unit_id=unit.pk, ip=ip, user_agent="Mozilla/5.0 Safari", day=day)
    visit_services.record_visit(unit_id=unit.pk, ip="198.51.100.3", user_agent="Mozilla/5.0 Safari", day=date(YEAR, 12, 31))
    visit_services.record_day(unit_id=unit.pk, day=date(YEAR - 1, 12, 31), views=100, unique_visitors=50)
    visit_services.record_day(unit_id=unit.pk, day=date(YEAR + 1, 1, 1), views=70, unique_visitors=30)
    return {
        "info_dynamic": "3",
        "info_overview": "2",
        "info_disclosure": "3",
        # 3 news, 2 notices, 1 guide, and the profile published twice.
        "info_total": str(3 + 2 + 1 + 2),
        "topics_maintained": "4",
        "topics_new": "3",
        "service_catalogue": "是",
        "service_items": "1",
        "unified_platform": "是",
        # consult, complaint, suggestion, refused help, and the two 找错 of the year.
        "messages_received": "6",
        "messages_closed": "3",
        "messages_published": "1",
        "messages_average_days": f"{sum(days) / 3:.1f}",
        "error_reports_received": "2",
        "error_reports_closed": "1",
        "error_reports_open": "2",
        "page_views": "4",
        "unique_visitors": "3",
    }


@pytest.fixture
def registered_a(unit_a):
    Unit.objects.filter(pk=unit_a.pk).update(
        site_id_code="4404000012", icp_number="粤ICP备12345678号-1", police_record_number="粤公网安备 44040202000123号"
    )
    return Unit.objects.get(pk=unit_a.pk)


# --- pre-filled ---------------------------------------------------------------------------------------


def test_draft_is_prefilled_with_the_platform_figures(registered_a, unit_b, content):
    unit = registered_a
    expected = build_year_of_content(unit, content)
    report, created = services.create_draft(unit=unit, year=YEAR, now=CREATED)
    assert created and report.status == ReportStatus.DRAFT and report.template.version == "2018"
    cells = cell_values(report)
    identity = {
        "site_name": "珠海市测试甲局网站",
        "home_url": unit_base_url(unit) + "/",
        "sponsor": "珠海市测试甲局",
        "site_type": "部门网站",
        "site_id_code": "4404000012",
        "icp_number": "粤ICP备12345678号-1",
        "police_record_number": "粤公网安备 44040202000123号",
    }
    for key, value in {**identity, **expected}.items():
        assert cells[key].value == value, (key, cells[key].value, cells[key].source_description)
        assert cells[key].origin == CellOrigin.COMPUTED and cells[key].computed_at == CREATED
        assert cells[key].source_description.startswith(("由平台统计：", "由平台读取：", "由平台判断："))
    assert cells["info_dynamic"].source_description == "由平台统计：2025年发布的政务动态类信息（动态信息、领导讲话与活动）"
    assert "2025年" in cells["messages_received"].source_description
    assert "工作日" in cells["messages_average_days"].source_description
    assert "不保存 IP 地址" in cells["unique_visitors"].source_description
    # Every row the national template asks for by hand is there, empty, marked as entered by hand.
    manual = [row for row in selectors.template_rows(template=report.template) if not row.source]
    assert {"registered_users", "security_assessments", "weibo_name", "unit_head"} <= {row.key for row in manual}
    for row in manual:
        assert cells[row.key].origin == CellOrigin.ENTERED and cells[row.key].value == ""
    assert len(cells) == len(selectors.template_rows(template=report.template))
    # Idempotent: asking again returns the same draft.
    again, created_again = services.create_draft(unit=unit, year=YEAR, now=CREATED)
    assert again.pk == report.pk and not created_again and ReportCell.objects.filter(report=report).count() == len(cells)
    # The other unit's draft counts only its own (empty) site: nothing leaks between schemas.
    other, _ = services.create_draft(unit=unit_b, year=YEAR, now=CREATED)
    other_cells = cell_values(other)
    for key in ("info_total", "info_dynamic", "messages_received", "error_reports_received", "page_views", "topics_maintained"):
        assert other_cells[key].value == "0", key
    assert other_cells["site_id_code"].value == "" and "尚未登记" in other_cells["site_id_code"].source_description
    assert other_cells["service_catalogue"].value == "否" and other_cells["unified_platform"].value == "否"


def test_refresh_recomputes_and_counts_as_an_edit(registered_a, content):
    unit = registered_a
    editor = make_user(unit, "ta_editor", UnitRole.EDITOR)
    report, _ = services.create_draft(unit=unit, year=YEAR, now=CREATED)
    assert cell_values(report)["page_views"].value == "0"
    visit_services.record_visit(unit_id=unit.pk, ip="198.51.100.8", user_agent="Mozilla/5.0", day=date(YEAR, 5, 5))
    with unit_schema(unit):
        assert services.refresh_computed(report_id=report.pk, user=editor) == 2
        assert services.refresh_computed(report_id=report.pk, user=editor) == 0
    report = selectors.report(unit=unit, year=YEAR)
    assert cell_values(report)["page_views"].value == "1" and report.last_editor_id == editor.pk
    assert "自 2025-05-05 开始统计" in cell_values(report)["page_views"].source_description


# --- filled in, reviewed, published ------------------------------------------------------------------------


def test_fill_review_and_publish_through_the_admin(registered_a, unit_b, content, django_capture_on_commit_callbacks):
    unit = registered_a
    build_year_of_content(unit, content)
    make_user(unit, "ta_editor", UnitRole.EDITOR)
    make_user(unit, "ta_both", UnitRole.EDITOR, UnitRole.REVIEWER)
    make_user(unit, "ta_reviewer", UnitRole.REVIEWER)
    editor, both, reviewer = staff(unit, "ta_editor"), staff(unit, "ta_both"), staff(unit, "ta_reviewer")

    index = editor.get(reverse("annualreport:index"))
    assert index.status_code == 200 and "政府网站工作年度报表" in index.content.decode()
    created = editor.post(reverse("annualreport:index"), {"year": YEAR})
    assert created.status_code == 302 and created["Location"] == reverse("annualreport:report", args=[YEAR])
    report = AnnualReport.objects.get(unit=unit, year=YEAR)
    url = reverse("annualreport:report", args=[YEAR])

    page = editor.get(url).content.decode()
    assert "由平台统计：2025年发布的政务动态类信息" in page and "平台统计" in page and "手工填写" in page
    assert 'name="cell_registered_users"' in page and 'name="cell_info_total"' not in page

    # A wrong value is refused in Chinese, and nothing is saved.
    bad = editor.post(url, {"action": "save", **manual_form(report, registered_users="一万", messages_average_days="x")})
    assert bad.status_code == 400
    assert "「注册用户数」须填写不小于 0 的整数" in bad.content.decode()
    assert cell_values(report)["registered_users"].value == ""
    # Computed rows cannot be typed over.
    with unit_schema(unit), pytest.raises(ValidationError, match="由平台统计"):
        services.save_entries(
            report_id=report.pk, user=get_user_model().objects.get(username="ta_editor"), values={"info_total": "99"}
        )

    # Saving part of it; submitting is refused while required rows are empty.
    partial = manual_form(report)
    partial.pop("cell_unit_head")
    response = editor.post(url, {"action": "submit", **partial}, follow=True)
    assert "以下项目尚未填写，不能提交审核：单位负责人" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    cells = cell_values(report)
    assert cells["registered_users"].value == "12" and cells["registered_users"].origin == CellOrigin.ENTERED
    assert cells["registered_users"].entered_by_name == "ta_editor" and cells["innovation"].value == "搜索即服务"

    # The last change is ta_both's, who submits it.
    with django_capture_on_commit_callbacks(execute=True):
        both.post(url, {"action": "submit", **manual_form(report, unit_head="张局长")})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.last_editor_name == "ta_both"
    assert cell_values(report)["unit_head"].value == "张局长"
    assert any("ta_reviewer@example.gov.cn" in m.to and "待审核" in m.subject for m in mail.outbox)

    # Not yet published: neither the unit's site nor the portal shows it.
    assert PublicSchemaClient(HTTP_HOST="ta.localhost").get(f"/nianbao/{YEAR}/").status_code == 404
    assert "测试甲局2025年度" not in PublicSchemaClient(HTTP_HOST="localhost").get("/nianbao/").content.decode()

    # The editor cannot approve; nor can the reviewer who made the last change.
    refused = editor.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "只有本单位的审核员可以审核年度报表" in refused
    refused = both.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "您是这份报表的最后修改人" in refused
    assert "审核通过并发布</button>" not in both.get(url).content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # The reviewer sends it back once, with a reason; the editor corrects and resubmits.
    assert "请填写退回意见" in reviewer.post(url, {"action": "return", "comment": ""}, follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(url, {"action": "return", "comment": "注册用户数请与政务服务平台核对"})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.return_comment == "注册用户数请与政务服务平台核对"
    assert any("ta_editor@example.gov.cn" in m.to and "退回" in m.subject for m in mail.outbox)
    editor.post(url, {"action": "submit", **manual_form(report, unit_head="张局长", registered_users="13500")})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.last_editor_name == "ta_editor"

    # Approved by a 审核员 who did not make the last change: published.
    with django_capture_on_commit_callbacks(execute=True):
        approved = reviewer.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "审核通过，年度报表已在本站发布" in approved
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED and report.approved_by_name == "ta_reviewer" and report.published_at
    actions = [event.action for event in selectors.events(report=report)]
    assert actions[0] == "created" and actions[-1] == "published" and "returned" in actions
    # Published means frozen.
    after = editor.post(url, {"action": "save", **manual_form(report, registered_users="1")}, follow=True).content.decode()
    assert "报表已提交审核或已发布，不能修改" in after and cell_values(report)["registered_users"].value == "13500"

    # On the unit's own site…
    site = PublicSchemaClient(HTTP_HOST="ta.localhost")
    latest = site.get("/nianbao/")
    body = latest.content.decode()
    assert latest.status_code == 200 and "2025年度" in body and "珠海市测试甲局" in body
    assert "13500" in body and "粤ICP备12345678号-1" in body and "审核人：ta_reviewer" in body
    assert "平台统计" in body and "由平台统计：2025年发布的政务动态类信息" in body
    assert site.get(f"/nianbao/{YEAR}/").status_code == 200 and site.get(f"/nianbao/{YEAR - 1}/").status_code == 404
    # The unit's homepage links to it ({% annual_report_link %} in the homepage template).
    from django.template import Context, Template

    with unit_schema(unit):
        link = Template("{% load annualreport_tags %}{% annual_report_link %}").render(Context({}))
    assert f'href="/nianbao/{YEAR}/"' in link and "2025年度政府网站工作年度报表" in link
    # …and on the portal, linking to the unit's page; the unit that has not published is named.
    portal = PublicSchemaClient(HTTP_HOST="localhost")
    listing = portal.get("/nianbao/").content.decode()
    assert "珠海市测试甲局2025年度政府网站工作年度报表" in listing
    assert f'href="{unit_base_url(unit)}/nianbao/{YEAR}/"' in listing
    year_page = portal.get(f"/nianbao/{YEAR}/").content.decode()
    assert "尚未发布：" in year_page and "测试乙局" in year_page
    # The information centre sees every unit's state.
    overview = centre_client().get(reverse("annualreport:overview"), {"year": YEAR}).content.decode()
    assert "测试甲局" in overview and "已发布" in overview and "测试乙局" in overview
    detail = centre_client().get(reverse("annualreport:centre_report", args=["ta", YEAR]))
    assert detail.status_code == 200 and "13500" in detail.content.decode()


def test_only_the_units_own_staff_work_on_its_report(registered_a, unit_b):
    make_user(unit_b, "tb_editor", UnitRole.EDITOR)
    make_user(registered_a, "ta_head", UnitRole.HEAD)
    report, _ = services.create_draft(unit=registered_a, year=YEAR, now=CREATED)
    # Another unit's editor cannot touch it, even by id.
    with unit_schema(unit_b), pytest.raises(ValidationError, match="年度报表不存在"):
        services.save_entries(
            report_id=report.pk, user=get_user_model().objects.get(username="tb_editor"), values={"registered_users": "1"}
        )
    # The 第一责任人 reads it but cannot fill it in.
    head = staff(registered_a, "ta_head")
    page = head.get(reverse("annualreport:report", args=[YEAR]))
    assert page.status_code == 200 and 'name="cell_registered_users"' not in page.content.decode()
    refused = head.post(reverse("annualreport:report", args=[YEAR]), {"action": "refresh"}, follow=True)
    assert "只有本单位的信息员或单位管理员可以填写年度报表" in refused.content.decode()
    # The unit's screens do not exist in the centre's admin, nor the centre's in a unit's.
    assert centre_client().get(reverse("annualreport:index")).status_code == 404
    assert head.get(reverse("annualreport:overview")).status_code == 404
    # The centre creates the drafts of every unit at once, and only once.
    centre = centre_client()
    first = centre.post(reverse("annualreport:overview"), {"year": YEAR}, follow=True).content.decode()
    units = directory_units().count()
    assert f"已为 {units - 1} 个单位生成2025年度报表草稿" in first
    assert (
        "各单位的该年度报表均已存在"
        in centre.post(reverse("annualreport:overview"), {"year": YEAR}, follow=True).content.decode()
    )
    assert AnnualReport.objects.filter(year=YEAR).count() == units


def test_the_supervisor_reads_the_overview_and_writes_nothing(registered_a):
    from tenants.models import SupervisorRead
    from tenants.roles import CentreRole

    with schema_context("public"):
        user = get_user_model().objects.create_user(username="jiancha", password=PASSWORD, first_name="市监察局")
        user.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
    services.create_draft(unit=registered_a, year=YEAR, now=CREATED)
    supervisor = logged_in_client(schema_name="public", host="localhost", username="jiancha", password=PASSWORD)
    overview = supervisor.get(reverse("annualreport:overview"), {"year": YEAR})
    assert overview.status_code == 200 and "测试甲局" in overview.content.decode()
    assert "生成2025年度草稿</button>" not in overview.content.decode()
    assert supervisor.get(reverse("annualreport:centre_report", args=["ta", YEAR])).status_code == 200
    assert supervisor.post(reverse("annualreport:overview"), {"year": YEAR}).status_code == 403
    assert AnnualReport.objects.filter(year=YEAR).count() == 1
    assert SupervisorRead.objects.filter(user=user, path=reverse("annualreport:overview")).exists()


# --- the January reminder ------------------------------------------------------------------------------


def _reminders_to(unit) -> list:
    return [m for m in mail.outbox if "发布提醒" in m.subject and any(a.startswith(f"{unit.code}_") for a in m.to)]


def test_reminder_runs_daily_from_january_until_published(registered_a, unit_b):
    editors = {unit.code: make_user(unit, f"{unit.code}_editor", UnitRole.EDITOR) for unit in (registered_a, unit_b)}
    reviewers = {unit.code: make_user(unit, f"{unit.code}_reviewer", UnitRole.REVIEWER) for unit in (registered_a, unit_b)}
    units = directory_units().count()
    january = aware(YEAR + 1, 1, 5, 9, 0)
    # The first run of the year creates the missing drafts (pre-filled) and reminds every unit.
    assert services.send_reminders(now=january) == units
    assert AnnualReport.objects.filter(year=YEAR).count() == units
    to_a = _reminders_to(registered_a)
    assert {address for m in to_a for address in m.to} == {"ta_editor@example.gov.cn", "ta_reviewer@example.gov.cn"}
    days_left = (date(YEAR + 1, 1, 31) - date(YEAR + 1, 1, 5)).days
    assert f"还剩 {days_left} 天" in to_a[0].body and "2026年01月31日" in to_a[0].body
    assert "http://ta.localhost" in to_a[0].body and reverse("annualreport:report", args=[YEAR]) in to_a[0].body
    # Once a day.
    sent = len(mail.outbox)
    assert services.send_reminders(now=january + timedelta(hours=5)) == 0 and len(mail.outbox) == sent
    assert services.send_reminders(now=january + timedelta(days=1)) == units
    # Published: no more reminders for that unit; the other is reminded, now overdue.
    fill_and_publish(registered_a, YEAR, editor=editors["ta"], reviewer=reviewers["ta"], now=january + timedelta(days=2))
    mail.outbox.clear()
    assert services.send_reminders(now=aware(YEAR + 1, 2, 3, 9, 0)) == units - 1
    assert _reminders_to(registered_a) == []
    overdue = _reminders_to(unit_b)
    assert overdue and "已逾期 3 天" in overdue[0].body
    # The schedule's entry point reminds of the report of the year before today's.
    from annualreport.tasks import send_reminders

    assert send_reminders() >= 0
    # A submitted report reminds only its reviewers.
    report_b = selectors.report(unit=unit_b, year=YEAR)
    values = {key.removeprefix("cell_"): value for key, value in manual_form(report_b).items()}
    with unit_schema(unit_b):
        services.save_entries(report_id=report_b.pk, user=editors["tb"], values=values)
        # Its 网站标识码 and 备案号 are read from the unit registry, which the centre has not filled in yet.
        with pytest.raises(ValidationError, match="请联系市信息中心在单位信息中补充"):
            services.submit(report_id=report_b.pk, user=editors["tb"])
    Unit.objects.filter(pk=unit_b.pk).update(
        site_id_code="4404000013", icp_number="粤ICP备1号", police_record_number="粤公网安备 1号"
    )
    unit_b = Unit.objects.get(pk=unit_b.pk)
    with unit_schema(unit_b):
        assert services.refresh_computed(report_id=report_b.pk, user=editors["tb"]) == 3
        services.submit(report_id=report_b.pk, user=editors["tb"])
    mail.outbox.clear()
    services.send_reminders(now=aware(YEAR + 1, 2, 10, 9, 0))
    assert {a for m in _reminders_to(unit_b) for a in m.to} == {"tb_reviewer@example.gov.cn"}


def test_dashboard_panel_until_published(registered_a):
    year = timezone.localdate().year - 1
    editor = make_user(registered_a, "ta_editor", UnitRole.EDITOR)
    reviewer = make_user(registered_a, "ta_reviewer", UnitRole.REVIEWER)
    services.create_draft(unit=registered_a, year=year)
    dashboard = staff(registered_a, "ta_editor").get("/admin/").content.decode()
    assert f"{year}年度政府网站工作年度报表尚未发布（草稿）" in dashboard
    assert reverse("annualreport:report", args=[year]) in dashboard
    fill_and_publish(registered_a, year, editor=editor, reviewer=reviewer)
    assert "尚未发布" not in staff(registered_a, "ta_editor").get("/admin/").content.decode()


# --- the catalogue is data -----------------------------------------------------------------------------


NEW_TEMPLATE = {
    "version": "2026",
    "title": "政府网站工作年度报表",
    "basis": "假设的新版国家模板（测试用）",
    "first_year": 2026,
    "deadline": {"month": 1, "day": 31},
    "rows": [
        {
            "key": "page_views",
            "section": "网站基本信息",
            "label": "网站总访问量",
            "measure": "次",
            "type": "integer",
            "source": "visits.views",
        },
        {
            "key": "notices",
            "section": "信息发布",
            "label": "通知公告发布量",
            "measure": "条",
            "type": "integer",
            "source": "pages.published",
            "params": {"item_types": ["notice"], "label": "通知公告"},
        },
        {
            "key": "ai_services",
            "section": "创新发展",
            "label": "智能服务应用数量",
            "measure": "个",
            "type": "integer",
            "manual": True,
        },
    ],
}


def test_a_new_national_template_is_a_new_file(registered_a, unit_b, tmp_path, settings):
    shutil.copy(services.SHIPPED_CATALOGUES / "2018.json", tmp_path / "2018.json")
    (tmp_path / "2026.json").write_text(json.dumps(NEW_TEMPLATE, ensure_ascii=False), encoding="utf-8")
    settings.ANNUALREPORT_CATALOGUE_DIR = str(tmp_path)
    make_user(registered_a, "ta_editor", UnitRole.EDITOR)
    with schema_context(registered_a.schema_name):
        visit_services.record_visit(unit_id=registered_a.pk, ip="198.51.100.1", user_agent="Mozilla/5.0", day=date(2026, 2, 2))
    new, _ = services.create_draft(unit=registered_a, year=2026)
    old, _ = services.create_draft(unit=registered_a, year=2025)
    assert new.template.version == "2026" and old.template.version == "2018"
    assert set(cell_values(new)) == {"page_views", "notices", "ai_services"}
    assert cell_values(new)["page_views"].value == "1" and cell_values(new)["notices"].value == "0"
    assert cell_values(new)["notices"].source_description == "由平台统计：2026年发布的通知公告类信息（公告公示）"
    page = staff(registered_a, "ta_editor").get(reverse("annualreport:report", args=[2026])).content.decode()
    assert "智能服务应用数量（单位：个）" in page and 'name="cell_ai_services"' in page and "2026 版" in page
    # The loaded version is frozen once used: a change must come as a new version.
    changed = dict(NEW_TEMPLATE, title="改过的标题")
    (tmp_path / "2026.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="已有报表使用，不能修改"):
        services.ensure_catalogues()
    # A wrong file is refused with every problem named, in Chinese; nothing is loaded.
    broken = {
        **NEW_TEMPLATE,
        "version": "2027",
        "first_year": 2027,
        "rows": [
            {"key": "x", "section": "甲", "label": "未知来源", "type": "integer", "source": "nowhere.figure"},
            {"key": "x", "section": "甲", "label": "重复", "type": "integer", "manual": True},
            {"key": "y", "section": "甲", "label": "两者都有", "type": "integer", "manual": True, "source": "visits.views"},
            {
                "key": "z",
                "section": "甲",
                "label": "坏参数",
                "type": "integer",
                "source": "pages.published",
                "params": {"item_types": ["nope"]},
            },
            {"key": "w", "section": "甲", "label": "单选无选项", "type": "choice", "manual": True},
        ],
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        services.load_catalogue(path=path)
    text = "\n".join(refused.value.messages)
    for expected in ("未知的平台统计来源“nowhere.figure”", "代码“x”重复", "二者只能有一个", "item_types 须为", "须列出可选项"):
        assert expected in text
    assert selectors.template_for_year(year=2027).version == "2026"
    # The management command loads a file given on the command line.
    (tmp_path / "2026.json").write_text(json.dumps(NEW_TEMPLATE, ensure_ascii=False), encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("load_report_catalogue", str(tmp_path / "2026.json"), stdout=out)
    assert "2026 版" in out.getvalue() and "3 个项目" in out.getvalue()


def test_shipped_catalogue_follows_the_2018_template():
    spec = services.catalogue.read((services.SHIPPED_CATALOGUES / "2018.json").read_text(encoding="utf-8"))
    labels = [row.label for row in spec.rows]
    sections = list(dict.fromkeys(row.section for row in spec.rows))
    assert sections == [
        "网站基本信息",
        "信息发布",
        "专栏专题",
        "解读回应",
        "办事服务",
        "互动交流",
        "安全防护",
        "移动新媒体",
        "创新发展",
        "填报信息",
    ]
    for label in ("网站名称", "首页网址", "主办单位", "网站类型", "政府网站标识码", "ICP备案编号", "公安机关备案号", "独立用户访问总量",
                  "网站总访问量", "概况类信息更新量", "政务动态信息更新量", "信息公开目录信息更新量", "维护数量", "新开设数量",
                  "解读材料数量", "收到留言数量", "办结留言数量", "平均办理时间", "征集调查期数", "访谈期数", "安全检测评估次数"):  # fmt: skip
        assert label in labels, label
    assert spec.first_year == 2017 and (spec.deadline_month, spec.deadline_day) == (1, 31)
    # Values are checked by the row's type.
    rows = {row.key: row for row in spec.rows}
    clean = services.catalogue.clean_value
    assert clean(rows["registered_users"], " 1,200 ") == "1200"
    assert clean(rows["messages_average_days"], "2.50") == "2.5"
    assert clean(rows["innovation"], ["无障碍浏览", "搜索即服务"]) == "搜索即服务、无障碍浏览"
    for key, raw, message in (
        ("registered_users", "-3", "须填写不小于 0 的整数"),
        ("messages_average_days", "1.234", "最多两位小数"),
        ("smart_answers", "可能", "须选择“是”或“否”"),
        ("innovation", ["区块链"], "只能选择"),
        ("unit_head", "长" * 201, "不能超过 200 个字"),
    ):
        with pytest.raises(ValidationError, match=re.escape(message)):
            clean(rows[key], raw)


def test_demo_seed_creates_last_years_drafts(unit_a, unit_b):
    now = timezone.make_aware(datetime(2026, 12, 1, 9, 0))
    assert demo.seed(now=now) == directory_units().count()
    assert demo.seed(now=now) == 0
    report = AnnualReport.objects.get(unit=unit_a, year=2025)
    assert report.status == ReportStatus.DRAFT
    assert cell_values(report)["sponsor"].value == "珠海市测试甲局"
