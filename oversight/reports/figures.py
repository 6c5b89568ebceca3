"""The figures of the monthly maintenance report, as the XLSX and PDF writers read them.

How much each unit published per column type, its freshness score (see
:mod:`oversight.freshness`), whether a single-item veto applies, and the
register of cases under 第十一条 of the 2007 maintenance measures.  The caller
(``oversight.selectors.monthly_report``) collects them; this module and the
writers are pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ..freshness import SHANGHAI, FreshnessScore, ScoringWeights, UnitState

__all__ = [
    "CLAUSE_INTERACTION",
    "CLAUSE_MAINTENANCE",
    "CLAUSE_UNREACHABLE",
    "NOT_OPEN",
    "NO_DATA",
    "NO_RECORD",
    "Article11Case",
    "InteractionRow",
    "MonthlyReport",
    "UnitMonthlyFigures",
    "counted_units",
    "figure_or_status",
    "generated_text",
    "report_title",
    "rules_lines",
    "summary_text",
    "type_labels",
    "unit_lines",
    "veto_text",
]

# 第十一条 of the 2007 measures, as the register quotes it.
CLAUSE_MAINTENANCE = "第十一条（一）未按规定及时进行政务信息维护管理"
CLAUSE_UNREACHABLE = "第十一条（三）非客观原因造成网页无法打开"
CLAUSE_INTERACTION = "第十一条（四）互动性栏目未及时处理"
NO_DATA = "无数据"
# Status of a unit in a month (UnitMonthlyFigures.status): figures from that month's last snapshot, or none.
NO_RECORD = "无记录"  # no freshness record of that month: nothing is invented
NOT_OPEN = "未开通"  # the month ended before the unit's site was opened


@dataclass(frozen=True)
class UnitMonthlyFigures:
    unit_code: str
    unit_name: str
    # Chinese column-type label → items published this month, in display order.
    published_by_type: dict[str, int]
    score: int
    passed: bool
    stale_columns: int
    empty_columns: int
    broken_links: int
    # Success ratio of the homepage probes (0..1); None without monitoring data.
    availability_ratio: float | None
    deductions: tuple[str, ...]
    # Veto reasons (单项否决); empty when passed.  Defaulted so that callers
    # that only know ``passed`` can still build figures.
    vetoes: tuple[str, ...] = ()
    # "" when the figures come from the month's snapshot; NO_RECORD or NOT_OPEN when there is none
    # (score, columns and links are then not figures at all and the writers print the status).
    status: str = ""
    # Opened less than the grace period before the snapshot: vetoes do not count yet, and the
    # unit is left out of the averages (grace_note says so in the report).
    grace_note: str = ""

    @property
    def counted(self) -> bool:
        """Whether the unit's score and veto count in the month's totals and averages."""
        return not self.status and not self.grace_note

    @property
    def veto_cell(self) -> str:
        """是 / 否, or why there is no verdict (无记录, 未开通, 开通未满 N 天)."""
        if self.status:
            return self.status
        if self.grace_note:
            return self.grace_note
        return veto_text(self.passed)

    @property
    def vetoed(self) -> bool:
        return self.counted and not self.passed

    @property
    def published_total(self) -> int:
        return sum(self.published_by_type.values())

    @classmethod
    def from_score(cls, *, unit: UnitState, score: FreshnessScore, published_by_type: Mapping[str, int]) -> UnitMonthlyFigures:
        """Figures for one unit from its state and its :func:`~oversight.freshness.score_unit` result."""
        failure = unit.availability_failure_ratio
        return cls(
            unit_code=unit.unit_code,
            unit_name=unit.unit_name,
            published_by_type=dict(published_by_type),
            score=score.score,
            passed=score.passed,
            stale_columns=score.stale_count,
            empty_columns=score.empty_count,
            broken_links=unit.broken_links,
            availability_ratio=None if failure is None else 1.0 - failure,
            deductions=tuple(f"扣 {d.points} 分：{d.reason}" for d in score.deductions),
            vetoes=score.vetoes,
        )


@dataclass(frozen=True)
class Article11Case:
    unit_name: str
    clause: str
    evidence: str
    first_seen: date
    last_seen: date

    @property
    def duration_days(self) -> int:
        # Both ends count: a case seen on one day lasted one day.
        return (self.last_seen - self.first_seen).days + 1


@dataclass(frozen=True)
class InteractionRow:
    """互动交流 of one unit and one message kind in the month (the total row has kind "合计")."""

    unit_name: str
    kind: str
    received: int
    accepted: int
    published: int
    # 0..1, None when there is nothing to divide by.
    reply_rate: float | None
    on_time_rate: float | None
    average_working_days: float | None
    satisfaction_rate: float | None
    # Of the total row only: messages past their deadline now, and the 互动回应差 veto.
    overdue_now: int = 0
    veto: str = ""


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    generated_at: datetime
    units: tuple[UnitMonthlyFigures, ...]
    cases: tuple[Article11Case, ...]
    # unit_code → [(week, score)], oldest first.
    trend: dict[str, list[tuple[date, int]]]
    # Only used to explain the rules in the report; must be the weights the
    # scores were computed with.
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    # 互动交流 by unit and kind (interaction figures); empty when not collected.
    interaction: tuple[InteractionRow, ...] = ()


def report_title(report: MonthlyReport) -> str:
    return f"珠海市政府网站群 {report.year}年{report.month}月 政务信息维护情况统计报告"


def type_labels(units: Iterable[UnitMonthlyFigures]) -> list[str]:
    """Column-type labels in first-seen order, so the caller controls the order."""
    labels: dict[str, None] = {}
    for unit in units:
        for label in unit.published_by_type:
            labels.setdefault(label, None)
    return list(labels)


def generated_text(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI) if moment.tzinfo is not None else moment
    return local.strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def veto_text(passed: bool) -> str:
    return "否" if passed else "是"


def rules_lines(weights: ScoringWeights) -> list[str]:
    return [
        "评分规则：满分 100 分，按下列情形扣分，最低 0 分；任一单项否决情形出现即为不合格，与得分无关。",
        f"动态要闻类栏目超过更新期限每个扣 {weights.stale_dynamic} 分；通知公告及政策文件类每个扣 {weights.stale_policy} 分；"
        f"规划计划及人事类每个扣 {weights.stale_plan} 分；静态信息类超过核查期限每个扣 {weights.stale_static} 分。",
        f"空白栏目每个扣 {weights.empty_column} 分；首页动态信息 {weights.homepage_warning_days} 天未更新扣 "
        f"{weights.homepage_stale} 分；无法打开的链接每个扣 {weights.broken_link} 分，最多扣 {weights.broken_links_cap} 分；"
        f"首页近 7 天访问失败率超过 {weights.availability_warning_ratio:.0%} 扣 {weights.availability_warning} 分。",
        f"单项否决：动态要闻类及政策文件类栏目超过更新期限 ≥{weights.veto_stale_dynamic_or_policy} 个；"
        f"超过更新期限的栏目 ≥{weights.veto_stale_any} 个；空白栏目 ≥{weights.veto_empty} 个；"
        f"首页 {weights.homepage_veto_days} 天未更新；首页近 7 天访问失败率超过 {weights.availability_veto_ratio:.0%}。",
    ]


def counted_units(units: Iterable[UnitMonthlyFigures]) -> list[UnitMonthlyFigures]:
    """The units whose score and veto count in totals and averages (not 无记录, 未开通 or in grace)."""
    return [unit for unit in units if unit.counted]


def figure_or_status(unit: UnitMonthlyFigures, value):
    """A figure of the month's snapshot, or the unit's status when there is no snapshot."""
    return unit.status if unit.status else value


def summary_text(report: MonthlyReport) -> str:
    """The report's one-line summary: how many units were judged, passed and vetoed, and why the others were not."""
    counted = counted_units(report.units)
    vetoed = sum(unit.vetoed for unit in report.units)
    text = (
        f"生成时间：{generated_text(report.generated_at)}；共 {len(report.units)} 个单位，"
        f"合格 {len(counted) - vetoed} 个，单项否决 {vetoed} 个"
    )
    others = [unit for unit in report.units if not unit.counted]
    if others:
        text += "；不参加评比 " + "、".join(f"{unit.unit_name}（{unit.veto_cell}）" for unit in others)
    return text


def unit_lines(unit: UnitMonthlyFigures) -> list[str]:
    """The unit's lines in 扣分说明: its vetoes and deductions, or why it has none."""
    if unit.status == NOT_OPEN:
        return ["本月末尚未开通子站"]
    if unit.status == NO_RECORD:
        return ["本月无评分记录，不作评价"]
    prefix = f"（{unit.grace_note}，单项否决暂不计）" if unit.grace_note else ""
    lines = [f"单项否决{prefix}：{veto}" for veto in unit.vetoes] + list(unit.deductions)
    return lines or ["无扣分"]
