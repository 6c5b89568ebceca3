"""The yearly assessment's scoring core (第九条), pure Python: no Django, no database.

The services load a scheme as `SchemeSpec`, each unit's year of platform data as plain
facts (a mapping of metric name → number, from aggregated queries), and the experts' and
units' entries as `LeafResult`s; everything a score, a grade or a rank says is computed
here, so the admin, the unit's panel, the portal page, the PDF and `bench.assessment`
agree.

A scheme is a tree of indicators up to three levels. Each top-level indicator has a role:

* ``score`` — counted points (the national model's 扣分指标 out of 100; the city model's
  年终考评 80 + 日常监测 20). A group's points are the sum of its children's, scaled to
  the group's own weight when the children add up to another total; no indicator loses
  more than its weight (points never go below 0).
* ``bonus`` — 加分: counted only when the scored points are above the scheme's bonus
  threshold (the national model: above 80), and never more than the bonus cap (30).
* ``veto`` — 单项否决: a triggered veto fails the unit, whatever its points.
* ``vote`` — public opinion (第八条、第九条): a bonus or a penalty, never more than the
  scheme's vote cap (by default 10 % of the scored points) either way, and only with
  enough valid votes. Votes never make a score alone.

Leaf kinds: ``computed`` from the facts by the indicator's rule (below), ``entered`` by
an expert (deductions chosen from the 缺陷库, or points awarded for a bonus), and
``self_assessed`` by the unit with evidence (confirmed or corrected by an expert).

Rules of computed leaves (the indicator's JSON config):

* ``{"type": "scale", "metric": m, "full": 100}`` — points = weight × value / full (capped);
* ``{"type": "deduct", "terms": [{"metric": m, "per": 0.5, "factor": 1, "free": 0}]}`` —
  weight less the sum of per × (value × factor − free), never below 0;
* ``{"type": "veto", "conditions": [{"metric": m, "op": ">=", "value": 5}]}`` — vetoed
  when any condition holds;
* ``{"type": "votes", "neutral": 80, "min_votes": 30}`` — the vote term: 0 at the
  neutral satisfaction score, +weight at 100, −weight at 0, linear in between.

Every rule may say ``"missing": "full"`` (no data: full points, the default for
deductions) or ``"zero"`` (no data: no points, the default for scales).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "GRADE_LABELS",
    "METRICS",
    "ROLE_LABELS",
    "DefectHit",
    "IndicatorSpec",
    "LeafResult",
    "RuleError",
    "SchemeSpec",
    "UnitTotals",
    "assess_units",
    "compute_leaf",
    "derive_facts",
    "entered_result",
    "grade_for",
    "rank_within_classes",
    "score_unit",
    "self_assessed_result",
    "validate_rule",
]

SCORE, BONUS, VETO, VOTE = "score", "bonus", "veto", "vote"
ROLE_LABELS = {SCORE: "计分指标", BONUS: "加分指标", VETO: "单项否决", VOTE: "公众评价"}
GROUP, COMPUTED, ENTERED, SELF_ASSESSED = "group", "computed", "entered", "self_assessed"

EXCELLENT, GOOD, PASS, FAIL = "excellent", "good", "pass", "fail"
GRADE_LABELS = {EXCELLENT: "优秀", GOOD: "良好", PASS: "合格", FAIL: "不合格"}

# metric → (label, how a value is shown). Facts carry these names; derive_facts adds the ratios.
METRICS: dict[str, tuple[str, str]] = {
    "freshness_mean": ("日常监测平均得分", "score"),
    "freshness_days": ("有监测评分的天数", "days"),
    "freshness_veto_days": ("触发单项否决的监测天数", "days"),
    "availability_probes": ("首页可用性探测次数", "count"),
    "availability_failed": ("首页探测失败次数", "count"),
    "availability_failure_ratio": ("首页不可用率", "percent"),
    "broken_links": ("年内出现的无法打开的链接", "links"),
    "broken_links_open": ("目前仍无法打开的链接", "links"),
    "interaction_accepted": ("受理留言数", "count"),
    "interaction_published": ("公开答复数", "count"),
    "interaction_answered": ("已答复留言数", "count"),
    "interaction_on_time": ("按期答复数", "count"),
    "interaction_reply_rate": ("留言答复公开率", "percent"),
    "interaction_on_time_rate": ("留言按期办结率", "percent"),
    "interaction_unanswered_veto": ("超过 3 个月未答复的留言", "count"),
    "interaction_no_channel": ("无可用的互动渠道", "flag"),
    "corrections_received": ("收到的找错留言", "count"),
    "corrections_open": ("未办结的找错留言", "count"),
    "corrections_late": ("超过 1 个月才办结的找错留言", "count"),
    "guides_total": ("已发布的办事指南", "count"),
    "guides_incomplete": ("要素不全的办事指南", "count"),
    "guides_seriously_incomplete": ("缺少 4 项及以上要素的办事指南", "count"),
    "secrecy_held": ("保密审查拦截的稿件", "count"),
    "secrecy_released": ("保密审查发现问题后人工放行的稿件", "count"),
    "votes_score": ("公众满意度得分", "score"),
    "votes_valid": ("有效票数", "count"),
}
RULE_TYPES = ("scale", "deduct", "veto", "votes")
OPERATORS = (">=", ">", "<=", "<", "==")
UNITS = {"score": "分", "days": "天", "count": "条", "links": "个"}


class RuleError(ValueError):
    """A computed indicator's rule that cannot be evaluated (the message is shown to the centre)."""


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def show(metric: str, value: float | None) -> str:
    label, kind = METRICS.get(metric, (metric, "count"))
    if value is None:
        return f"{label}：无数据"
    if kind == "percent":
        return f"{label} {value * 100:.2f}%"
    if kind == "flag":
        return label if value else f"{label}：否"
    return f"{label} {_num(value)} {UNITS.get(kind, '')}".rstrip()


# --- the scheme --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    id: int
    code: str
    name: str
    role: str
    kind: str
    max_points: float
    rule: Mapping = field(default_factory=dict)
    children: tuple[IndicatorSpec, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.kind != GROUP

    @property
    def awards(self) -> bool:
        """Points are awarded from 0 (bonus), not deducted from the weight."""
        return self.role == BONUS

    def leaves(self) -> Iterable[IndicatorSpec]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True, slots=True)
class SchemeSpec:
    year: int
    indicators: tuple[IndicatorSpec, ...]
    pass_score: float = 60.0
    good_score: float = 80.0
    excellent_score: float = 90.0
    bonus_threshold: float | None = 80.0
    bonus_cap: float | None = 30.0
    vote_cap_share: float = 0.10

    def leaves(self) -> list[IndicatorSpec]:
        return [leaf for top in self.indicators for leaf in top.leaves()]

    @property
    def scored_max(self) -> float:
        return sum(top.max_points for top in self.indicators if top.role == SCORE)

    @property
    def vote_cap(self) -> float:
        """The most the vote term may add or take: a share of the scored points."""
        return round(self.scored_max * self.vote_cap_share, 2)


# --- one leaf ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeafResult:
    points: float
    reasons: tuple[str, ...] = ()
    vetoed: bool = False
    # Not decided yet (an expert has not scored, a unit has not assessed itself).
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class DefectHit:
    code: str
    description: str
    points: float
    count: int = 1
    veto: bool = False


def derive_facts(raw: Mapping[str, float | None]) -> dict[str, float | None]:
    """The raw counts plus the ratios the rules read (a ratio without a denominator is None)."""
    facts = dict(raw)

    def ratio(numerator: str, denominator: str) -> float | None:
        total = facts.get(denominator)
        part = facts.get(numerator)
        return None if not total or part is None else part / total

    facts.setdefault("availability_failure_ratio", ratio("availability_failed", "availability_probes"))
    facts.setdefault("interaction_reply_rate", ratio("interaction_published", "interaction_accepted"))
    facts.setdefault("interaction_on_time_rate", ratio("interaction_on_time", "interaction_answered"))
    return facts


def _terms(rule: Mapping) -> list[Mapping]:
    if "terms" in rule:
        return list(rule["terms"])
    return [{key: rule[key] for key in ("metric", "per", "factor", "free") if key in rule}]


def validate_rule(rule: Mapping, *, role: str) -> None:
    """Raises RuleError (in Chinese) when a computed indicator's rule is not one the engine evaluates."""
    if not isinstance(rule, Mapping):
        raise RuleError("计算规则须为 JSON 对象")
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        raise RuleError(f"计算规则类型须为 {'、'.join(RULE_TYPES)} 之一")
    if (kind == "veto") != (role == VETO):
        raise RuleError("单项否决指标须使用 veto 规则，其他指标不能使用 veto 规则")
    if (kind == "votes") != (role == VOTE):
        raise RuleError("公众评价指标须使用 votes 规则，其他指标不能使用 votes 规则")
    if rule.get("missing", "full") not in ("full", "zero"):
        raise RuleError("missing 只能为 full（无数据按满分）或 zero（无数据不得分）")
    if kind == "scale":
        if rule.get("metric") not in METRICS:
            raise RuleError(f"未知的数据项：{rule.get('metric')}")
        if not isinstance(rule.get("full", 100), (int, float)) or rule.get("full", 100) <= 0:
            raise RuleError("full 须为正数")
    elif kind == "deduct":
        terms = _terms(rule)
        if not terms:
            raise RuleError("扣分规则至少要有一项")
        for term in terms:
            if term.get("metric") not in METRICS:
                raise RuleError(f"未知的数据项：{term.get('metric')}")
            for key in ("per", "factor", "free"):
                if key in term and (not isinstance(term[key], (int, float)) or term[key] < 0):
                    raise RuleError(f"{key} 须为不小于 0 的数")
            if "per" not in term:
                raise RuleError("每项扣分规则须写明 per（每单位扣分）")
    elif kind == "veto":
        conditions = rule.get("conditions") or []
        if not conditions:
            raise RuleError("单项否决规则至少要有一个条件")
        for condition in conditions:
            if condition.get("metric") not in METRICS:
                raise RuleError(f"未知的数据项：{condition.get('metric')}")
            if condition.get("op") not in OPERATORS:
                raise RuleError(f"比较符须为 {' '.join(OPERATORS)} 之一")
            if not isinstance(condition.get("value"), (int, float)):
                raise RuleError("条件的 value 须为数字")
    elif kind == "votes":
        neutral = rule.get("neutral", 80)
        if not isinstance(neutral, (int, float)) or not 0 < neutral < 100:
            raise RuleError("neutral（不加不减的满意度得分）须在 0 到 100 之间")
        if not isinstance(rule.get("min_votes", 30), int) or rule.get("min_votes", 30) < 1:
            raise RuleError("min_votes（最少有效票数）须为正整数")


def _holds(value: float, op: str, threshold: float) -> bool:
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    if op == "<":
        return value < threshold
    return value == threshold


def compute_leaf(spec: IndicatorSpec, facts: Mapping[str, float | None]) -> LeafResult:
    """A computed leaf's points and reasons from the unit's facts (see the module docstring)."""
    rule = spec.rule
    weight = spec.max_points
    kind = rule.get("type")
    if kind == "scale":
        metric = rule["metric"]
        value = facts.get(metric)
        if value is None:
            if rule.get("missing", "zero") == "full":
                return LeafResult(weight, (f"{show(metric, None)}，按满分计",))
            return LeafResult(0.0, (f"{show(metric, None)}，不得分",))
        full = float(rule.get("full", 100))
        points = round(weight * max(0.0, min(1.0, value / full)), 2)
        return LeafResult(points, (f"{show(metric, value)}，得 {_num(points)} 分（满分 {_num(weight)} 分）",))
    if kind == "deduct":
        deduction = 0.0
        reasons: list[str] = []
        missing = []
        for term in _terms(rule):
            metric = term["metric"]
            value = facts.get(metric)
            if value is None:
                missing.append(metric)
                continue
            counted = max(0.0, value * float(term.get("factor", 1)) - float(term.get("free", 0)))
            cut = counted * float(term["per"])
            if cut > 0:
                free = f"（免扣 {_num(term['free'])}）" if term.get("free") else ""
                reasons.append(f"{show(metric, value)}{free}，扣 {_num(round(cut, 2))} 分")
            deduction += cut
        if missing and rule.get("missing", "full") == "zero":
            return LeafResult(0.0, tuple(f"{show(m, None)}，不得分" for m in missing))
        reasons += [f"{show(m, None)}，不扣分" for m in missing]
        if deduction > weight:
            reasons.append(f"扣分以本项分值 {_num(weight)} 分为限")
        points = round(max(0.0, weight - deduction), 2)
        return LeafResult(points, tuple(reasons) or ("未发现扣分情形",))
    if kind == "veto":
        hits = []
        for condition in rule["conditions"]:
            value = facts.get(condition["metric"])
            if value is not None and _holds(float(value), condition["op"], float(condition["value"])):
                hits.append(f"{show(condition['metric'], value)}（否决线 {condition['op']} {_num(condition['value'])}）")
        if hits:
            return LeafResult(0.0, tuple(f"单项否决：{hit}" for hit in hits), vetoed=True)
        return LeafResult(0.0, ("未触发单项否决",))
    if kind == "votes":
        score, votes = facts.get("votes_score"), facts.get("votes_valid") or 0
        minimum = int(rule.get("min_votes", 30))
        if score is None or votes < minimum:
            return LeafResult(0.0, (f"有效票数 {_num(votes)} 票，不足 {minimum} 票，公众评价不加不减",))
        neutral = float(rule.get("neutral", 80))
        term = weight * (score - neutral) / (100 - neutral) if score >= neutral else -weight * (neutral - score) / neutral
        term = round(max(-weight, min(weight, term)), 2)
        sign = "加" if term >= 0 else "减"
        return LeafResult(
            term,
            (
                f"公众满意度得分 {_num(score)} 分（有效票 {_num(votes)} 票，{_num(neutral)} 分不加不减），"
                f"{sign} {_num(abs(term))} 分（上限 {_num(weight)} 分）",
            ),
        )
    raise RuleError(f"指标「{spec.code} {spec.name}」的计算规则无效")


def entered_result(
    spec: IndicatorSpec,
    *,
    defects: Sequence[DefectHit] | None,
    awarded: float | None = None,
    reason: str = "",
) -> LeafResult:
    """An expert's entry: deductions chosen from the 缺陷库 (or, for a bonus, points awarded with a reason).

    ``defects is None`` and ``awarded is None``: the expert has not scored yet (provisional).
    """
    weight = spec.max_points
    if spec.role == VETO:
        if defects is None:
            return LeafResult(0.0, ("专家尚未核查",), provisional=True)
        vetoes = [d for d in defects if d.veto]
        if vetoes:
            return LeafResult(0.0, tuple(f"单项否决：{d.code} {d.description}" for d in vetoes), vetoed=True)
        return LeafResult(0.0, ("专家核查：未发现单项否决情形",))
    if spec.awards:
        if awarded is None:
            return LeafResult(0.0, ("专家尚未评定加分",), provisional=True)
        points = round(max(0.0, min(weight, awarded)), 2)
        return LeafResult(points, (f"专家评定加 {_num(points)} 分：{reason}" if reason else f"专家评定加 {_num(points)} 分",))
    if defects is None:
        return LeafResult(weight, ("专家尚未评分（暂按满分计）",), provisional=True)
    reasons = []
    deduction = 0.0
    for defect in defects:
        cut = defect.points * defect.count
        deduction += cut
        times = f" × {defect.count}" if defect.count > 1 else ""
        reasons.append(f"{defect.code} {defect.description}{times}，扣 {_num(round(cut, 2))} 分")
    if deduction > weight:
        reasons.append(f"扣分以本项分值 {_num(weight)} 分为限")
    if reason:
        reasons.append(f"专家说明：{reason}")
    points = round(max(0.0, weight - deduction), 2)
    return LeafResult(points, tuple(reasons) or ("专家评分：未发现扣分情形",))


def self_assessed_result(
    spec: IndicatorSpec,
    *,
    claimed: float | None,
    confirmed: float | None = None,
    expert_reason: str = "",
) -> LeafResult:
    """The unit's own score with evidence, and the expert's confirmation or correction of it."""
    weight = spec.max_points
    if confirmed is not None:
        points = round(max(0.0, min(weight, confirmed)), 2)
        claim = f"单位自评 {_num(claimed)} 分，" if claimed is not None else "单位未自评，"
        note = f"：{expert_reason}" if expert_reason else ""
        return LeafResult(points, (f"{claim}专家核定 {_num(points)} 分{note}",))
    if claimed is None:
        return LeafResult(0.0, ("单位尚未自评",), provisional=True)
    points = round(max(0.0, min(weight, claimed)), 2)
    return LeafResult(points, (f"单位自评 {_num(points)} 分（待专家核定）",), provisional=True)


# --- a unit's total, grade and rank ------------------------------------------------------


@dataclass
class UnitTotals:
    base: float
    bonus: float
    vote: float
    total: float
    vetoed: bool
    veto_reasons: tuple[str, ...]
    grade: str
    provisional: bool
    # Points of every indicator (groups included), by indicator id.
    points: dict[int, float]
    notes: tuple[str, ...] = ()


def _node_points(node: IndicatorSpec, leaves: Mapping[int, LeafResult], points: dict[int, float]) -> float:
    if node.is_leaf:
        result = leaves.get(node.id)
        value = result.points if result is not None else 0.0
        points[node.id] = value
        return value
    total = sum(_node_points(child, leaves, points) for child in node.children)
    children_max = sum(child.max_points for child in node.children)
    if children_max > 0 and node.role in (SCORE, BONUS) and abs(children_max - node.max_points) > 1e-9:
        total = total * node.max_points / children_max
    if node.role == VOTE:
        total = max(-node.max_points, min(node.max_points, total))
    else:
        total = max(0.0, min(node.max_points, total)) if node.role != VETO else 0.0
    points[node.id] = round(total, 2)
    return total


def grade_for(scheme: SchemeSpec, *, total: float, base: float, vetoed: bool) -> str:
    if vetoed or base < scheme.pass_score or total < scheme.pass_score:
        return FAIL
    if total >= scheme.excellent_score:
        return EXCELLENT
    if total >= scheme.good_score:
        return GOOD
    return PASS


def score_unit(scheme: SchemeSpec, leaves: Mapping[int, LeafResult]) -> UnitTotals:
    """A unit's scored points, bonus, vote term, total, vetoes and grade from its leaf results."""
    points: dict[int, float] = {}
    base = bonus = vote = 0.0
    for top in scheme.indicators:
        value = _node_points(top, leaves, points)
        if top.role == SCORE:
            base += value
        elif top.role == BONUS:
            bonus += value
        elif top.role == VOTE:
            vote += value
    notes = []
    if bonus and scheme.bonus_threshold is not None and base <= scheme.bonus_threshold:
        notes.append(f"计分 {_num(round(base, 2))} 分，未超过 {_num(scheme.bonus_threshold)} 分，加分不计入")
        bonus = 0.0
    if scheme.bonus_cap is not None and bonus > scheme.bonus_cap:
        notes.append(f"加分以 {_num(scheme.bonus_cap)} 分为限")
        bonus = scheme.bonus_cap
    cap = scheme.vote_cap
    if abs(vote) > cap:
        notes.append(f"公众评价以 ±{_num(cap)} 分为限")
        vote = cap if vote > 0 else -cap
    vetoes = tuple(reason for leaf in scheme.leaves() if (r := leaves.get(leaf.id)) and r.vetoed for reason in r.reasons)
    base, bonus, vote = round(base, 2), round(bonus, 2), round(vote, 2)
    total = round(max(0.0, base + bonus + vote), 2)
    provisional = any(r.provisional for r in leaves.values())
    return UnitTotals(
        base=base,
        bonus=bonus,
        vote=vote,
        total=total,
        vetoed=bool(vetoes),
        veto_reasons=vetoes,
        grade=grade_for(scheme, total=total, base=base, vetoed=bool(vetoes)),
        provisional=provisional,
        points=points,
        notes=tuple(notes),
    )


def rank_within_classes(rows: Iterable[tuple[object, object, float, bool]]) -> dict[object, tuple[int, int]]:
    """(key, class, total, vetoed) rows → key: (rank within its class, class size).

    Higher totals first; a vetoed unit after every unit that was not; equal totals share a rank (1, 2, 2, 4).
    """
    by_class: dict[object, list[tuple[object, float, bool]]] = defaultdict(list)
    for key, klass, total, vetoed in rows:
        by_class[klass].append((key, total, vetoed))
    ranks: dict[object, tuple[int, int]] = {}
    for members in by_class.values():
        members.sort(key=lambda row: (row[2], -row[1]))
        previous = None
        rank = 0
        for position, (key, total, vetoed) in enumerate(members, start=1):
            if (vetoed, total) != previous:
                rank = position
                previous = (vetoed, total)
            ranks[key] = (rank, len(members))
    return ranks


def assess_units(
    scheme: SchemeSpec,
    *,
    facts_by_unit: Mapping[object, Mapping[str, float | None]],
    classes: Mapping[object, object],
    entries_by_unit: Mapping[object, Mapping[int, LeafResult]] | None = None,
) -> dict[object, tuple[UnitTotals, dict[int, LeafResult], tuple[int, int]]]:
    """Every unit's leaves, totals and rank in one pass: computed leaves from the facts, the other
    leaves from ``entries_by_unit`` (missing entries count as not yet entered)."""
    entries_by_unit = entries_by_unit or {}
    leaves = scheme.leaves()
    computed = [leaf for leaf in leaves if leaf.kind == COMPUTED]
    others = [leaf for leaf in leaves if leaf.kind != COMPUTED]
    results: dict[object, tuple[UnitTotals, dict[int, LeafResult]]] = {}
    for key, raw in facts_by_unit.items():
        facts = derive_facts(raw)
        entries = entries_by_unit.get(key, {})
        leaf_results = {leaf.id: compute_leaf(leaf, facts) for leaf in computed}
        for leaf in others:
            entry = entries.get(leaf.id)
            if entry is None:
                entry = entered_result(leaf, defects=None) if leaf.kind == ENTERED else self_assessed_result(leaf, claimed=None)
            leaf_results[leaf.id] = entry
        results[key] = (score_unit(scheme, leaf_results), leaf_results)
    ranks = rank_within_classes((key, classes.get(key), totals.total, totals.vetoed) for key, (totals, _) in results.items())
    return {key: (totals, leaf_results, ranks[key]) for key, (totals, leaf_results) in results.items()}
