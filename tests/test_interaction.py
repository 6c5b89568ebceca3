"""互动交流 through real HTTP: the citizen's form and 查询码, the workflow with its actors, deadlines on the
holiday calendar, reminders, publication without personal data, 转办, the veto, figures, 找错 and 12345."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import ModelLogEntry, Site

from interaction import selectors, services
from interaction.models import Case, Handover, PublishedReply, Status
from sitepages.models import InteractionPage, NewsPage
from tenants.roles import UnitRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client

PASSWORD = "pw-user-12345"
WRITER = {"name": "张小明", "phone": "13812345678", "email": "zxm@example.com"}


# --- fixtures -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def make_user(unit, username: str, *groups: str):
    with schema_context(unit.schema_name):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.gov.cn", is_staff=True, first_name=username
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def staff_client(unit, host: str, username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name=unit.schema_name, host=host, username=username, password=PASSWORD)


def add_channel(unit) -> InteractionPage:
    with schema_context(unit.schema_name):
        home = Site.objects.get(is_default_site=True).root_page
        page = InteractionPage.objects.child_of(home).first()
        if page is None:
            page = InteractionPage(
                title="互动渠道",
                slug="hdqd",
                channels="<p>欢迎咨询。</p>",
                handler_name="陈敏",
                handler_phone="0756-1234567",
                live=False,
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        return InteractionPage.objects.get(pk=page.pk)


@pytest.fixture
def staff_a(unit_a):
    return {
        "dispatcher": make_user(unit_a, "ta_rev", UnitRole.REVIEWER),
        "reviewer2": make_user(unit_a, "ta_rev2", UnitRole.REVIEWER),
        "handler": make_user(unit_a, "ta_handler", selectors.HANDLER_ROLE),
        "leader": make_user(unit_a, "ta_lead", UnitRole.LEADER),
        "editor": make_user(unit_a, "ta_edit", UnitRole.EDITOR),
    }


@pytest.fixture
def channel_a(unit_a):
    return add_channel(unit_a)


def form_data(client: PublicSchemaClient, url: str, **overrides) -> dict:
    """The form as a browser posts it: the captcha key from the rendered page, the test mode's answer."""
    page = client.get(url)
    assert page.status_code == 200
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode())
    assert key, "the form carries a captcha"
    data = {
        "kind": "consult",
        "subject": "关于企业投资项目备案的咨询",
        "content": "请问企业投资项目备案需要提交哪些材料，办理时限是多久？",
        "name": WRITER["name"],
        "phone": WRITER["phone"],
        "email": WRITER["email"],
        "agree_publish": "on",
        "website": "",
        "captcha_0": key.group(1),
        "captcha_1": "PASSED",
    }
    data.update(overrides)
    return data


def submit(client: PublicSchemaClient, url: str, **overrides):
    return client.post(url, form_data(client, url, **overrides))


def number_of(response) -> str:
    match = re.search(r'id="case-number">([A-Z0-9]+)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def case_in(unit, number: str) -> Case:
    with schema_context(unit.schema_name):
        return Case.objects.get(number=number)


def act(client: PublicSchemaClient, case_id: int, action: str, **data):
    return client.post(reverse("interaction:case", args=[case_id]), {"action": action, **data}, follow=True)


# --- the lifecycle -----------------------------------------------------------------


def test_full_lifecycle_through_http(unit_a, host_a, channel_a, staff_a, django_capture_on_commit_callbacks):
    citizen = PublicSchemaClient(HTTP_HOST=host_a)
    url = channel_a.relative_url(channel_a.get_site())
    page = citizen.get(url)
    assert page.status_code == 200 and "我要留言" in page.content.decode() and "验证码" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(citizen, url)
    assert response.status_code == 200, response.content.decode()[:3000]
    number = number_of(response)
    case = case_in(unit_a, number)
    assert case.status == Status.SUBMITTED and case.kind == "consult" and case.working_days == 5
    assert case.deadline > case.received_at
    # The writer got the 查询码; the dispatchers were told.
    assert any(WRITER["email"] in m.to and number in m.body for m in mail.outbox)
    assert any("ta_rev@example.gov.cn" in m.to for m in mail.outbox)

    dispatcher = staff_client(unit_a, host_a, "ta_rev")
    queue = dispatcher.get(reverse("interaction:queue"))
    assert number in queue.content.decode()
    detail = dispatcher.get(reverse("interaction:case", args=[case.pk]))
    assert detail.status_code == 200 and "受理" in detail.content.decode()

    act(dispatcher, case.pk, "accept", kind="consult")
    with django_capture_on_commit_callbacks(execute=True):
        act(dispatcher, case.pk, "assign", handler=staff_a["handler"].pk)
    assert case_in(unit_a, number).status == Status.ASSIGNED
    assert any("ta_handler@example.gov.cn" in m.to for m in mail.outbox)

    handler = staff_client(unit_a, host_a, "ta_handler")
    mine = handler.get(reverse("interaction:mine"))
    assert number in mine.content.decode() and "剩" in mine.content.decode()
    act(handler, case.pk, "start")
    assert case_in(unit_a, number).status == Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        act(handler, case.pk, "reply", reply="企业投资项目备案需提交项目备案申请表和营业执照复印件，3 个工作日内办结。")
    assert case_in(unit_a, number).status == Status.REVIEW

    # A reviewer sends it back once, then approves and publishes.
    act(dispatcher, case.pk, "review", decision="reject", comment="请补充办理地点")
    assert case_in(unit_a, number).status == Status.IN_PROGRESS
    act(
        handler,
        case.pk,
        "reply",
        reply="企业投资项目备案需提交项目备案申请表和营业执照复印件，到市政务服务中心二楼综合窗口办理，3 个工作日内办结。",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = act(dispatcher, case.pk, "review", decision="publish", comment="同意")
    assert "审核通过，答复已公开" in response.content.decode()
    case = case_in(unit_a, number)
    assert case.status == Status.PUBLISHED and case.answered_at and case.published_at

    public = PublicSchemaClient(HTTP_HOST=host_a)
    listing = public.get(reverse("interaction_site:replies")).content.decode()
    assert "关于企业投资项目备案的咨询" in listing and "受理日期" in listing and "答复单位" in listing
    assert public.get(reverse("interaction_site:reply", args=[case.pk])).status_code == 200

    # The citizen follows the case with the 查询码 and the phone, rates it, follows up once.
    query = reverse("interaction_site:query")
    shown = citizen.post(query, {"number": number.lower(), "phone": WRITER["phone"]}).content.decode()
    assert "二楼综合窗口" in shown and "已答复" in shown
    assert citizen.post(query, {"number": number, "phone": "13900000000"}).status_code == 404
    rated = citizen.post(query, {"number": number, "phone": WRITER["phone"], "action": "rate", "rating": "satisfied"})
    assert "感谢您的评价" in rated.content.decode()
    again = citizen.post(query, {"number": number, "phone": WRITER["phone"], "action": "rate", "rating": "unsatisfied"})
    assert "您已评价过该留言" in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post(query, {"number": number, "phone": WRITER["phone"], "action": "followup", "followup": "周六可以办理吗？"})
    second = citizen.post(
        query, {"number": number, "phone": WRITER["phone"], "action": "followup", "followup": "还想再问一次问题"}
    )
    assert "每条留言只能追问一次" in second.content.decode()
    act(handler, case.pk, "followup_reply", text="周六上午提供预约办理服务。")
    assert "周六上午提供预约办理服务" in citizen.post(query, {"number": number, "phone": WRITER["phone"]}).content.decode()

    case = case_in(unit_a, number)
    assert case.rating == "satisfied" and case.followup_reply
    with schema_context(unit_a.schema_name):
        entries = list(ModelLogEntry.objects.for_instance(case).order_by("timestamp", "id"))
        actions = [entry.action for entry in entries]
        users = {entry.action: (entry.user.username if entry.user else None) for entry in entries}
    for expected in (
        "interaction.received",
        "interaction.accepted",
        "interaction.assigned",
        "interaction.started",
        "interaction.reply_submitted",
        "interaction.reply_rejected",
        "interaction.answered",
        "interaction.published",
        "interaction.rated",
        "interaction.followed_up",
        "interaction.followup_replied",
    ):
        assert expected in actions
    assert users["interaction.accepted"] == "ta_rev" and users["interaction.reply_submitted"] == "ta_handler"
    history = dispatcher.get(reverse("interaction:case", args=[case.pk])).content.decode()
    assert "办理记录" in history and "交办给 ta_handler" in history


def test_each_step_has_its_actors(unit_a, host_a, channel_a, staff_a, django_capture_on_commit_callbacks):
    with schema_context(unit_a.schema_name):
        case = services.create_case(kind="complaint", subject="噪音投诉", content="工地夜间施工噪音很大，影响休息。", **WRITER)
    handler = staff_client(unit_a, host_a, "ta_handler")
    editor = staff_client(unit_a, host_a, "ta_edit")
    # 信息员 have no access to messages; a handler cannot accept.
    denied = editor.get(reverse("interaction:case", args=[case.pk]))
    assert denied.status_code == 302 and denied.url == "/admin/"  # Wagtail's answer to PermissionDenied
    refused = act(handler, case.pk, "accept", kind="complaint")
    assert "只有审核员、分管领导或单位管理员可以受理留言" in refused.content.decode()
    dispatcher = staff_client(unit_a, host_a, "ta_rev")
    act(dispatcher, case.pk, "accept", kind="complaint")
    # Only a 互动处理人 can be the handler.
    wrong = act(dispatcher, case.pk, "assign", handler=staff_a["editor"].pk)
    assert "互动处理人" in wrong.content.decode()
    # A reviewer who is also a handler answers; he cannot approve his own reply.
    with schema_context(unit_a.schema_name):
        staff_a["dispatcher"].groups.add(Group.objects.get(name=selectors.HANDLER_ROLE))
    act(dispatcher, case.pk, "assign", handler=staff_a["dispatcher"].pk)
    other = staff_client(unit_a, host_a, "ta_rev2")
    assert "只有被交办的互动处理人" in act(other, case.pk, "reply", reply="这不是我的留言，但我想答复。").content.decode()
    act(dispatcher, case.pk, "reply", reply="已责成施工单位夜间停止高噪音作业，并加强巡查。")
    own = act(dispatcher, case.pk, "review", decision="publish")
    assert "撰写答复的人不能审核自己的答复" in own.content.decode()
    assert case_in(unit_a, case.number).status == Status.REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        act(other, case.pk, "review", decision="withhold", not_public_reason="涉及具体工地和个人")
    assert case_in(unit_a, case.number).status == Status.NOT_PUBLISHED

    # 延期申请: the handler asks, only the 分管领导 approves, the deadline moves by working days.
    with schema_context(unit_a.schema_name):
        late = services.create_case(kind="help", subject="求助", content="家门口路灯坏了一个月没人修。", **WRITER)
    act(dispatcher, late.pk, "accept", kind="help")
    act(dispatcher, late.pk, "assign", handler=staff_a["handler"].pk)
    act(handler, late.pk, "extension", extra_days="3", reason="需要协调供电部门")
    old = case_in(unit_a, late.number).deadline
    assert "只有分管领导可以审批延期申请" in act(dispatcher, late.pk, "extension_decision", approve="1").content.decode()
    leader = staff_client(unit_a, host_a, "ta_lead")
    act(leader, late.pk, "extension_decision", approve="1", comment="同意")
    new = case_in(unit_a, late.number).deadline
    with schema_context(unit_a.schema_name):
        from workcalendar.selectors import work_calendar

        assert work_calendar().working_days_between(selectors.local_date(old), selectors.local_date(new)) == 3
    # 不予受理 needs a reason from the list.
    with schema_context(unit_a.schema_name):
        spam = services.create_case(kind="consult", subject="推广", content="本公司代办各类证件，价格优惠。", **WRITER)
    act(dispatcher, spam.pk, "refuse", reason="because")
    assert case_in(unit_a, spam.number).status == Status.SUBMITTED
    act(dispatcher, spam.pk, "refuse", reason="advertising")
    assert case_in(unit_a, spam.number).status == Status.REFUSED


# --- 转办 between units -------------------------------------------------------------------


def test_transfer_to_another_unit_without_reading_its_schema(
    unit_a, unit_b, host_a, host_b, channel_a, staff_a, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    citizen = PublicSchemaClient(HTTP_HOST=host_a)
    url = channel_a.relative_url(channel_a.get_site())
    attachment = SimpleUploadedFile("说明.txt", "工地位于香洲区，施工时间为晚上十点以后。".encode(), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(url, {**form_data(citizen, url, kind="complaint"), "attachments": [attachment]})
    number = number_of(response)
    case = case_in(unit_a, number)
    with schema_context(unit_a.schema_name):
        assert case.attachments.count() == 1
    make_user(unit_b, "tb_rev", UnitRole.REVIEWER)

    dispatcher = staff_client(unit_a, host_a, "ta_rev")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(dispatcher, case.pk, "transfer", target="tb", reason="属于乙局职责")
    assert case_in(unit_a, number).status == Status.TRANSFERRED
    with schema_context("public"):
        record = Handover.objects.get(case_number=number)
        assert record.snapshot["phone"] == WRITER["phone"] and record.state == Handover.State.PENDING
        assert [item["name"] for item in record.snapshot["attachments"]] == ["说明.txt"]
    with schema_context(unit_b.schema_name):
        assert not Case.objects.filter(number=number).exists()
    # The source's copy is gone before the target runs: what arrives can only come from the routing record.
    with schema_context(unit_a.schema_name):
        Case.objects.filter(number=number).update(content="（已清空）", phone="", name="")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    received = case_in(unit_b, number)
    assert received.source == "handover" and received.origin_unit_name == "测试甲局"
    assert received.phone == WRITER["phone"] and "噪音" not in received.subject and "请问" in received.content
    with schema_context(unit_b.schema_name):
        assert received.attachments.get().name == "说明.txt"
    with schema_context("public"):
        record.refresh_from_db()
        assert record.state == Handover.State.RECEIVED and record.target_case_id == received.pk
        assert "phone" not in record.snapshot and "content" not in record.snapshot and record.snapshot_cleared_at
    assert any("tb_rev@example.gov.cn" in m.to for m in mail.outbox)

    # The citizen asking at the first unit is sent on with the same 查询码.
    shown = citizen.post(reverse("interaction_site:query"), {"number": number, "phone": ""})
    assert shown.status_code == 400
    with schema_context(unit_a.schema_name):
        Case.objects.filter(number=number).update(phone=WRITER["phone"])
    shown = citizen.post(reverse("interaction_site:query"), {"number": number, "phone": WRITER["phone"]}).content.decode()
    assert "已转至测试乙局办理" in shown and "tb.localhost" in shown

    # 乙局 is not responsible either: 退回 to the information centre's desk, which sends it to 甲局 again.
    other = staff_client(unit_b, host_b, "tb_rev")
    with django_capture_on_commit_callbacks(execute=True):
        act(other, received.pk, "return", reason="本局不负责建筑工地噪音")
    assert case_in(unit_b, number).status == Status.RETURNED
    with schema_context("public"):
        desk_case = Case.objects.get(number=number)
    assert desk_case.status == Status.SUBMITTED and desk_case.origin_unit_name == "测试乙局"
    centre = centre_client()
    assert number in centre.get(reverse("interaction:queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        centre.post(
            reverse("interaction:case", args=[desk_case.pk]), {"action": "transfer", "target": "ta", "reason": "请甲局协调处理"}
        )
    back = case_in(unit_a, number)
    assert back.status == Status.SUBMITTED and back.origin_unit_name == "市政府门户"


def test_portal_entry_and_desk_triage(unit_a, host_a, staff_a, django_capture_on_commit_callbacks):
    citizen = PublicSchemaClient(HTTP_HOST="localhost")
    url = "/hudong/"
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            citizen, url, kind="suggestion", subject="建议增加公交线路", content="建议增加从香洲到金湾的夜间公交线路。"
        )
    number = number_of(response)
    with schema_context("public"):
        desk_case = Case.objects.get(number=number)
    assert desk_case.source == "portal" and desk_case.working_days == 10
    centre = centre_client()
    with django_capture_on_commit_callbacks(execute=True):
        centre.post(
            reverse("interaction:case", args=[desk_case.pk]), {"action": "transfer", "target": "ta", "reason": "交通规划"}
        )
    assert case_in(unit_a, number).source == "portal"
    shown = citizen.post("/hudong/chaxun/", {"number": number, "phone": WRITER["phone"]}).content.decode()
    assert "已转至测试甲局办理" in shown


# --- deadlines on the holiday calendar ---------------------------------------------------------


def test_deadline_across_a_holiday_and_a_makeup_saturday(unit_a):
    from moderation.confirmation.deadlines import add_working_days as confirmation_deadline
    from workcalendar.services import add_working_days, working_days_between

    tz = timezone.get_current_timezone()
    with schema_context(unit_a.schema_name):
        # 2026: 10月1日–7日 放假, 10月10日（星期六）调休上班.
        deadline = selectors.deadline_for(received_at=datetime(2026, 9, 30, 10, 0, tzinfo=tz), working_days=5)
    assert timezone.localtime(deadline).date() == date(2026, 10, 13)  # 8, 9, 10 (Sat), 12, 13
    assert add_working_days(start=date(2026, 9, 18), days=1) == date(2026, 9, 20)  # 9月20日（星期日）调休上班
    assert working_days_between(start=date(2026, 9, 30), end=date(2026, 10, 13)) == 5
    # Moderation's 会签 deadlines count on the same calendar.
    assert timezone.localtime(confirmation_deadline(start=datetime(2026, 9, 30, 10, 0, tzinfo=tz), days=3)).date() == date(
        2026, 10, 10
    )

    # The information centre edits the calendar in its admin; deadlines follow at once.
    centre = centre_client()
    response = centre.post(reverse("holidays:add"), {"date": "2026-12-31", "kind": "holiday", "note": "测试放假"})
    assert response.status_code == 302
    assert add_working_days(start=date(2026, 12, 30), days=1) == date(2027, 1, 1)
    refused = centre.post(reverse("holidays:add"), {"date": "2026-12-29", "kind": "workday", "note": ""})
    assert refused.status_code == 200 and "无需登记" in refused.content.decode()
    unit_admin = logged_in_client(
        schema_name=unit_a.schema_name, host="ta.localhost", username="ta_admin", password="pw-ta-12345"
    )
    assert unit_admin.get(reverse("holidays:index")).status_code in (302, 403)


# --- reminders and escalation --------------------------------------------------------------------


def test_reminders_and_escalation_with_a_fixed_clock(unit_a, host_a, staff_a):
    with schema_context(unit_a.schema_name):
        case = services.create_case(kind="consult", subject="社保咨询", content="请问社保转移需要什么手续？", **WRITER)
        services.accept_case(case_id=case.pk, user=staff_a["dispatcher"])
        services.assign_case(case_id=case.pk, user=staff_a["dispatcher"], handler_id=staff_a["handler"].pk)
        case.refresh_from_db()
        start, span = case.received_at, case.deadline - case.received_at
        mail.outbox.clear()
        assert services.check_deadlines(now=start + span * 0.3) == {"half": 0, "late": 0, "overdue": 0, "centre": 0}
        assert services.check_deadlines(now=start + span * 0.55)["half"] == 1
        assert [m.to for m in mail.outbox] == [["ta_handler@example.gov.cn"]]
        assert services.check_deadlines(now=start + span * 0.6)["half"] == 0
        mail.outbox.clear()
        assert services.check_deadlines(now=start + span * 0.85)["late"] == 1
        assert {"ta_handler@example.gov.cn", "ta_rev@example.gov.cn", "ta_lead@example.gov.cn"} <= {m.to[0] for m in mail.outbox}
        mail.outbox.clear()
        assert services.check_deadlines(now=case.deadline + timedelta(minutes=5))["overdue"] == 1
        told = {m.to[0] for m in mail.outbox}
        assert {"ta_handler@example.gov.cn", "ta_rev@example.gov.cn", "ta_lead@example.gov.cn"} <= told
        assert services.check_deadlines(now=case.deadline + timedelta(hours=5))["overdue"] == 0
        mail.outbox.clear()
        with schema_context("public"):
            get_user_model().objects.filter(username="centre").update(email="centre@example.gov.cn")
        assert services.check_deadlines(now=start + timedelta(days=61))["centre"] == 1
        assert any(m.to == ["centre@example.gov.cn"] and "60 天未答复" in m.subject for m in mail.outbox)
        assert services.check_deadlines(now=start + timedelta(days=62))["centre"] == 0


# --- no personal data in public ---------------------------------------------------------------


def test_no_personal_data_in_public_lists_portal_index_or_api(
    unit_a, host_a, channel_a, staff_a, django_capture_on_commit_callbacks
):
    content = f"我叫{WRITER['name']}，电话 {WRITER['phone']}，请问公租房申请条件是什么？"
    with schema_context(unit_a.schema_name):
        case = services.create_case(kind="consult", subject="公租房申请条件", content=content, **WRITER)
        services.accept_case(case_id=case.pk, user=staff_a["dispatcher"])
        services.assign_case(case_id=case.pk, user=staff_a["dispatcher"], handler_id=staff_a["handler"].pk)
        services.submit_reply(
            case_id=case.pk, user=staff_a["handler"], reply="申请公租房须具有本市户籍或连续缴纳社保满一年，详见住房保障栏目。"
        )
    reviewer = staff_client(unit_a, host_a, "ta_rev")
    with django_capture_on_commit_callbacks(execute=True):
        response = act(reviewer, case.pk, "review", decision="publish")
    text = response.content.decode()
    assert "公开内容含有个人信息" in text and "手机号码" in text and "留言人姓名" in text
    assert case_in(unit_a, case.number).status == Status.ANSWERED
    with django_capture_on_commit_callbacks(execute=True):
        act(
            reviewer,
            case.pk,
            "publish",
            public_subject="公租房申请条件",
            public_question="请问公租房申请条件是什么？",
            public_reply="申请公租房须具有本市户籍或连续缴纳社保满一年，详见住房保障栏目。",
            faq="on",
        )
    assert case_in(unit_a, case.number).status == Status.PUBLISHED

    pages = [
        PublicSchemaClient(HTTP_HOST=host_a).get(reverse("interaction_site:replies")),
        PublicSchemaClient(HTTP_HOST=host_a).get(reverse("interaction_site:faq")),
        PublicSchemaClient(HTTP_HOST=host_a).get(reverse("interaction_site:reply", args=[case.pk])),
        PublicSchemaClient(HTTP_HOST="localhost").get("/hudong/dafu/"),
        PublicSchemaClient(HTTP_HOST="localhost").get("/hudong/changjian/"),
        PublicSchemaClient(HTTP_HOST="localhost").get("/search/", {"q": "公租房"}),
        PublicSchemaClient(HTTP_HOST="localhost").get("/api/v1/search/", {"q": "公租房"}),
        PublicSchemaClient(HTTP_HOST="localhost").get("/api/v1/documents/", {"type": "interaction_reply"}),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        body = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(json.loads(body), ensure_ascii=False)
        assert "公租房" in body, response.request["PATH_INFO"]
        for personal in WRITER.values():
            assert personal not in body, (response.request["PATH_INFO"], personal)
    api = json.loads(pages[-2].content)
    assert any(hit["page_type"] == "interaction_reply" for hit in api["results"])
    with schema_context("public"):
        reply = PublishedReply.objects.get(case_id=case.pk, schema_name=unit_a.schema_name)
        assert reply.faq and WRITER["phone"] not in reply.question


# --- abuse resistance ---------------------------------------------------------------------------


def test_captcha_honeypot_and_rate_limits(unit_a, host_a, channel_a, settings):
    citizen = PublicSchemaClient(HTTP_HOST=host_a)
    url = channel_a.relative_url(channel_a.get_site())
    wrong = submit(citizen, url, captcha_1="WXYZ")
    text = wrong.content.decode()
    assert wrong.status_code == 400 and "验证码不正确" in text
    assert "关于企业投资项目备案的咨询" in text and WRITER["phone"] in text  # what was typed is kept
    assert submit(citizen, url, phone="1234").status_code == 400
    assert "请输入 11 位手机号码" in submit(citizen, url, phone="1234").content.decode()
    bot = submit(citizen, url, website="http://spam.example/")
    assert bot.status_code == 400 and "提交未成功" in bot.content.decode()
    with schema_context(unit_a.schema_name):
        assert not Case.objects.exists()

    caches["ratelimit"].clear()
    settings.INTERACTION_RATE_PER_IP = "3/h"
    settings.INTERACTION_RATE_PER_PHONE = "2/d"
    assert submit(citizen, url).status_code == 200
    assert submit(citizen, url).status_code == 200
    by_phone = submit(citizen, url)
    assert by_phone.status_code == 429 and "该手机号码提交过于频繁" in by_phone.content.decode()
    by_ip = submit(citizen, url, phone="13900001111")
    assert by_ip.status_code == 429 and "提交过于频繁" in by_ip.content.decode()
    assert "13900001111" in by_ip.content.decode()
    with schema_context(unit_a.schema_name):
        assert Case.objects.count() == 2
    # Another site counts its own submissions (the cache keys carry the schema).
    other = PublicSchemaClient(HTTP_HOST="localhost")
    assert submit(other, "/hudong/", phone="13900002222").status_code == 200


# --- oversight: the veto and 第十一条（四） -------------------------------------------------------------


def test_three_month_veto_and_article_11_entry(unit_a, host_a, channel_a, staff_a):
    from oversight import services as oversight_services
    from oversight.reports import CLAUSE_INTERACTION
    from oversight.selectors import monthly_report

    snapshot = oversight_services.score_and_record(unit=unit_a)
    assert not any("互动回应差" in veto for veto in snapshot.vetoes)
    with schema_context(unit_a.schema_name):
        old = services.create_case(kind="consult", subject="旧留言", content="三个多月前的一条咨询，至今没有答复。", **WRITER)
        services.accept_case(case_id=old.pk, user=staff_a["dispatcher"])
        past = timezone.now() - timedelta(days=100)
        Case.objects.filter(pk=old.pk).update(received_at=past, submitted_at=past, deadline=past + timedelta(days=7))
    snapshot = oversight_services.score_and_record(unit=unit_a)
    vetoes = [veto for veto in snapshot.vetoes if "互动回应差" in veto]
    assert vetoes and old.number in vetoes[0] and WRITER["phone"] not in str(snapshot.detail)
    # The centre sees it with the other vetoes, and in its 互动交流 overview with the evidence.
    centre = centre_client()
    assert old.number in centre.get(reverse("oversight:unit_detail", args=["ta"])).content.decode()
    assert old.number in centre.get(reverse("interaction:overview")).content.decode()
    # 第十一条（四）: the message not handled in time is on the month's register.
    now = timezone.localtime()
    report = monthly_report(year=now.year, month=now.month)
    entries = [c for c in report.cases if c.clause == CLAUSE_INTERACTION and c.unit_name == unit_a.name]
    assert entries and old.number in entries[0].evidence

    # A unit without a working channel is vetoed too.
    with schema_context(unit_a.schema_name):
        InteractionPage.objects.get(pk=channel_a.pk).unpublish()
        Case.objects.filter(pk=old.pk).delete()
    snapshot = oversight_services.score_and_record(unit=unit_a)
    assert any("互动渠道" in veto for veto in snapshot.vetoes)


# --- figures ----------------------------------------------------------------------------------------


def test_monthly_figures_add_up(unit_a, unit_b, host_a, staff_a):
    with schema_context(unit_a.schema_name):
        cases = [
            services.create_case(kind=kind, subject=f"{kind} 留言", content="一条用于统计的留言内容。", **WRITER)
            for kind in ("consult", "consult", "complaint", "suggestion", "help", "correction")
        ]
        user = staff_a["dispatcher"]
        for case in cases[:5]:
            services.accept_case(case_id=case.pk, user=user)
        services.refuse_case(case_id=cases[5].pk, user=user, reason="duplicate")
        for case in cases[:3]:
            services.assign_case(case_id=case.pk, user=user, handler_id=staff_a["handler"].pk)
            services.submit_reply(case_id=case.pk, user=staff_a["handler"], reply="这是一条已经审核通过的答复内容。")
            services.review_reply(
                case_id=case.pk,
                user=staff_a["reviewer2"],
                approve=True,
                publish=case is not cases[2],
                not_public_reason="不宜公开",
            )
        services.rate_case(case_id=cases[0].pk, rating="satisfied")
        services.rate_case(case_id=cases[1].pk, rating="unsatisfied")
        now = timezone.localtime()
        figures = selectors.unit_figures(year=now.year, month=now.month)
    total = figures.total
    assert (total.received, total.accepted, total.answered, total.published) == (6, 5, 3, 2)
    assert total.rated == 2 and total.satisfied == 1 and total.on_time == 3
    assert figures.by_kind["consult"].published == 2 and figures.by_kind["complaint"].published == 0
    for field in ("received", "accepted", "answered", "published", "on_time", "rated", "satisfied"):
        assert getattr(total, field) == sum(getattr(row, field) for row in figures.by_kind.values())
    assert total.reply_rate == pytest.approx(2 / 5)
    # The unit's dashboard and the centre's overview show the same numbers.
    panel = staff_client(unit_a, host_a, "ta_rev").get("/admin/").content.decode()
    assert "留言 6 件，受理 5 件，答复（已公开）2 件" in panel
    overview = centre_client().get(reverse("interaction:overview")).content.decode()
    assert "测试甲局" in overview and "测试乙局" in overview
    drill = centre_client().get(reverse("interaction:unit_figures", args=["ta"]))
    assert drill.status_code == 200 and "按期办结率" in drill.content.decode()
    # And the monthly report (XLSX sheet 互动交流, PDF section).
    from openpyxl import load_workbook

    period = f"{now.year}-{now.month}"
    xlsx = centre_client().get(reverse("oversight:monthly_report"), {"period": period, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["互动交流"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    unit_rows = [row for row in rows if row[0] == "测试甲局"]
    assert next(row for row in unit_rows if row[1] == "合计")[2:5] == [6, 5, 2]
    assert sum(row[2] for row in unit_rows if row[1] != "合计") == 6
    pdf = centre_client().get(reverse("oversight:monthly_report"), {"period": period, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- 我为政府网站找错 -------------------------------------------------------------------------------


def test_error_report_intake_forwarding_and_year_counts(unit_a, host_a, channel_a, staff_a, django_capture_on_commit_callbacks):
    with schema_context(unit_a.schema_name):
        home = Site.objects.get(is_default_site=True).root_page
        news = NewsPage(title="错字新闻", slug="cuozi", publish_date=date.today(), live=False, body=[])
        home.add_child(instance=news)
    footer = PublicSchemaClient(HTTP_HOST=host_a).get(channel_a.relative_url(channel_a.get_site())).content.decode()
    assert "jiucuo.js" in footer and "sitecode" in footer
    assert "jiucuo.js" in PublicSchemaClient(HTTP_HOST="localhost").get("/").content.decode()

    centre = centre_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(
            reverse("interaction:national"),
            {
                "action": "register",
                "target": "ta",
                "external_ref": "JC2026-0001",
                "problem_url": f"http://{host_a}/cuozi/",
                "content": "页面标题有错别字。",
                "submitted_on": "2026-11-30",
            },
            follow=True,
        )
    assert "已登记并转交测试甲局" in response.content.decode()
    case = Case.objects.none()
    with schema_context(unit_a.schema_name):
        case = Case.objects.get(external_ref="JC2026-0001")
    assert case.kind == "correction" and case.source == "national" and case.working_days == 3
    assert case.problem_page_id == news.pk
    detail = staff_client(unit_a, host_a, "ta_rev").get(reverse("interaction:case", args=[case.pk])).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[news.pk]) in detail
    bad = centre.post(
        reverse("interaction:national"), {"action": "register", "target": "ta", "problem_url": "不是网址", "content": "x"}
    )
    assert bad.status_code == 200 and "网址格式不正确" in bad.content.decode()

    upload = SimpleUploadedFile(
        "jc.csv",
        "单位代码,找错编号,问题网址,问题描述,提交日期\nta,JC2026-0002,http://ta.localhost/,首页图片无法显示,2026-11-29\nzz,JC2026-0003,http://x/,未知单位,2026-11-29\n".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported = centre.post(
            reverse("interaction:national"), {"action": "import", "file": upload}, follow=True
        ).content.decode()
    assert "已转交 1 条" in imported and "第 3 行" in imported

    with schema_context(unit_a.schema_name):
        year = timezone.localdate().year
        counts = selectors.correction_year_counts(year=year)
        assert counts["received"] == 2 and counts["open_at_year_end"] == 2
        Case.objects.filter(pk=case.pk).update(
            status=Status.ANSWERED,
            received_at=timezone.make_aware(datetime(year, 1, 5)),
            answered_at=timezone.make_aware(datetime(year, 3, 1)),
        )
        counts = selectors.correction_year_counts(year=year)
        assert counts == {"received": 2, "open_at_year_end": 1, "closed_after_a_month": 1}


# --- 12345 hand-off -------------------------------------------------------------------------------


def test_hotline_export_and_import(unit_a, host_a, staff_a):
    with schema_context(unit_a.schema_name):
        case = services.create_case(kind="complaint", subject='=HYPERLINK("x")', content="投诉内容一条。", **WRITER)
    dispatcher = staff_client(unit_a, host_a, "ta_rev")
    exported = dispatcher.get(reverse("interaction:hotline_export"), {"format": "csv"})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["查询码"] == case.number and rows[0]["标题"].startswith("'=")
    as_json = json.loads(dispatcher.get(reverse("interaction:hotline_export"), {"format": "json"}).content)
    assert as_json["cases"][0]["类型"] == "投诉"
    assert dispatcher.get(reverse("interaction:hotline_export"), {"format": "xml"}).status_code == 404

    back = "工单编号,查询码,办理结果,回访时间,回访结果,回访满意度,类型,标题,内容\n"
    back += f"GD001,{case.number},部分解决,2026-11-20 10:00,已电话回访,基本满意,,,\n"
    back += "GD002,,,,,,咨询,热线派单,市民咨询公积金提取。\n"
    back += "GD003,,好了,,,,咨询,x,y\n"
    response = dispatcher.post(reverse("interaction:hotline"), {"file": SimpleUploadedFile("back.csv", back.encode())})
    text = response.content.decode()
    assert "新建 1 条，更新 1 条" in text and "第 4 行" in text and "办理结果「好了」无效" in text
    updated = case_in(unit_a, case.number)
    assert updated.outcome == "partly" and updated.revisit_rating == "basic" and updated.external_ref == "GD001"
    with schema_context(unit_a.schema_name):
        assert Case.objects.get(external_ref="GD002").source == "hotline"
    assert staff_client(unit_a, host_a, "ta_handler").post(
        reverse("interaction:hotline"), {"file": SimpleUploadedFile("b.csv", back.encode())}
    ).status_code in (302, 403)


# --- demo data ------------------------------------------------------------------------------------


def test_demo_cases_cover_every_state(unit_a, unit_b, django_capture_on_commit_callbacks):
    from interaction import demo

    make_user(unit_a, "ta_reviewer", UnitRole.REVIEWER)
    make_user(unit_a, "ta_leader", UnitRole.LEADER)
    with django_capture_on_commit_callbacks(execute=True), schema_context(unit_a.schema_name):
        created = demo.seed_unit(unit=unit_a, password=PASSWORD, transfer_to="tb", with_veto=True)
        assert created >= 12
        statuses = set(Case.objects.values_list("status", flat=True))
        assert statuses == set(Status.values)
        assert Case.objects.filter(status__in=[Status.IN_PROGRESS], deadline__lt=timezone.now()).exists()
        assert demo.seed_unit(unit=unit_a, password=PASSWORD) == 0  # a second run adds nothing
        now = timezone.localtime()
        figures = selectors.unit_figures(year=now.year, month=now.month)
        assert figures.veto_evidence and figures.total.received > 0
    with schema_context(unit_b.schema_name):
        assert Case.objects.filter(source="handover").count() == 1


def test_freshness_rule_of_interaction_is_pure_and_explains_itself():
    from oversight.freshness import SHANGHAI, InteractionState, UnitState, score_unit

    now = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    base = {"unit_code": "x", "unit_name": "某局", "columns": (), "homepage_newest_dynamic": now}
    quiet = score_unit(UnitState(**base, interaction=InteractionState()), now=now)
    assert quiet.passed and quiet.score == 100
    state = InteractionState(
        has_channel=False,
        unanswered=2,
        evidence=("咨询留言 ABC（2026-08-01 收到，已 122 天未答复）",),
        overdue_open=3,
        unpublished_after_two_months=1,
    )
    score = score_unit(UnitState(**base, interaction=state), now=now)
    assert not score.passed
    assert any("没有可用的互动交流渠道" in veto for veto in score.vetoes)
    assert any("2 条有效留言超过 3 个月未答复" in veto and "ABC" in veto for veto in score.vetoes)
    assert {d.kind for d in score.deductions} == {"interaction_unpublished", "interaction_overdue"}
    assert score.score == 100 - 3 - 2
    # Callers that know nothing of 互动交流 (the freshness benchmark) are judged as before.
    assert score_unit(UnitState(**base), now=now).passed


def test_unit_sets_its_own_deadlines(unit_a, host_a, staff_a):
    unit_admin = logged_in_client(schema_name=unit_a.schema_name, host=host_a, username="ta_admin", password="pw-ta-12345")
    index = unit_admin.get(reverse("interaction_deadlines:index"))
    assert index.status_code == 200
    response = unit_admin.post(reverse("interaction_deadlines:add"), {"kind": "consult", "working_days": "2"})
    assert response.status_code == 302
    bad = unit_admin.post(reverse("interaction_deadlines:add"), {"kind": "help", "working_days": "0"})
    assert bad.status_code == 200
    # Only the unit's administrators.
    assert staff_client(unit_a, host_a, "ta_rev").get(reverse("interaction_deadlines:index")).status_code in (302, 403)
    with schema_context(unit_a.schema_name):
        case = services.create_case(kind="consult", subject="时限测试", content="按本单位设置的办理时限计算。", **WRITER)
        assert case.working_days == 2
        assert services.create_case(kind="help", subject="求助", content="默认时限五个工作日。", **WRITER).working_days == 5
