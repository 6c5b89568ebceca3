"""Tests for oversight.freshness: ages, stale/empty verdicts, deductions and vetoes.

Pure Python: no database, no Django.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from columns.types import DEFAULT_POLICY_DAYS, ColumnKind
from oversight.freshness import (
    ColumnState,
    FreshnessScore,
    ScoringWeights,
    UnitState,
    score_unit,
    score_units,
)

SH = ZoneInfo("Asia/Shanghai")
# Mid-morning, so "n days ago" at the same clock time is exactly n calendar days.
NOW = datetime(2025, 6, 30, 10, 0, tzinfo=SH)

_ids = iter(range(1, 1_000_000))


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def column(
    title: str,
    kind: ColumnKind,
    *,
    age: int | None = 1,
    items: int = 5,
    policy_days: int | str | None = "default",
    confirmed_age: int | None = None,
) -> ColumnState:
    return ColumnState(
        column_id=next(_ids),
        title=title,
        path=f"/{kind}/{title}/",
        kind=kind,
        policy_days=DEFAULT_POLICY_DAYS[kind] if policy_days == "default" else policy_days,  # type: ignore[arg-type]
        item_count=items,
        newest_publish=ago(age) if age is not None else None,
        last_confirmed=ago(confirmed_age) if confirmed_age is not None else None,
        edit_url=f"/admin/pages/{title}/",
    )


def unit(*columns: ColumnState, homepage_age: int | None = 1, broken: int = 0, failure: float | None = None) -> UnitState:
    return UnitState(
        unit_code="ta",
        unit_name="测试甲局",
        columns=tuple(columns),
        homepage_newest_dynamic=ago(homepage_age) if homepage_age is not None else None,
        broken_links=broken,
        availability_failure_ratio=failure,
    )


def stale_dynamic(n: int) -> list[ColumnState]:
    return [column(f"动态{i}", ColumnKind.DYNAMIC, age=30) for i in range(n)]


def test_default_policy_days() -> None:
    assert DEFAULT_POLICY_DAYS == {
        ColumnKind.DYNAMIC: 14,
        ColumnKind.POLICY: 183,
        ColumnKind.PLAN: 365,
        ColumnKind.STATIC: 30,
        ColumnKind.INTERACTION: None,
    }


def test_fresh_unit_scores_100_with_nothing_to_explain() -> None:
    result = score_unit(
        unit(
            column("部门动态", ColumnKind.DYNAMIC, age=3),
            column("通知公告", ColumnKind.POLICY, age=100),
            column("年度计划", ColumnKind.PLAN, age=300),
            column("单位简介", ColumnKind.STATIC, age=29),
            column("领导信箱", ColumnKind.INTERACTION, age=None, items=0),
            homepage_age=2,
        ),
        now=NOW,
    )
    assert (result.score, result.deductions, result.vetoes, result.passed) == (100, (), (), True)
    assert [v.age_days for v in result.verdicts] == [3, 100, 300, 29, None]
    assert not any(v.stale or v.empty for v in result.verdicts)
    assert result.homepage_age_days == 2


def test_known_unit_score_deductions_and_reasons() -> None:
    news = column("部门动态", ColumnKind.DYNAMIC, age=21)
    policy = column("政策文件", ColumnKind.POLICY, age=200)
    plan = column("年度计划", ColumnKind.PLAN, age=400)
    profile = column("单位简介", ColumnKind.STATIC, age=45)
    personnel = column("人事信息", ColumnKind.PLAN, age=None, items=0)
    fresh = column("工作动态", ColumnKind.DYNAMIC, age=14)  # exactly at its period: still in time
    result = score_unit(unit(news, policy, plan, profile, personnel, fresh, homepage_age=8, broken=3), now=NOW)

    assert [(d.points, d.kind, d.column_id) for d in result.deductions] == [
        (5, "stale_dynamic", news.column_id),
        (4, "stale_policy", policy.column_id),
        (3, "stale_plan", plan.column_id),
        (2, "stale_static", profile.column_id),
        (5, "empty", personnel.column_id),
        (10, "homepage", None),
        (3, "broken_links", None),
    ]
    assert result.score == 100 - (5 + 4 + 3 + 2 + 5 + 10 + 3) == 68
    assert result.points_deducted == 32
    reasons = [d.reason for d in result.deductions]
    assert reasons[0] == "栏目「部门动态」已 21 天未更新（要求 14 天）"
    assert "「政策文件」" in reasons[1] and "200 天" in reasons[1] and "183 天" in reasons[1]
    assert "「年度计划」" in reasons[2] and "400 天" in reasons[2] and "365 天" in reasons[2]
    assert "「单位简介」" in reasons[3] and "45 天" in reasons[3] and "30 天" in reasons[3]
    assert "「人事信息」" in reasons[4] and "空白栏目" in reasons[4]
    assert "8 天" in reasons[5] and "7 天" in reasons[5]
    assert "3 个" in reasons[6]
    assert (result.stale_count, result.empty_count, result.stale_dynamic_or_policy_count) == (4, 1, 2)
    assert result.passed and result.vetoes == ()
    by_id = {v.column.column_id: v for v in result.verdicts}
    assert (by_id[fresh.column_id].age_days, by_id[fresh.column_id].stale) == (14, False)
    assert (by_id[personnel.column_id].empty, by_id[personnel.column_id].stale) == (True, False)


def test_column_period_boundary_is_exceeding_the_period() -> None:
    at_period = score_unit(unit(column("动态", ColumnKind.DYNAMIC, age=14)), now=NOW)
    past_period = score_unit(unit(column("动态", ColumnKind.DYNAMIC, age=15)), now=NOW)
    assert (at_period.stale_count, at_period.score) == (0, 100)
    assert (past_period.stale_count, past_period.score) == (1, 95)


def test_veto_at_five_stale_dynamic_or_policy_columns_not_four() -> None:
    policy = [column(f"政策{i}", ColumnKind.POLICY, age=190) for i in range(2)]
    four = score_unit(unit(*stale_dynamic(2), *policy), now=NOW)
    five = score_unit(unit(*stale_dynamic(3), *policy), now=NOW)
    assert (four.stale_dynamic_or_policy_count, four.passed, four.vetoes) == (4, True, ())
    assert four.score == 100 - 2 * 5 - 2 * 4
    assert (five.stale_dynamic_or_policy_count, five.passed) == (5, False)
    assert len(five.vetoes) == 1
    assert "政策文件类栏目超过更新期限 5 个" in five.vetoes[0]
    # The veto fails the site regardless of the score, which stays informative.
    assert five.score == 100 - 3 * 5 - 2 * 4


def test_veto_at_ten_stale_columns_of_any_kind_not_nine() -> None:
    statics = [column(f"静态{i}", ColumnKind.STATIC, age=60) for i in range(6)]
    nine = score_unit(unit(*stale_dynamic(4), *statics[:5]), now=NOW)
    ten = score_unit(unit(*stale_dynamic(4), *statics), now=NOW)
    assert (nine.stale_count, nine.stale_dynamic_or_policy_count, nine.passed) == (9, 4, True)
    assert (ten.stale_count, ten.stale_dynamic_or_policy_count, ten.passed) == (10, 4, False)
    assert ten.vetoes == ("超过更新期限的栏目 10 个（≥10 个）",)


def test_veto_at_five_empty_columns_not_four() -> None:
    empties = [column(f"空白{i}", ColumnKind.POLICY, age=None, items=0) for i in range(5)]
    four = score_unit(unit(*empties[:4]), now=NOW)
    five = score_unit(unit(*empties), now=NOW)
    assert (four.empty_count, four.stale_count, four.passed, four.score) == (4, 0, True, 80)
    assert (five.empty_count, five.passed, five.score) == (5, False, 75)
    assert five.vetoes == ("空白栏目 5 个（≥5 个）",)


def test_homepage_veto_at_fourteen_days_not_thirteen() -> None:
    thirteen = score_unit(unit(homepage_age=13), now=NOW)
    fourteen = score_unit(unit(homepage_age=14), now=NOW)
    assert (thirteen.homepage_age_days, thirteen.passed, thirteen.score) == (13, True, 90)
    assert (fourteen.homepage_age_days, fourteen.passed, fourteen.score) == (14, False, 90)
    assert len(fourteen.vetoes) == 1 and "首页动态信息已 14 天未更新" in fourteen.vetoes[0]


def test_homepage_early_deduction_from_seven_days() -> None:
    six = score_unit(unit(homepage_age=6), now=NOW)
    seven = score_unit(unit(homepage_age=7), now=NOW)
    assert (six.score, six.deductions) == (100, ())
    assert seven.score == 90 and seven.passed
    (deduction,) = seven.deductions
    assert (deduction.points, deduction.kind, deduction.column_id) == (10, "homepage", None)
    assert "首页动态信息已 7 天未更新" in deduction.reason


def test_homepage_without_any_dynamic_information_is_vetoed() -> None:
    result = score_unit(unit(homepage_age=None), now=NOW)
    assert result.homepage_age_days is None
    assert not result.passed and "首页无任何动态信息" in result.vetoes[0]
    assert result.score == 90


def test_confirmation_resets_a_static_column() -> None:
    unconfirmed = column("单位简介", ColumnKind.STATIC, age=90)
    confirmed = dataclasses.replace(unconfirmed, last_confirmed=ago(3))
    stale_confirmation = dataclasses.replace(unconfirmed, last_confirmed=ago(31))
    before = score_unit(unit(unconfirmed), now=NOW)
    after = score_unit(unit(confirmed), now=NOW)
    old = score_unit(unit(stale_confirmation), now=NOW)
    assert (before.verdicts[0].age_days, before.verdicts[0].stale, before.score) == (90, True, 98)
    assert "90 天未更新或核查" in before.deductions[0].reason
    assert (after.verdicts[0].age_days, after.verdicts[0].stale, after.score) == (3, False, 100)
    # The newer of publish and confirmation counts.
    assert (old.verdicts[0].age_days, old.verdicts[0].stale) == (31, True)


def test_confirmation_does_not_reset_a_dynamic_column() -> None:
    news = column("部门动态", ColumnKind.DYNAMIC, age=40, confirmed_age=1)
    result = score_unit(unit(news), now=NOW)
    assert (result.verdicts[0].age_days, result.verdicts[0].stale) == (40, True)


def test_static_column_without_content_is_empty_unless_confirmed() -> None:
    never = column("下属机构", ColumnKind.STATIC, age=None, items=0)
    confirmed = dataclasses.replace(never, last_confirmed=ago(5))
    never_result = score_unit(unit(never), now=NOW)
    confirmed_result = score_unit(unit(confirmed), now=NOW)
    assert (never_result.empty_count, never_result.stale_count, never_result.score) == (1, 0, 95)
    assert (confirmed_result.empty_count, confirmed_result.stale_count, confirmed_result.score) == (0, 0, 100)


def test_static_column_with_content_never_published_nor_confirmed_is_stale() -> None:
    result = score_unit(unit(column("机构职能", ColumnKind.STATIC, age=None, items=1)), now=NOW)
    verdict = result.verdicts[0]
    assert (verdict.age_days, verdict.stale, verdict.empty) == (None, True, False)
    assert "「机构职能」从未发布或核查" in result.deductions[0].reason


def test_interaction_columns_and_columns_without_period_are_never_stale() -> None:
    mailbox = column("局长信箱", ColumnKind.INTERACTION, age=1000, policy_days=14)
    empty_mailbox = column("在线咨询", ColumnKind.INTERACTION, age=None, items=0)
    no_period = column("专题专栏", ColumnKind.DYNAMIC, age=1000, policy_days=None)
    result = score_unit(unit(mailbox, empty_mailbox, no_period), now=NOW)
    assert [(v.age_days, v.stale, v.empty) for v in result.verdicts] == [
        (1000, False, False),
        (None, False, False),
        (1000, False, False),
    ]
    assert (result.score, result.stale_count, result.empty_count) == (100, 0, 0)


def test_score_never_below_zero() -> None:
    result = score_unit(unit(*stale_dynamic(25), homepage_age=30, broken=50, failure=0.5), now=NOW)
    assert result.score == 0
    assert result.points_deducted == 25 * 5 + 10 + 20 + 10
    assert not result.passed


def test_broken_links_capped_at_twenty() -> None:
    few = score_unit(unit(broken=7), now=NOW)
    many = score_unit(unit(broken=35), now=NOW)
    assert (few.score, few.deductions[0].points) == (93, 7)
    assert (many.score, many.deductions[0].points) == (80, 20)
    assert "35 个" in many.deductions[0].reason
    assert many.passed


@pytest.mark.parametrize(
    ("failure", "score", "passed"),
    [(None, 100, True), (0.0, 100, True), (0.02, 100, True), (0.021, 90, True), (0.05, 90, True), (0.051, 90, False)],
)
def test_availability_warning_and_veto(failure: float | None, score: int, passed: bool) -> None:
    result = score_unit(unit(failure=failure), now=NOW)
    assert (result.score, result.passed) == (score, passed)
    if not passed:
        assert "访问失败率 5.1%" in result.vetoes[0]


def test_days_are_shanghai_calendar_days_across_midnight() -> None:
    now = datetime(2025, 7, 1, 0, 10, tzinfo=SH)
    twenty_minutes_before = datetime(2025, 6, 30, 23, 50, tzinfo=SH)
    five_minutes_before = datetime(2025, 7, 1, 0, 5, tzinfo=SH)
    state = unit(column("部门动态", ColumnKind.DYNAMIC))
    yesterday = dataclasses.replace(state, homepage_newest_dynamic=twenty_minutes_before)
    today = dataclasses.replace(state, homepage_newest_dynamic=five_minutes_before)
    assert score_unit(yesterday, now=now).homepage_age_days == 1
    assert score_unit(today, now=now).homepage_age_days == 0
    # The same instants in UTC are on one UTC date (30 June); Shanghai days still count.
    now_utc = now.astimezone(UTC)
    before_utc = twenty_minutes_before.astimezone(UTC)
    assert now_utc.date() == before_utc.date()
    assert score_unit(dataclasses.replace(state, homepage_newest_dynamic=before_utc), now=now_utc).homepage_age_days == 1


def test_period_boundary_across_midnight() -> None:
    # 14 days and 2 minutes of elapsed time, but 15 calendar days: stale.
    now = datetime(2025, 7, 1, 0, 1, tzinfo=SH)
    news = dataclasses.replace(column("部门动态", ColumnKind.DYNAMIC), newest_publish=datetime(2025, 6, 16, 23, 59, tzinfo=SH))
    result = score_unit(unit(news), now=now)
    assert (result.verdicts[0].age_days, result.verdicts[0].stale) == (15, True)
    assert "已 15 天未更新" in result.deductions[0].reason


def test_future_dates_count_as_today() -> None:
    result = score_unit(unit(column("部门动态", ColumnKind.DYNAMIC, age=-3)), now=NOW)
    assert (result.verdicts[0].age_days, result.verdicts[0].stale) == (0, False)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        score_unit(unit(), now=datetime(2025, 6, 30, 10, 0))
    naive_column = dataclasses.replace(column("部门动态", ColumnKind.DYNAMIC), newest_publish=datetime(2025, 6, 1))
    with pytest.raises(ValueError, match="naive"):
        score_unit(unit(naive_column), now=NOW)


def test_custom_weights_and_weights_are_frozen() -> None:
    weights = ScoringWeights(stale_dynamic=7, homepage_veto_days=21)
    result = score_unit(unit(*stale_dynamic(1), homepage_age=15), now=NOW, weights=weights)
    assert result.score == 100 - 7 - 10
    assert result.passed  # 15 days is below the custom 21-day veto
    with pytest.raises(dataclasses.FrozenInstanceError):
        weights.stale_dynamic = 1  # type: ignore[misc]


def test_as_dict_is_json_serialisable() -> None:
    result = score_unit(unit(*stale_dynamic(5), column("单位简介", ColumnKind.STATIC, confirmed_age=2)), now=NOW)
    data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert data["unit_code"] == "ta"
    assert data["score"] == 75 and data["passed"] is False
    assert data["stale_dynamic_or_policy_count"] == 5
    assert data["deductions"][0]["reason"] == "栏目「动态0」已 30 天未更新（要求 14 天）"
    assert data["verdicts"][5]["kind"] == "static"
    assert data["verdicts"][5]["last_confirmed"] == ago(2).isoformat()


def test_score_units_matches_score_unit_in_order() -> None:
    units = [dataclasses.replace(unit(*stale_dynamic(i), homepage_age=i * 3), unit_code=f"u{i}") for i in range(6)]
    results = score_units(units, now=NOW)
    assert all(isinstance(result, FreshnessScore) for result in results)
    assert [r.unit_code for r in results] == [f"u{i}" for i in range(6)]
    assert results == [score_unit(u, now=NOW) for u in units]
    assert [r.score for r in results] == [100, 95, 90, 75, 70, 65]  # homepage −10 from 7 days (i ≥ 3)
