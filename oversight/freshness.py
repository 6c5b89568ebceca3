"""Freshness scoring of a unit's website: stale and empty columns, vetoes, a score.

The rules come from two sources:

* the city's 2007 portal maintenance measures (珠海市政府门户网站政务信息维护
  管理办法): homepage dynamic information is updated at least weekly, static
  information is checked at least monthly;
* the national inspection indicators for government websites (政府网站与政务
  新媒体检查指标): the single-item vetoes (单项否决) for stale columns, blank
  columns and a homepage not updated for two weeks, plus the availability veto.

Deliberately pure Python (no Django): the caller loads :class:`ColumnState`
values from the database (or anywhere else) and this module only judges them,
so it can be tested exhaustively and run in a worker, a management command or
a benchmark alike.

Day arithmetic is in Asia/Shanghai calendar days: an item published at 23:50
on Monday is one day old at 00:10 on Tuesday, because that is how an editor
and an inspector reading the page date see it.

Boundary conventions (the tests pin them):

* a column is stale when its age is *greater than* its policy days
  ("超过更新期限": a news column published 14 days ago is still in time);
* the homepage is judged by "N 天未更新": with ``homepage_warning_days = 7``
  an age of 7 days already costs points, and with ``homepage_veto_days = 14``
  an age of 14 days is the national veto (13 days is not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from columns.types import DEFAULT_POLICY_DAYS, ColumnKind

__all__ = [
    "DEFAULT_POLICY_DAYS",
    "SHANGHAI",
    "ColumnKind",
    "ColumnState",
    "ColumnVerdict",
    "Deduction",
    "FreshnessScore",
    "InteractionState",
    "ScoringWeights",
    "UnitState",
    "judge_column",
    "local_day_number",
    "score_unit",
    "score_units",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


# The column kinds and their default update periods are the responsibility
# table's (columns.types); they are part of this module's interface because
# every ColumnState carries one.


@dataclass(frozen=True)
class ScoringWeights:
    """Points deducted per finding, and the thresholds of the vetoes."""

    stale_dynamic: int = 5
    stale_policy: int = 4
    # Not fixed by either source; between a policy column and a static one,
    # since plans and personnel are yearly obligations.
    stale_plan: int = 3
    stale_static: int = 2
    empty_column: int = 5
    homepage_stale: int = 10
    broken_link: int = 1
    broken_links_cap: int = 20
    availability_warning: int = 10

    homepage_warning_days: int = 7
    homepage_veto_days: int = 14
    veto_stale_dynamic_or_policy: int = 5
    veto_stale_any: int = 10
    veto_empty: int = 5
    # Failure ratios of the homepage over the last 7 days (0..1): above the
    # first an early warning with points lost, above the second the veto.
    availability_warning_ratio: float = 0.02
    availability_veto_ratio: float = 0.05
    # 互动交流: answered messages whose reply is still unpublished after 2 months
    # (a confirmed fragment of the 2019 扣分 table: −3), and messages past their
    # deadline (第十一条（四）; not fixed by the national table).
    interaction_unpublished: int = 3
    interaction_overdue: int = 2

    def stale_points(self, kind: ColumnKind) -> int:
        match kind:
            case ColumnKind.DYNAMIC:
                return self.stale_dynamic
            case ColumnKind.POLICY:
                return self.stale_policy
            case ColumnKind.PLAN:
                return self.stale_plan
            case ColumnKind.STATIC:
                return self.stale_static
            case ColumnKind.INTERACTION:
                # Interaction columns are never stale; kept total for safety.
                return 0
        raise ValueError(f"unknown column kind {kind!r}")


@dataclass(frozen=True)
class ColumnState:
    """What the scorer needs to know about one column of a unit's site.

    ``policy_days`` None means the column has no update period (never stale);
    callers fill it from the responsibility table or :data:`DEFAULT_POLICY_DAYS`.
    ``last_confirmed`` is the last time an editor clicked “已核查，内容准确”; it
    only counts for static columns, whose content is expected to stay put.
    """

    column_id: int
    title: str
    path: str
    kind: ColumnKind
    policy_days: int | None
    item_count: int
    newest_publish: datetime | None
    last_confirmed: datetime | None
    edit_url: str = ""


@dataclass(frozen=True)
class InteractionState:
    """The unit's 互动交流 as the scorer needs it (interaction.selectors.freshness_state builds it).

    ``unanswered`` counts the valid messages received in the last year and still
    unanswered more than 3 months after they arrived; ``evidence`` names the oldest
    (查询码, kind, dates; never personal data).
    """

    has_channel: bool = True
    unanswered: int = 0
    evidence: tuple[str, ...] = ()
    overdue_open: int = 0
    unpublished_after_two_months: int = 0


@dataclass(frozen=True)
class UnitState:
    unit_code: str
    unit_name: str
    columns: tuple[ColumnState, ...]
    homepage_newest_dynamic: datetime | None
    broken_links: int = 0
    # Share of failed homepage probes over the last 7 days (0..1); None when
    # no availability monitoring data exists for the unit.
    availability_failure_ratio: float | None = None
    # None: not judged (callers that know nothing of 互动交流, e.g. the freshness benchmark).
    interaction: InteractionState | None = None


@dataclass(frozen=True)
class ColumnVerdict:
    column: ColumnState
    age_days: int | None
    stale: bool
    empty: bool

    def as_dict(self) -> dict[str, Any]:
        column = self.column
        return {
            "column_id": column.column_id,
            "title": column.title,
            "path": column.path,
            "kind": str(column.kind),
            "policy_days": column.policy_days,
            "item_count": column.item_count,
            "newest_publish": _iso(column.newest_publish),
            "last_confirmed": _iso(column.last_confirmed),
            "edit_url": column.edit_url,
            "age_days": self.age_days,
            "stale": self.stale,
            "empty": self.empty,
        }


@dataclass(frozen=True)
class Deduction:
    points: int
    reason: str
    column_id: int | None
    # Machine-readable category: stale_dynamic, stale_policy, stale_plan,
    # stale_static, empty, homepage, broken_links, availability.
    kind: str

    def as_dict(self) -> dict[str, Any]:
        return {"points": self.points, "reason": self.reason, "column_id": self.column_id, "kind": self.kind}


@dataclass(frozen=True)
class FreshnessScore:
    unit_code: str
    score: int
    deductions: tuple[Deduction, ...]
    vetoes: tuple[str, ...]
    verdicts: tuple[ColumnVerdict, ...]
    stale_count: int
    empty_count: int
    stale_dynamic_or_policy_count: int
    homepage_age_days: int | None

    @property
    def passed(self) -> bool:
        """False when any single-item veto (单项否决) applies, whatever the score."""
        return not self.vetoes

    @property
    def points_deducted(self) -> int:
        # Can exceed 100; the score itself is floored at 0.
        return sum(deduction.points for deduction in self.deductions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "score": self.score,
            "passed": self.passed,
            "points_deducted": self.points_deducted,
            "deductions": [deduction.as_dict() for deduction in self.deductions],
            "vetoes": list(self.vetoes),
            "verdicts": [verdict.as_dict() for verdict in self.verdicts],
            "stale_count": self.stale_count,
            "empty_count": self.empty_count,
            "stale_dynamic_or_policy_count": self.stale_dynamic_or_policy_count,
            "homepage_age_days": self.homepage_age_days,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def local_day_number(moment: datetime) -> int:
    """Proleptic ordinal of ``moment``'s calendar day in Asia/Shanghai.

    Naive datetimes are refused: ``astimezone`` would silently read them as
    the server's local time, which is exactly the kind of off-by-a-day error
    this module exists to avoid.
    """
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: freshness needs timezone-aware times")
    return moment.astimezone(SHANGHAI).toordinal()


def _age(reference: datetime | None, today: int) -> int | None:
    if reference is None:
        return None
    # A date in the future (clock skew, scheduled publishing) counts as today.
    return max(0, today - local_day_number(reference))


def judge_column(column: ColumnState, *, today: int) -> ColumnVerdict:
    """Verdict for one column; ``today`` is :func:`local_day_number` of the check time.

    Taking the day number rather than ``now`` lets a caller scoring many
    units convert the check time to a Shanghai day once.
    """
    if column.kind is ColumnKind.STATIC:
        candidates = [moment for moment in (column.newest_publish, column.last_confirmed) if moment is not None]
        reference = max(candidates) if candidates else None
        # A static column with no items is still fine once an editor confirmed
        # it: e.g. "本单位无下属机构" is accurate and needs no item.
        empty = column.item_count == 0 and column.last_confirmed is None
    else:
        reference = column.newest_publish
        # Interaction columns hold forms and replies, not published items;
        # whether they answer in time is judged elsewhere (第十一条（四）).
        empty = column.item_count == 0 and column.kind is not ColumnKind.INTERACTION
    age = _age(reference, today)
    if empty or column.kind is ColumnKind.INTERACTION or column.policy_days is None:
        stale = False
    elif age is None:
        # Content without any date (or a static page never published nor
        # confirmed): nothing shows it was maintained within the period.
        stale = True
    else:
        stale = age > column.policy_days
    return ColumnVerdict(column=column, age_days=age, stale=stale, empty=empty)


def _stale_reason(verdict: ColumnVerdict) -> str:
    column = verdict.column
    title = f"栏目「{column.title}」"
    if column.kind is ColumnKind.STATIC:
        if verdict.age_days is None:
            return f"{title}从未发布或核查（要求每 {column.policy_days} 天核查一次）"
        return f"{title}已 {verdict.age_days} 天未更新或核查（要求 {column.policy_days} 天）"
    if verdict.age_days is None:
        return f"{title}有 {column.item_count} 条信息但无发布日期，无法证明按期更新（要求 {column.policy_days} 天）"
    return f"{title}已 {verdict.age_days} 天未更新（要求 {column.policy_days} 天）"


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


@dataclass(frozen=True)
class _Findings:
    """What one rule found: points lost and single-item vetoes, in report order."""

    deductions: tuple[Deduction, ...] = ()
    vetoes: tuple[str, ...] = ()


def _column_deduction(verdict: ColumnVerdict, weights: ScoringWeights) -> Deduction | None:
    """A blank column, or one past its update period (a verdict is never both)."""
    column = verdict.column
    if verdict.empty:
        return Deduction(
            points=weights.empty_column,
            reason=f"栏目「{column.title}」为空白栏目（{column.kind.indicator_label}，无任何信息）",
            column_id=column.column_id,
            kind="empty",
        )
    if verdict.stale:
        return Deduction(
            points=weights.stale_points(column.kind),
            reason=_stale_reason(verdict),
            column_id=column.column_id,
            kind=f"stale_{column.kind}",
        )
    return None


def _homepage_rule(homepage_age: int | None, weights: ScoringWeights) -> _Findings:
    """Homepage dynamic information: weekly at least (第六条（四）), two weeks is the national veto."""
    if homepage_age is None:
        return _Findings(
            deductions=(Deduction(weights.homepage_stale, "首页无任何动态信息", None, "homepage"),),
            vetoes=("首页无任何动态信息，视同首页超过 2 周未更新",),
        )
    if homepage_age < weights.homepage_warning_days:
        return _Findings()
    deduction = Deduction(
        weights.homepage_stale,
        f"首页动态信息已 {homepage_age} 天未更新（要求每 {weights.homepage_warning_days} 天至少更新一次）",
        None,
        "homepage",
    )
    vetoes: tuple[str, ...] = ()
    if homepage_age >= weights.homepage_veto_days:
        vetoes = (f"首页动态信息已 {homepage_age} 天未更新（≥{weights.homepage_veto_days} 天）",)
    return _Findings(deductions=(deduction,), vetoes=vetoes)


def _broken_links_rule(broken_links: int, weights: ScoringWeights) -> _Findings:
    """Links that do not open (第十一条（三）): points per link, capped."""
    if broken_links <= 0:
        return _Findings()
    points = min(broken_links * weights.broken_link, weights.broken_links_cap)
    return _Findings(
        deductions=(
            Deduction(
                points,
                f"存在 {broken_links} 个无法打开的链接（每个扣 {weights.broken_link} 分，最多扣 {weights.broken_links_cap} 分）",
                None,
                "broken_links",
            ),
        )
    )


def _availability_rule(failure: float | None, weights: ScoringWeights) -> _Findings:
    """The homepage's 7-day failure ratio: points past the warning line, the veto past the national line."""
    if failure is None or failure <= weights.availability_warning_ratio:
        return _Findings()
    deduction = Deduction(
        weights.availability_warning,
        f"首页近 7 天访问失败率 {_percent(failure)}（超过 {_percent(weights.availability_warning_ratio)} 预警线）",
        None,
        "availability",
    )
    vetoes: tuple[str, ...] = ()
    if failure > weights.availability_veto_ratio:
        vetoes = (f"首页近 7 天访问失败率 {_percent(failure)}（超过 {_percent(weights.availability_veto_ratio)}）",)
    return _Findings(deductions=(deduction,), vetoes=vetoes)


def _interaction_rule(state: InteractionState | None, weights: ScoringWeights) -> _Findings:
    """互动回应差 (national veto): no working channel, or a valid message unanswered beyond 3 months;
    points for replies left unpublished and for messages past their deadline (第十一条（四））."""
    if state is None:
        return _Findings()
    vetoes: list[str] = []
    deductions: list[Deduction] = []
    if not state.has_channel:
        vetoes.append("互动回应差：网站没有可用的互动交流渠道（互动渠道栏目未开设或未发布）")
    if state.unanswered:
        vetoes.append(f"互动回应差：{state.unanswered} 条有效留言超过 3 个月未答复：" + "；".join(state.evidence))
    if state.unpublished_after_two_months:
        deductions.append(
            Deduction(
                weights.interaction_unpublished,
                f"{state.unpublished_after_two_months} 条留言答复超过 2 个月未公开",
                None,
                "interaction_unpublished",
            )
        )
    if state.overdue_open:
        deductions.append(
            Deduction(
                weights.interaction_overdue,
                f"{state.overdue_open} 条留言超过办理期限未答复（第十一条（四））",
                None,
                "interaction_overdue",
            )
        )
    return _Findings(deductions=tuple(deductions), vetoes=tuple(vetoes))


def _column_count_vetoes(
    *, stale_count: int, stale_dynamic_or_policy: int, empty_count: int, weights: ScoringWeights
) -> _Findings:
    """The national vetoes for too many stale or blank columns."""
    vetoes: list[str] = []
    if stale_dynamic_or_policy >= weights.veto_stale_dynamic_or_policy:
        vetoes.append(
            f"动态要闻类及政策文件类栏目超过更新期限 {stale_dynamic_or_policy} 个（≥{weights.veto_stale_dynamic_or_policy} 个）"
        )
    if stale_count >= weights.veto_stale_any:
        vetoes.append(f"超过更新期限的栏目 {stale_count} 个（≥{weights.veto_stale_any} 个）")
    if empty_count >= weights.veto_empty:
        vetoes.append(f"空白栏目 {empty_count} 个（≥{weights.veto_empty} 个）")
    return _Findings(vetoes=tuple(vetoes))


def _score(unit: UnitState, today: int, weights: ScoringWeights) -> FreshnessScore:
    verdicts = tuple(judge_column(column, today=today) for column in unit.columns)
    stale = [verdict for verdict in verdicts if verdict.stale]
    stale_dynamic_or_policy = sum(1 for verdict in stale if verdict.column.kind in (ColumnKind.DYNAMIC, ColumnKind.POLICY))
    empty_count = sum(1 for verdict in verdicts if verdict.empty)
    homepage_age = _age(unit.homepage_newest_dynamic, today)
    columns = _Findings(deductions=tuple(d for d in (_column_deduction(v, weights) for v in verdicts) if d is not None))
    findings = (
        columns,
        _homepage_rule(homepage_age, weights),
        _broken_links_rule(unit.broken_links, weights),
        _availability_rule(unit.availability_failure_ratio, weights),
        _interaction_rule(unit.interaction, weights),
        _column_count_vetoes(
            stale_count=len(stale), stale_dynamic_or_policy=stale_dynamic_or_policy, empty_count=empty_count, weights=weights
        ),
    )
    deductions = tuple(deduction for found in findings for deduction in found.deductions)
    total = sum(deduction.points for deduction in deductions)
    return FreshnessScore(
        unit_code=unit.unit_code,
        score=max(0, 100 - total),
        deductions=deductions,
        vetoes=tuple(veto for found in findings for veto in found.vetoes),
        verdicts=verdicts,
        stale_count=len(stale),
        empty_count=empty_count,
        stale_dynamic_or_policy_count=stale_dynamic_or_policy,
        homepage_age_days=homepage_age,
    )


def score_unit(unit: UnitState, *, now: datetime, weights: ScoringWeights = ScoringWeights()) -> FreshnessScore:
    """Score one unit as of ``now`` (timezone-aware)."""
    return _score(unit, local_day_number(now), weights)


def score_units(units: Iterable[UnitState], *, now: datetime, weights: ScoringWeights = ScoringWeights()) -> list[FreshnessScore]:
    """Score many units against the same check time, in input order."""
    today = local_day_number(now)
    return [_score(unit, today, weights) for unit in units]
