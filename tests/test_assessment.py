"""The yearly assessment (第九条): a full year 2025 for three units with a fixed clock.

Real PostgreSQL and real unit schemas; platform data planted for 2025 (daily freshness snapshots,
availability probes, broken links, 互动交流 messages, a 找错 message, a secrecy release); the city
preset scheme; 自评 in the units' own admins, expert scores with defects in the centre's admin, one
复核 (a second one refused), the final grades and ranks by class, the audit of every change, the
leading group's approval, then the portal page and the PDF 通报 read back with pypdf.

Services that take the clock get it explicitly (`now=`); the views use the real clock, which only
stamps times: the year assessed (2025) is over either way.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tenants.utils import schema_context
from pypdf import PdfReader
from wagtail.models import Page, Site

from assessment import selectors, services
from assessment.models import (
    AssessmentRound,
    AssessmentScheme,
    Indicator,
    IndicatorKind,
    IndicatorScore,
    ScoreChange,
    ScoreContest,
    Stage,
    UnitAssessment,
)
from assessment.scoring import (
    IndicatorSpec,
    LeafResult,
    SchemeSpec,
    compute_leaf,
    rank_within_classes,
    score_unit,
)
from interaction.models import Case
from oversight.models import AvailabilityProbe, BrokenLink, FreshnessSnapshot
from sitepages.models import InteractionPage
from tenants.models import Unit, UnitType
from tenants.roles import CentreRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client, unit_admin_client

SH = ZoneInfo("Asia/Shanghai")
YEAR = 2025
BEFORE_YEAR = datetime(2024, 12, 1, 9, 0, tzinfo=SH)
MID_YEAR = datetime(2025, 6, 30, 23, 0, tzinfo=SH)
AFTER_YEAR = datetime(2026, 1, 5, 9, 0, tzinfo=SH)
PASSWORD = "pw-kaohe-12345"

# Planted facts per unit code: (freshness score every day, days vetoed, probes failed of 100, broken links).
FRESHNESS = {"ta": 95, "tb": 70, "tkc": 85}
PROBES_FAILED = {"ta": 0, "tb": 3, "tkc": 10}
BROKEN = {"ta": 0, "tb": 2, "tkc": 1}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def public_user(username: str, *groups: str, superuser: bool = False):
    with schema_context("public"):
        User = get_user_model()
        if superuser:
            user = User.objects.create_superuser(username=username, password=PASSWORD, first_name=username)
        else:
            user = User.objects.create_user(username=username, password=PASSWORD, first_name=username, is_staff=True)
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def public_client(username: str) -> PublicSchemaClient:
    return logged_in_client(schema_name="public", host="localhost", username=username, password=PASSWORD)


def add_channel(unit) -> None:
    with schema_context(unit.schema_name):
        home = Site.objects.get(is_default_site=True).root_page
        if not InteractionPage.objects.child_of(home).exists():
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


def case(unit, number: str, *, kind: str, status: str, received: date, answered: date | None, days_to_deadline: int = 7):
    with schema_context(unit.schema_name):
        Case.objects.create(
            number=number,
            kind=kind,
            subject="关于办事指南的咨询",
            content="请问办理需要哪些材料？",
            status=status,
            received_at=at(received),
            submitted_at=at(received),
            working_days=5,
            deadline=at(received) + timedelta(days=days_to_deadline),
            answered_at=at(answered) if answered else None,
        )


def plant_year(units: dict[str, Unit]) -> None:
    """A year of monitoring in the public schema, and 互动交流 / 保密审查 records in the unit schemas."""
    first = date(YEAR, 1, 1)
    snapshots = []
    for code, unit in units.items():
        for offset in range(365):
            snapshots.append(
                FreshnessSnapshot(
                    unit=unit,
                    taken_at=at(first + timedelta(days=offset), 3),
                    score=FRESHNESS[code],
                    passed=True,
                    stale_columns=0,
                    empty_columns=0,
                    broken_links=0,
                )
            )
        AvailabilityProbe.objects.bulk_create(
            AvailabilityProbe(unit=unit, checked_at=at(first + timedelta(days=i * 3), 8), ok=i >= PROBES_FAILED[code])
            for i in range(100)
        )
        for index in range(BROKEN[code]):
            BrokenLink.objects.create(
                unit=unit,
                url=f"https://{code}.example.gov.cn/dead{index}",
                status=404,
                first_seen=at(date(YEAR, 3, 1)),
                last_seen=at(date(YEAR, 5, 1)),
            )
        # A link broken and fixed the year before does not count.
        BrokenLink.objects.create(
            unit=unit,
            url=f"https://{code}.example.gov.cn/old",
            status=404,
            first_seen=at(date(YEAR - 1, 3, 1)),
            last_seen=at(date(YEAR - 1, 4, 1)),
            resolved_at=at(date(YEAR - 1, 4, 2)),
        )
        add_channel(unit)
    FreshnessSnapshot.objects.bulk_create(snapshots)
    # ta: ten messages answered in time and published; one 找错 still open at the year's end.
    for index in range(10):
        case(
            units["ta"],
            f"TA{index:04d}",
            kind="consult",
            status="published",
            received=date(YEAR, 3, 2 + index),
            answered=date(YEAR, 3, 5 + index),
        )
    case(units["ta"], "TAC0001", kind="correction", status="accepted", received=date(YEAR, 12, 20), answered=None)
    # tb: five answered in time and published, five answered late and not yet published.
    for index in range(5):
        case(
            units["tb"],
            f"TB{index:04d}",
            kind="consult",
            status="published",
            received=date(YEAR, 4, 1 + index),
            answered=date(YEAR, 4, 3 + index),
        )
    for index in range(5, 10):
        case(
            units["tb"],
            f"TB{index:04d}",
            kind="consult",
            status="answered",
            received=date(YEAR, 4, 1 + index),
            answered=date(YEAR, 5, 20),
        )
    # tb: one secrecy finding released by hand in 2025.
    from moderation.secrecy.models import SecrecyOverride

    with schema_context(units["tb"].schema_name):
        override = SecrecyOverride.objects.create(
            page=Page.objects.get(depth=2), content_hash="x" * 64, reason="经核查为公开信息", findings=[{"kind": "phone"}]
        )
        SecrecyOverride.objects.filter(pk=override.pk).update(created_at=at(date(YEAR, 8, 8)))


# Public votes (第八条): ta 30 满意 + 10 基本满意 (score 90), tb 20 / 10 / 10 不满意 (score 65), tkc none.
VOTES = {"ta": (30, 10, 0), "tb": (20, 10, 10), "tkc": (0, 0, 0)}


def plant_votes(units: dict[str, Unit]) -> None:
    from voting.models import Vote, VotePeriod

    period = VotePeriod.objects.create(title="2025 年网站考评投票", starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31))
    votes = []
    for code, (satisfied, basic, unsatisfied) in VOTES.items():
        answers = ["satisfied"] * satisfied + ["basic"] * basic + ["unsatisfied"] * unsatisfied
        for index, answer in enumerate(answers):
            day = date(YEAR, 5, 1) + timedelta(days=index)
            votes.append(
                Vote(
                    period=period,
                    unit=units[code],
                    answer=answer,
                    voted_on=day,
                    created_at=at(day),
                    identity_hash=f"{code}-{index:03d}",
                    block_hash=f"block-{code}-{index}",
                    block_suffix=index % 100,
                )
            )
    Vote.objects.bulk_create(votes)


def vote_term(code: str) -> float:
    """The city preset's rule, worked out by hand: 80 neutral, ±10 at most, 30 valid votes at least."""
    satisfied, basic, unsatisfied = VOTES[code]
    valid = satisfied + basic + unsatisfied
    if valid < 30:
        return 0.0
    score = (100 * satisfied + 60 * basic) / valid
    term = 10 * (score - 80) / 20 if score >= 80 else -10 * (80 - score) / 80
    return round(max(-10.0, min(10.0, term)), 2)


@pytest.fixture
def units(unit_a, unit_b):
    from tenants.services import provision_unit

    Unit.objects.filter(pk__in=[unit_a.pk, unit_b.pk]).update(unit_type=UnitType.DEPARTMENT)
    district = provision_unit(code="tkc", name="测试丙区", unit_type=UnitType.DISTRICT).unit
    return {"ta": Unit.objects.get(pk=unit_a.pk), "tb": Unit.objects.get(pk=unit_b.pk), "tkc": district}


@pytest.fixture
def scheme(db):
    return services.create_scheme_from_preset(year=YEAR, preset="city", now=BEFORE_YEAR)


def leaf(scheme: AssessmentScheme, code: str) -> Indicator:
    return Indicator.objects.get(scheme=scheme, code=code)


def score_of(unit: Unit, scheme: AssessmentScheme, code: str) -> IndicatorScore:
    return IndicatorScore.objects.get(assessment__unit=unit, assessment__round__scheme=scheme, indicator__code=code)


def assessment_of(unit: Unit) -> UnitAssessment:
    return UnitAssessment.objects.get(unit=unit, round__scheme__year=YEAR)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- the scheme ---------------------------------------------------------------------


def test_presets_build_three_level_trees_with_classes_defects_and_a_capped_vote_term(db):
    city = services.create_scheme_from_preset(year=YEAR, preset="city", now=BEFORE_YEAR)
    national = services.create_scheme_from_preset(year=YEAR + 1, preset="national_2019", now=BEFORE_YEAR)
    for scheme in (city, national):
        assert services.scheme_problems(scheme) == []
        assert max(node.level for node in scheme.indicators.all()) <= 3
        assert {klass.name for klass in scheme.classes.all()} == {"政府部门", "区政府", "直属机构"}
        kinds = set(scheme.indicators.exclude(kind=IndicatorKind.GROUP).values_list("kind", flat=True))
        assert kinds == {IndicatorKind.COMPUTED, IndicatorKind.ENTERED, IndicatorKind.SELF_ASSESSED}
    spec = selectors.scheme_spec(city)
    # 年终考评 80 % + 日常监测 20 %; public opinion at most 10 % of the score either way.
    assert {top.name: top.max_points for top in spec.indicators if top.role == "score"} == {"日常监测": 20, "年终考评": 80}
    assert spec.vote_cap == 10
    national_spec = selectors.scheme_spec(national)
    assert national_spec.scored_max == 100 and national_spec.bonus_threshold == 80 and national_spec.bonus_cap == 30
    assert national.defects.filter(veto=True).count() >= 5
    with pytest.raises(services.AssessmentError, match="已有考评方案"):
        services.create_scheme_from_preset(year=YEAR, preset="city", now=BEFORE_YEAR)
    with pytest.raises(services.AssessmentError, match="没有名为"):
        services.create_scheme_from_preset(year=YEAR + 2, preset="nope", now=BEFORE_YEAR)


def test_the_scheme_is_editable_before_the_year_and_frozen_after(scheme):
    indicator = leaf(scheme, "1.3")
    indicator.max_points = Decimal("14")
    services.save_scheme_part(instance=indicator, now=datetime(YEAR - 1, 12, 31, 23, 59, tzinfo=SH))
    assert leaf(scheme, "1.3").max_points == Decimal("14")
    indicator.max_points = Decimal("13")
    with pytest.raises(services.SchemeFrozen, match="已冻结"):
        services.save_scheme_part(instance=indicator, now=datetime(YEAR, 1, 1, 0, 0, tzinfo=SH))
    with pytest.raises(services.SchemeFrozen):
        services.delete_scheme_part(instance=scheme.defects.first(), now=MID_YEAR)
    # A vote term above 10 % of the score is refused: votes never weigh more than that.
    vote = leaf(scheme, "4")
    vote.max_points = Decimal("20")
    services.save_scheme_part(instance=vote, now=BEFORE_YEAR)
    assert any("公众评价" in problem for problem in services.scheme_problems(scheme))
    # The admin's edit form (real clock: 2025 has begun) shows the Chinese refusal, not a 500.
    client = centre_client()
    url = reverse("assessment_indicators:edit", args=[indicator.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "scheme": scheme.pk,
            "parent": indicator.parent_id,
            "code": "1.3",
            "name": "链接可用",
            "role": "score",
            "kind": "computed",
            "max_points": "12",
            "sort_order": indicator.sort_order,
            "rule_text": '{"type": "deduct", "terms": [{"metric": "broken_links", "per": 1}]}',
        },
    )
    assert response.status_code == 200
    assert "已冻结" in response.content.decode()
    assert leaf(scheme, "1.3").max_points == Decimal("14")


def test_rules_and_totals_in_the_pure_core():
    vote = IndicatorSpec(
        id=9,
        code="4.1",
        name="投票",
        role="vote",
        kind="computed",
        max_points=15,
        rule={"type": "votes", "neutral": 80, "min_votes": 30},
    )
    base = IndicatorSpec(id=1, code="1", name="计分", role="score", kind="entered", max_points=100)
    scheme = SchemeSpec(
        year=YEAR,
        indicators=(
            base,
            IndicatorSpec(id=8, code="4", name="公众评价", role="vote", kind="group", max_points=15, children=(vote,)),
        ),
    )
    # The vote term is capped at 10 % of the scored points, however heavy the indicator.
    full = compute_leaf(vote, {"votes_score": 100, "votes_valid": 500})
    assert full.points == 15
    totals = score_unit(scheme, {1: LeafResult(70.0), 9: full})
    assert totals.vote == 10 and totals.total == 80 and any("±10" in note for note in totals.notes)
    # Too few votes: neither bonus nor penalty; a bad opinion is a penalty, capped too.
    assert compute_leaf(vote, {"votes_score": 0, "votes_valid": 29}).points == 0
    assert compute_leaf(vote, {"votes_score": 40, "votes_valid": 100}).points == pytest.approx(-7.5)
    assert score_unit(scheme, {1: LeafResult(70.0), 9: LeafResult(-15.0)}).vote == -10
    # Votes never make a score alone: without the scored points the total is only the capped term.
    assert score_unit(scheme, {9: full}).total == 10
    # Ranks: higher first, ties share a rank, vetoed units last.
    ranks = rank_within_classes(
        [("a", 1, 90, False), ("b", 1, 95, True), ("c", 1, 90, False), ("d", 1, 80, False), ("e", 2, 50, False)]
    )
    assert ranks == {"a": (1, 4), "c": (1, 4), "d": (3, 4), "b": (4, 4), "e": (1, 1)}


# --- the year -------------------------------------------------------------------------


def test_a_full_year_for_three_units(units, scheme, django_capture_on_commit_callbacks):
    plant_year(units)
    plant_votes(units)
    ta, tb, tkc = units["ta"], units["tb"], units["tkc"]
    expert = public_user("kh_expert", CentreRole.EXPERT)
    leader = public_user("kh_leader", CentreRole.LEADING_GROUP)
    centre = centre_client()

    # 日常监测: the round opens mid-year; the unit sees its running score with reasons in its own admin.
    round_ = services.open_round(scheme=scheme, now=MID_YEAR)
    assert round_.stage == Stage.RUNNING
    assert UnitAssessment.objects.filter(round=round_).count() == 3
    running = unit_admin_client(ta).get(reverse("assessment:mine"))
    body = running.content.decode()
    assert running.status_code == 200 and "日常监测平均得分 95 分" in body and "只有本单位和市信息中心可以看到" in body
    assert "查看得分和理由" in unit_admin_client(ta).get(reverse("wagtailadmin_home")).content.decode()
    assert PublicSchemaClient(HTTP_HOST="localhost").get(f"/kaohe/{YEAR}/").status_code == 404

    # The nightly refresh after the year's end reads the whole year.
    services.refresh_computed_scores(scheme_id=scheme.pk, now=AFTER_YEAR)
    assert score_of(ta, scheme, "1.1").points == Decimal("47.50")  # 50 × 95 %
    assert score_of(tb, scheme, "1.2").points == Decimal("8.00")  # 20 − 4 × 3 %
    assert score_of(tkc, scheme, "1.2").points == Decimal("0.00")  # 10 % failed: more than the weight
    assert score_of(tb, scheme, "1.3").points == Decimal("13.00")  # 2 links this year, not last year's
    assert score_of(tb, scheme, "1.4").points == Decimal("7.50")  # half answered on time
    assert score_of(ta, scheme, "2.2.1").points == Decimal(str(round(15 * 10 / 11, 2)))  # 10 of 11 accepted published
    assert score_of(ta, scheme, "2.2.2").points == Decimal("7.00")  # one 找错 still open: −3
    assert score_of(tb, scheme, "2.3.1").points == Decimal("8.00")  # one secrecy release: −2
    assert score_of(tkc, scheme, "1.4").points == Decimal("15.00")  # no message: full points
    veto = score_of(tkc, scheme, "3.2")
    assert veto.vetoed and "首页不可用率 10.00%" in veto.reasons[0]
    assert not score_of(ta, scheme, "3.3").vetoed  # a working channel, nothing unanswered 3 months
    assert score_of(ta, scheme, "4.1").points == Decimal("5.00")  # satisfaction 90: half the cap
    assert score_of(tb, scheme, "4.1").points == Decimal(str(vote_term("tb")))  # 65: a penalty
    assert score_of(tkc, scheme, "4.1").points == 0  # no votes: the term neither adds nor takes
    assert "不足 30 票" in score_of(tkc, scheme, "4.1").reasons[0]
    assert ScoreChange.objects.filter(assessment__round=round_, actor=services.SYSTEM_ACTOR).exists()

    # 自评 in the unit's own admin, with evidence.
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "advance"])).status_code == 302
    ta_admin = unit_admin_client(ta)
    refused = ta_admin.post(
        reverse("assessment:self_assess", args=[score_of(ta, scheme, "2.4").pk]), {"points": "18"}, follow=True
    )
    assert "请提供证明材料" in messages_of(refused)
    for code, points, data in [
        ("2.4", "18", {"text": "设专职信息员 2 名，制定采编审核发布制度"}),
        ("2.3.2", "5", {"url": "https://ta.example.gov.cn/anquan/"}),
        ("5.1", "3", {"text": "获全市评比最佳办事指南"}),
    ]:
        response = ta_admin.post(
            reverse("assessment:self_assess", args=[score_of(ta, scheme, code).pk]), {"points": points, **data}
        )
        assert response.status_code == 302
    tb_admin = unit_admin_client(tb)
    evidence = SimpleUploadedFile("zhidu.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    tb_admin.post(
        reverse("assessment:self_assess", args=[score_of(tb, scheme, "2.4").pk]),
        {"points": "16", "text": "见附件", "file": evidence},
    )
    tb_admin.post(
        reverse("assessment:self_assess", args=[score_of(tb, scheme, "2.3.2").pk]), {"points": "4", "text": "年度安全检测报告"}
    )
    too_high = tb_admin.post(
        reverse("assessment:self_assess", args=[score_of(tb, scheme, "5.1").pk]), {"points": "9", "text": "获奖"}, follow=True
    )
    assert "分数须在 0 到 5 之间" in messages_of(too_high)
    tkc_score = score_of(tkc, scheme, "2.4")
    services.submit_self_assessment(
        score_id=tkc_score.pk, unit=tkc, actor="tkc_admin", points="20", text="制度齐全", now=AFTER_YEAR
    )
    assert score_of(ta, scheme, "2.4").self_points == Decimal("18") and score_of(tb, scheme, "2.4").self_file
    assert tb_admin.get(reverse("assessment:evidence", args=[score_of(tb, scheme, "2.4").pk])).status_code == 200
    # Another unit's item is not the unit's to assess.
    assert (
        ta_admin.post(
            reverse("assessment:self_assess", args=[score_of(tb, scheme, "2.4").pk]), {"points": "1", "text": "x"}
        ).status_code
        == 404
    )

    # 专家评分 in the centre's admin: defects from the 缺陷库, confirmations of the self-assessment.
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "advance"])).status_code == 302
    experts = public_client("kh_expert")
    tb_policy = score_of(tb, scheme, "2.1.1")
    page = experts.get(reverse("assessment:unit", args=[round_.pk, "tb"]))
    assert page.status_code == 200 and "Z01 政策文件类栏目超过 6 个月未更新" in page.content.decode()
    response = experts.post(
        reverse("assessment:expert_score", args=[tb_policy.pk]),
        {f"s{tb_policy.pk}-defect_Z01": "1", f"s{tb_policy.pk}-reason": "通知公告栏目 7 个月未更新"},
    )
    assert response.status_code == 302
    assert score_of(tb, scheme, "2.1.1").points == Decimal("15.00")
    self_confirm = {
        "ta": {"2.4": "18", "2.3.2": "5", "5.1": "3"},
        "tb": {"2.4": "14", "2.3.2": "4", "5.1": "0"},
        "tkc": {"2.4": "20", "2.3.2": "0", "5.1": "0"},
    }
    for code, unit in units.items():
        for indicator, points in self_confirm[code].items():
            reason = "" if code == "ta" else "材料不足以证明全部要点"
            services.enter_expert_score(
                score_id=score_of(unit, scheme, indicator).pk, user=expert, points=points, reason=reason, now=AFTER_YEAR
            )
        for indicator in ("2.1.1", "3.1"):
            if not (code == "tb" and indicator == "2.1.1"):
                services.enter_expert_score(
                    score_id=score_of(unit, scheme, indicator).pk, user=expert, defects=[], now=AFTER_YEAR
                )
    with pytest.raises(services.AssessmentError, match="须说明理由"):
        services.enter_expert_score(score_id=score_of(tb, scheme, "2.3.2").pk, user=expert, points="2", now=AFTER_YEAR)
    with pytest.raises(services.AssessmentError, match="只有考评专家"):
        services.enter_expert_score(score_id=tb_policy.pk, user=leader, defects=[], now=AFTER_YEAR)

    # 复核: tb contests its policy item once; the second request is refused; the expert changes the points.
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "advance"])).status_code == 302
    first = tb_admin.post(
        reverse("assessment:contest", args=[tb_policy.pk]), {"reason": "通知公告栏目 6 月已更新，附更新记录"}, follow=True
    )
    assert "已申请复核" in messages_of(first)
    second = tb_admin.post(reverse("assessment:contest", args=[tb_policy.pk]), {"reason": "再次申请复核该项得分"}, follow=True)
    assert "每个指标只能申请一次复核" in messages_of(second)
    assert ScoreContest.objects.filter(score=tb_policy).count() == 1
    early = centre.post(reverse("assessment:round_action", args=[round_.pk, "finalize"]), follow=True)
    assert "尚有 1 项复核申请未答复" in messages_of(early)
    contest = ScoreContest.objects.get(score=tb_policy)
    answered = experts.post(
        reverse("assessment:answer", args=[contest.pk]),
        {"decision": "changed", "answer": "核实 6 月有更新，改按 2 分扣", "new_points": "18"},
    )
    assert answered.status_code == 302
    assert score_of(tb, scheme, "2.1.1").points == Decimal("18.00")
    assert any("复核调整为 18 分" in reason for reason in score_of(tb, scheme, "2.1.1").reasons)

    # 最终得分: grades and ranks by class.
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "finalize"])).status_code == 302
    daily = {
        "ta": 50 * 0.95 + 20 + 15 + 15,
        "tb": 50 * 0.70 + (20 - 4 * 3) + (15 - 2) + 15 * 0.5,
        "tkc": 50 * 0.85 + 0 + (15 - 1) + 15,
    }
    year_end = {
        "ta": 20 + 20 + round(15 * 10 / 11, 2) + (10 - 3) + 10 + 5 + 18,
        "tb": 18 + 20 + 15 * 0.5 + 10 + (10 - 2) + 4 + 14,
        "tkc": 20 + 20 + 15 + 10 + 10 + 0 + 20,
    }
    bonus = {"ta": 3, "tb": 0, "tkc": 0}
    for code, unit in units.items():
        row = assessment_of(unit)
        expected = daily[code] * 20 / 100 + year_end[code] * 80 / 100
        assert float(row.base_points) == pytest.approx(expected, abs=0.011), code
        assert float(row.vote_points) == pytest.approx(vote_term(code), abs=0.001), code
        assert float(row.total) == pytest.approx(expected + bonus[code] + vote_term(code), abs=0.011), code
        assert not row.provisional
    ta_row, tb_row, tkc_row = assessment_of(ta), assessment_of(tb), assessment_of(tkc)
    assert (ta_row.grade, ta_row.rank, ta_row.class_size) == ("excellent", 1, 2)
    assert (tb_row.grade, tb_row.rank, tb_row.class_size) == ("pass", 2, 2)
    assert (tkc_row.grade, tkc_row.rank, tkc_row.class_size, tkc_row.vetoed) == ("fail", 1, 1, True)
    assert ta_row.unit_class.name == tb_row.unit_class.name == "政府部门" and tkc_row.unit_class.name == "区政府"

    # The audit: who, when, old, new, why, for every kind of change.
    changes = ScoreChange.objects.filter(assessment=tb_row)
    policy_changes = list(changes.filter(score__indicator__code="2.1.1").order_by("at", "id"))
    assert [(c.old_value, c.new_value) for c in policy_changes if c.new_value != "申请复核"] == [
        ("20 分", "15 分"),
        ("15 分", "18 分"),
    ]
    assert policy_changes[0].actor == "kh_expert" and "Z01" in policy_changes[0].reason
    assert any(c.actor_unit == "tb" and c.new_value == "申请复核" for c in policy_changes)
    assert "复核调整" in policy_changes[-1].reason
    assert changes.filter(score__indicator__code="2.4", actor_unit="tb", reason__startswith="单位自评").exists()
    assert changes.filter(field="总分、等次与排名").exists()
    audit_page = centre.get(reverse("assessment:changes", args=[round_.pk]))
    assert audit_page.status_code == 200 and "核实 6 月有更新" in audit_page.content.decode()

    # The leading group approves; nobody else may, and nothing is public before publication.
    refused = centre.post(
        reverse("assessment:approval", args=[round_.pk]), {"decision": "approve", "opinion": "同意"}, follow=True
    )
    assert "只有政务公开领导小组成员" in messages_of(refused)
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "publish"]), follow=True).status_code == 200
    assert selectors.published_round(year=YEAR) is None
    approved = public_client("kh_leader").post(
        reverse("assessment:approval", args=[round_.pk]), {"decision": "approve", "opinion": "同意公布"}
    )
    assert approved.status_code == 302
    assert centre.post(reverse("assessment:round_action", args=[round_.pk, "publish"])).status_code == 302

    # The portal: results by class with grade and rank, each unit's breakdown, the PDF 通报.
    visitor = PublicSchemaClient(HTTP_HOST="localhost")
    page = visitor.get(f"/kaohe/{YEAR}/")
    text = re.sub(r"\s+", " ", page.content.decode())
    assert page.status_code == 200
    assert "政府部门" in text and "区政府" in text and "优秀" in text and "不合格（单项否决）" in text
    assert text.index(ta.full_name) < text.index(tb.full_name)
    detail = visitor.get(f"/kaohe/{YEAR}/tb/")
    detail_text = detail.content.decode()
    assert detail.status_code == 200 and "政策文件与解读" in detail_text and "复核调整为 18 分" in detail_text
    assert visitor.get(f"/kaohe/{YEAR}/nosuch/").status_code == 404
    pdf = visitor.get(f"/kaohe/{YEAR}/tongbao.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    pdf_text = re.sub(r"\s+", "", pdf_text)
    assert f"关于{YEAR}年度全市政府网站政务信息维护管理考评结果的通报" in pdf_text
    for name in (ta.full_name, tb.full_name, tkc.full_name):
        assert name in pdf_text
    assert "优秀1个" in pdf_text and "良好0个" in pdf_text and "合格1个" in pdf_text and "不合格1个" in pdf_text
    assert "单项否决" in pdf_text and "同意公布" in pdf_text


def test_the_supervisor_reads_the_assessment_and_writes_nothing(scheme, units):
    round_ = services.open_round(scheme=scheme, now=AFTER_YEAR)
    public_user("kh_jiancha", CentreRole.SUPERVISOR)
    supervisor = public_client("kh_jiancha")
    for url in [
        reverse("assessment:index"),
        reverse("assessment:round", args=[round_.pk]),
        reverse("assessment:unit", args=[round_.pk, "ta"]),
        reverse("assessment:changes", args=[round_.pk]),
        reverse("assessment_indicators:index"),
        reverse("assessment_defects:index"),
    ]:
        assert supervisor.get(url).status_code == 200, url
    for url in [
        reverse("assessment:round_action", args=[round_.pk, "advance"]),
        reverse("assessment:create_scheme"),
        reverse("assessment_defects:add"),
    ]:
        assert supervisor.post(url, {"year": YEAR + 3, "preset": "city"}).status_code == 403, url
    assert selectors.round_of(round_id=round_.pk).stage == Stage.RUNNING
    assert not AssessmentScheme.objects.filter(year=YEAR + 3).exists()
    # An expert may not run the year either; a unit's admin has no centre screen.
    public_user("kh_expert2", CentreRole.EXPERT)
    refused = public_client("kh_expert2").post(reverse("assessment:round_action", args=[round_.pk, "advance"]), follow=True)
    assert "只有市信息中心" in messages_of(refused)
    assert unit_admin_client(units["ta"]).get(reverse("assessment:round", args=[round_.pk])).status_code == 404


def test_the_demo_seeds_the_current_year_up_to_review(units):
    from assessment import demo

    now = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    scheme = demo.seed(now=now, password=PASSWORD)
    assert scheme is not None and scheme.year == 2026 and scheme.preset == "city"
    round_ = AssessmentRound.objects.get(scheme=scheme)
    assert round_.stage == Stage.REVIEW
    assert selectors.pending_counts(round_) == {"expert": 0, "self_unconfirmed": 0, "contests_open": 1}
    assert IndicatorScore.objects.filter(assessment__round=round_, self_at__isnull=False).count() >= 2 * len(units)
    assert IndicatorScore.objects.filter(assessment__round=round_, expert_defects__0__code="Z02").exists()
    assert demo.seed(now=now, password=PASSWORD) is None  # once per year
    # What the demo leaves to the centre works: answer the request, finalize, approve, publish.
    centre = get_user_model().objects.get(username="centre")
    contest = ScoreContest.objects.get(score__assessment__round=round_)
    services.answer_contest(
        contest_id=contest.pk, user=get_user_model().objects.get(username="kh_zhuanjia"), upheld=True, answer="维持", now=now
    )
    services.finalize_round(round_=round_, user=centre, now=now)
    services.approve_round(round_=round_, user=get_user_model().objects.get(username="kh_lingdao"), now=now)
    services.publish_round(round_=round_, user=centre, now=now)
    assert PublicSchemaClient(HTTP_HOST="localhost").get("/kaohe/2026/").status_code == 200
