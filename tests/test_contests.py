"""评比 (第十条) through the real admin screens and the portal: the centre sets up a contest with criteria and a
named jury, units nominate pages of their own sites within the window, the jury scores each nomination per
criterion (revisable until scoring closes, hidden from everyone else), and the centre publishes the results
(mean of the jury totals, ranks, prizes) on the portal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from contests import results, services
from contests.models import Contest, ContestEvent, Nomination, Prize, Score
from tenants.roles import CentreRole, UnitRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client, unit_admin_client

PASSWORD = "pw-pingbi-12345"
CRITERIA = "内容完整准确 40\n更新及时 30\n便民实用 30"


def _path(name: str, *args) -> str:
    return reverse(name, args=args or None, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def public_user(username: str, *groups: str, first_name: str = ""):
    with schema_context("public"):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=first_name)
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def public_client(username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name="public", host="localhost", username=username, password=PASSWORD)


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _form(*, jury, opens, closes, scoring, **extra) -> dict:
    return {
        "title": "最佳办事指南",
        "theme": "评选各单位网站上内容最完整、最便民的办事指南。",
        "year": str(timezone.localdate().year),
        "nomination_opens_at": _moment(opens),
        "nomination_closes_at": _moment(closes),
        "scoring_closes_at": _moment(scoring),
        "criteria": CRITERIA,
        "jury": [str(user.pk) for user in jury],
        "max_nominations_per_unit": "2",
        "first_prizes": "1",
        "second_prizes": "1",
        "third_prizes": "1",
        **extra,
    }


@pytest.fixture
def experts(db):
    return {
        "wang": public_user("pw_wang", CentreRole.EXPERT, first_name="王评委"),
        "li": public_user("pw_li", CentreRole.EXPERT, first_name="李评委"),
        "zhao": public_user("pw_zhao", CentreRole.EXPERT, first_name="赵专家"),
    }


@pytest.fixture
def contest(experts):
    now = timezone.now()
    form = _form(
        jury=[experts["wang"], experts["li"]],
        opens=now - timedelta(hours=1),
        closes=now + timedelta(days=1),
        scoring=now + timedelta(days=2),
    )
    response = centre_client().post(_path("contests:contest_new"), form, follow=True)
    assert "已创建评比“最佳办事指南”" in response.content.decode()
    return Contest.objects.get()


def _move(contest: Contest, **moments) -> None:
    """The centre changes the contest's dates on its edit screen (scoring starts when nominations close)."""
    contest.refresh_from_db()
    with schema_context("public"):
        jury = list(contest.jury.all())
    values = {"opens": contest.nomination_opens_at, "closes": contest.nomination_closes_at, "scoring": contest.scoring_closes_at}
    values.update(moments)
    response = centre_client().post(_path("contests:contest_edit", contest.pk), _form(jury=jury, **values), follow=True)
    assert "已保存修改" in response.content.decode(), response.content.decode()[:3000]


def _nominate(client, contest: Contest, *, title: str, url: str):
    return client.post(
        f"/admin/contests/unit/{contest.pk}/",
        {"title": title, "url": url, "statement": "要素齐全，附办理流程图与常见问题。"},
        follow=True,
    )


def _score(client, contest: Contest, nomination: Nomination, *points: int):
    criteria = list(contest.criteria.order_by("position"))
    data = {f"criterion_{c.pk}": str(p) for c, p in zip(criteria, points, strict=True)}
    return client.post(_path("contests:jury_score", contest.pk, nomination.pk), data, follow=True)


# --- setting up ----------------------------------------------------------------------------


def test_the_jury_are_named_experts_and_the_form_explains_its_errors(experts):
    stranger = public_user("not_an_expert")
    now = timezone.now()
    client = centre_client()
    form = _form(jury=[stranger], opens=now, closes=now + timedelta(days=1), scoring=now + timedelta(days=2))
    refused = client.post(_path("contests:contest_new"), form).content.decode()
    assert "评委须为“考评专家”组的成员" in refused
    backwards = _form(jury=[experts["wang"]], opens=now, closes=now - timedelta(days=1), scoring=now + timedelta(days=2))
    assert "申报开始早于申报截止" in client.post(_path("contests:contest_new"), backwards).content.decode()
    bad = _form(
        jury=[experts["wang"]], opens=now, closes=now + timedelta(days=1), scoring=now + timedelta(days=2), criteria="内容"
    )
    assert "格式应为：评分项名称 满分" in client.post(_path("contests:contest_new"), bad).content.decode()
    assert not Contest.objects.exists()


# --- nominations ----------------------------------------------------------------------------


def test_a_unit_nominates_only_pages_of_its_own_site(contest, unit_a, unit_b):
    client = unit_admin_client(unit_a)
    listing = client.get("/admin/contests/unit/").content.decode()
    assert "最佳办事指南" in listing and "申报中" in listing
    refused = _nominate(client, contest, title="乙局的指南", url="http://tb.localhost/bszn/")
    assert "“tb.localhost”不是本单位的网站" in refused.content.decode()
    portal = _nominate(client, contest, title="门户上的页面", url="http://localhost/units/")
    assert "不是本单位的网站" in portal.content.decode()
    not_a_url = _nominate(client, contest, title="无效网址", url="ta.localhost/bszn/")
    assert "以 http:// 或 https:// 开头的完整网址" in not_a_url.content.decode()
    assert not Nomination.objects.exists()

    accepted = _nominate(client, contest, title="企业投资项目备案办事指南", url="http://ta.localhost/bszn/xmba/")
    assert "已提交申报" in accepted.content.decode()
    nomination = Nomination.objects.get()
    assert nomination.unit_id == unit_a.pk and nomination.submitted_by == "测试甲局 管理员（ta_admin）"
    assert "已经申报" in _nominate(client, contest, title="重复", url="http://ta.localhost/bszn/xmba/").content.decode()
    event = ContestEvent.objects.get(action="contests.nominated")
    assert event.actor_unit == unit_a.name and event.nomination_title == "企业投资项目备案办事指南"
    # An editor may read but not nominate.
    with schema_context(unit_a.schema_name):
        editor = get_user_model().objects.create_user(username="ta_pb_editor", password=PASSWORD, is_staff=True)
        editor.groups.add(Group.objects.get(name=UnitRole.EDITOR))
    editor_client = logged_in_client(
        schema_name=unit_a.schema_name, host="ta.localhost", username="ta_pb_editor", password=PASSWORD
    )
    page = editor_client.get(f"/admin/contests/unit/{contest.pk}/").content.decode()
    assert "企业投资项目备案办事指南" in page and "提交申报" not in page
    denied = _nominate(editor_client, contest, title="信息员申报", url="http://ta.localhost/bszn/other/")
    assert "仅本单位第一责任人、分管领导或单位管理员可以申报" in denied.content.decode()
    # Unit B sees its own (none), never unit A's.
    other = unit_admin_client(unit_b).get(f"/admin/contests/unit/{contest.pk}/").content.decode()
    assert "企业投资项目备案办事指南" not in other and "本单位尚未申报" in other

    # After the window nobody nominates.
    _move(contest, closes=timezone.now() - timedelta(minutes=1))
    late = _nominate(client, contest, title="迟到的申报", url="http://ta.localhost/bszn/late/")
    assert "不在申报时间内" in late.content.decode()
    assert Nomination.objects.count() == 1


# --- scoring, hidden, published -------------------------------------------------------------


@pytest.fixture
def nominated(contest, unit_a, unit_b):
    _nominate(unit_admin_client(unit_a), contest, title="企业投资项目备案办事指南", url="http://ta.localhost/bszn/xmba/")
    _nominate(unit_admin_client(unit_b), contest, title="个体工商户登记办事指南", url="http://tb.localhost/bszn/gtdj/")
    return {n.unit_id: n for n in Nomination.objects.all()}


def test_jury_scoring_is_hidden_until_the_centre_publishes_ranks_and_prizes(contest, nominated, experts, unit_a, unit_b):
    a, b = nominated[unit_a.pk], nominated[unit_b.pk]
    wang, li = public_client("pw_wang"), public_client("pw_li")

    # Scoring starts when nominations close.
    early = _score(wang, contest, a, 30, 20, 20)
    assert "不在评审时间内" in early.content.decode()
    assert not Score.objects.exists()
    _move(contest, closes=timezone.now() - timedelta(minutes=1))

    # An expert who is not on this jury cannot score; out-of-range points are refused with a message.
    zhao = public_client("pw_zhao")
    assert zhao.get(_path("contests:jury_contest", contest.pk)).status_code == 302
    with pytest.raises(PermissionDenied):
        services.score_nomination(nomination_id=a.pk, user=experts["zhao"], points={c.pk: 1 for c in contest.criteria.all()})
    too_many = _score(wang, contest, a, 41, 20, 20)
    assert "不能超过 40" in too_many.content.decode()

    assert "已保存对“企业投资项目备案办事指南”的评分" in _score(wang, contest, a, 37, 26, 27).content.decode()  # 90
    _score(wang, contest, b, 29, 23, 19)  # 71
    _score(li, contest, a, 33, 28, 25)  # 86
    _score(li, contest, b, 36, 22, 24)  # 82
    # Revised, not added: still one score per criterion and jury member.
    _score(li, contest, b, 31, 21, 22)  # 74
    assert Score.objects.count() == 12
    assert ContestEvent.objects.filter(action="contests.rescored", actor="李评委（pw_li）").count() == 1

    # Hidden: the other jury member's points, the centre, the unit and the portal see none.
    li_page = li.get(_path("contests:jury_contest", contest.pk)).content.decode()
    assert "<td>31</td>" in li_page and "<td>37</td>" not in li_page and "<td>29</td>" not in li_page
    centre_page = centre_client().get(_path("contests:contest", contest.pk)).content.decode()
    assert "平均得分" not in centre_page and "<td>6</td>" in centre_page  # each jury member: 6 of 6 scores in
    assert "<td>37</td>" not in centre_page
    unit_page = unit_admin_client(unit_a).get(f"/admin/contests/unit/{contest.pk}/").content.decode()
    assert "平均得分" not in unit_page
    portal = PublicSchemaClient(HTTP_HOST="localhost")
    hidden = portal.get(f"/pingbi/{contest.pk}/").content.decode()
    assert "评比结果尚未公布" in hidden and "企业投资项目备案办事指南" not in hidden and "88.00" not in hidden

    # Not before scoring closes.
    refused = centre_client().post(_path("contests:contest", contest.pk), {"action": "publish"}, follow=True)
    assert "后才能公布结果" in refused.content.decode()
    _move(contest, scoring=timezone.now() - timedelta(seconds=30))
    assert "不在评审时间内" in _score(wang, contest, a, 40, 30, 30).content.decode()
    published = centre_client().post(_path("contests:contest", contest.pk), {"action": "publish"}, follow=True)
    assert "已公布评比结果" in published.content.decode()

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.mean_score, a.rank, a.prize) == (Decimal("88.00"), 1, Prize.FIRST)
    assert (b.mean_score, b.rank, b.prize) == (Decimal("72.50"), 2, Prize.SECOND)
    page = portal.get(f"/pingbi/{contest.pk}/").content.decode()
    assert "最佳办事指南评比结果" in page
    assert '<a href="http://ta.localhost/bszn/xmba/">企业投资项目备案办事指南</a>' in page
    assert '<a href="http://tb.localhost/bszn/gtdj/">个体工商户登记办事指南</a>' in page
    assert page.index("企业投资项目备案办事指南") < page.index("个体工商户登记办事指南")
    assert "一等奖" in page and "二等奖" in page and "88.00" in page and "72.50" in page
    assert "王评委" in page and "李评委" in page
    listing = portal.get("/pingbi/").content.decode()
    assert "最佳办事指南" in listing and "结果已公布" in listing
    # The unit sees its result; published results are final.
    assert "88.00" in unit_admin_client(unit_a).get(f"/admin/contests/unit/{contest.pk}/").content.decode()
    again = centre_client().post(_path("contests:contest", contest.pk), {"action": "publish"}, follow=True)
    assert "评比结果已公布" in again.content.decode()
    with pytest.raises(ValidationError):
        services.update_contest(
            contest_id=contest.pk,
            user=get_user_model().objects.get(username="centre"),
            spec=services.ContestSpec(
                title="改名",
                theme="主题",
                year=2026,
                nomination_opens_at=contest.nomination_opens_at,
                nomination_closes_at=contest.nomination_closes_at,
                scoring_closes_at=contest.scoring_closes_at,
                criteria=services.parse_criteria(CRITERIA),
                jury_ids=[experts["wang"].pk],
            ),
        )


def test_publication_waits_for_every_jury_member(contest, nominated, unit_a):
    a = nominated[unit_a.pk]
    _move(contest, closes=timezone.now() - timedelta(minutes=1))
    _score(public_client("pw_wang"), contest, a, 30, 20, 20)
    _move(contest, scoring=timezone.now() - timedelta(seconds=30))
    refused = centre_client().post(_path("contests:contest", contest.pk), {"action": "publish"}, follow=True)
    text = refused.content.decode()
    assert "以下评委尚未完成评分" in text and "王评委（1 个作品）" in text and "李评委（2 个作品）" in text
    contest.refresh_from_db()
    assert contest.published_at is None


def test_ranks_share_ties_and_prizes_follow_the_configured_counts():
    ranked = results.rank({1: [80, 90], 2: [85, 85], 3: [70], 4: [60, 61], 5: [50]}, first=1, second=2, third=1)
    assert [(r.key, r.mean, r.rank, r.prize) for r in ranked] == [
        (1, Decimal("85.00"), 1, results.FIRST),
        (2, Decimal("85.00"), 1, results.FIRST),
        (3, Decimal("70.00"), 3, results.SECOND),
        (4, Decimal("60.50"), 4, results.THIRD),
        (5, Decimal("50.00"), 5, ""),
    ]
    with pytest.raises(ValueError):
        results.mean_of([])


# --- the supervisor --------------------------------------------------------------------------


def test_the_supervisor_reads_the_contest_screens_and_writes_nothing(contest, nominated):
    public_user("jiancha_pb", CentreRole.SUPERVISOR)
    supervisor = public_client("jiancha_pb")
    for path in (_path("contests:contests"), _path("contests:contest", contest.pk)):
        assert supervisor.get(path).status_code == 200, path
    for path, data in (
        (_path("contests:contest", contest.pk), {"action": "publish"}),
        (_path("contests:contest_edit", contest.pk), {"title": "监察改名"}),
        (_path("contests:contest_new"), {"title": "监察新建"}),
    ):
        response = supervisor.post(path, data)
        assert response.status_code == 403, path
        assert "监察角色只能查看" in response.content.decode(), path
    contest.refresh_from_db()
    assert contest.title == "最佳办事指南" and Contest.objects.count() == 1


def test_the_demo_runs_a_published_contest(unit_a, unit_b):
    from contests import demo

    assert demo.seed(now=timezone.now()) == {"contests": 1, "nominations": 2, "published": 1}
    contest = Contest.objects.get()
    assert contest.published_at is not None and contest.jury.count() == 3
    ranked = list(contest.nominations.order_by("rank").values_list("rank", "prize"))
    assert ranked == [(1, Prize.FIRST), (2, Prize.SECOND)]
    page = PublicSchemaClient(HTTP_HOST="localhost").get(f"/pingbi/{contest.pk}/").content.decode()
    assert "最佳办事指南评比结果" in page and "一等奖" in page
    assert demo.seed(now=timezone.now()) == {}
