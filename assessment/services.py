"""Writes of the yearly assessment: schemes from presets, rounds, computed refreshes, 自评, expert
scores, 复核, the final score, the leading group's approval and publication.

Every write runs in the public schema (`tenants.context.public_schema()`), also when called from a
unit's admin. Every change of a leaf's points or veto, and of a unit's total, grade or rank, is
written to `ScoreChange` with who, when, the old and new value and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from tenants.admin import is_information_centre
from tenants.context import public_schema

from . import selectors
from .models import (
    AssessmentRound,
    AssessmentScheme,
    Defect,
    Grade,
    Indicator,
    IndicatorKind,
    IndicatorRole,
    IndicatorScore,
    ScoreChange,
    ScoreContest,
    Stage,
    UnitAssessment,
    UnitClass,
)
from .presets import PRESETS, UnknownPreset, load_preset
from .results import points_text
from .scoring import (
    METRICS,
    DefectHit,
    IndicatorSpec,
    LeafResult,
    RuleError,
    compute_leaf,
    derive_facts,
    entered_result,
    rank_within_classes,
    score_unit,
    self_assessed_result,
    validate_rule,
)

SYSTEM_ACTOR = "系统（每日计算）"
MAX_LEVELS = 3
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip")


class AssessmentError(Exception):
    """A refused action; the message (Chinese) is shown to the user as it is."""


class SchemeFrozen(AssessmentError):
    pass


def actor_label(user) -> str:
    if user is None:
        return SYSTEM_ACTOR
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{name}（{username}）" if name and name != username else username


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _dec(value) -> Decimal:
    return Decimal(str(round(float(value), 2)))


# --- the scheme ---------------------------------------------------------------------


def assert_editable(scheme: AssessmentScheme, *, now: datetime | None = None) -> None:
    if scheme.is_frozen(_now(now)):
        raise SchemeFrozen(
            f"{scheme.year}年度考评方案自 {scheme.year}年1月1日 起已冻结：考评年度开始后不能再修改方案、指标、单位类别或缺陷库"
        )


def check_indicator(indicator: Indicator) -> None:
    """The rules of one node of the tree (raises AssessmentError in Chinese)."""
    parent = indicator.parent
    if parent is not None:
        if parent.scheme_id != indicator.scheme_id:
            raise AssessmentError("上级指标须属于同一考评方案")
        if parent.kind != IndicatorKind.GROUP:
            raise AssessmentError(f"上级指标「{parent}」不是指标分组，不能有下级指标")
        if parent.level >= MAX_LEVELS:
            raise AssessmentError("指标最多三级")
        if indicator.role != parent.role:
            raise AssessmentError(f"下级指标的性质须与上级指标「{parent}」相同（{parent.get_role_display()}）")
    if indicator.max_points < 0:
        raise AssessmentError("分值不能为负数")
    if indicator.role == IndicatorRole.VETO and indicator.max_points != 0:
        raise AssessmentError("单项否决指标不计分，分值须为 0")
    if indicator.role == IndicatorRole.VETO and indicator.kind == IndicatorKind.SELF_ASSESSED:
        raise AssessmentError("单项否决指标不能由单位自评")
    if indicator.role == IndicatorRole.VOTE and indicator.kind not in (IndicatorKind.GROUP, IndicatorKind.COMPUTED):
        raise AssessmentError("公众评价指标只能由投票数据计算")
    if indicator.kind == IndicatorKind.COMPUTED:
        try:
            validate_rule(indicator.rule or {}, role=indicator.role)
        except RuleError as exc:
            raise AssessmentError(f"指标「{indicator.code} {indicator.name}」：{exc}") from exc
    elif indicator.rule:
        raise AssessmentError("只有平台数据计算的指标才填写计算规则")
    if indicator.pk and indicator.kind != IndicatorKind.GROUP and indicator.children.exists():
        raise AssessmentError("有下级指标的指标只能是指标分组")


def scheme_problems(scheme: AssessmentScheme) -> list[str]:
    """What keeps a scheme from being used (empty when it is complete)."""
    problems: list[str] = []
    spec = selectors.scheme_spec(scheme)
    if not any(top.role == IndicatorRole.SCORE for top in spec.indicators) or spec.scored_max <= 0:
        problems.append("方案至少要有一个分值大于 0 的计分指标（公众投票不能单独计分）")
    for top in spec.indicators:
        for node in _walk(top):
            if not node.is_leaf and not node.children:
                problems.append(f"指标分组「{node.code} {node.name}」没有下级指标")
    votes = sum(top.max_points for top in spec.indicators if top.role == IndicatorRole.VOTE)
    if votes > spec.vote_cap + 1e-9:
        problems.append(
            f"公众评价分值合计 {points_text(votes)} 分，超过计分指标总分的 {float(scheme.vote_cap_share) * 100:g}%"
            f"（{points_text(spec.vote_cap)} 分）"
        )
    with public_schema():
        if not scheme.classes.exists():
            problems.append("方案至少要有一个单位类别")
    return problems


def _walk(node: IndicatorSpec):
    yield node
    for child in node.children:
        yield from _walk(child)


def _create_indicator(scheme, data: dict, *, parent: Indicator | None, order: list[int]) -> Indicator:
    order[0] += 1
    indicator = Indicator(
        scheme=scheme,
        parent=parent,
        code=str(data["code"]),
        name=data["name"],
        description=data.get("description", ""),
        role=parent.role if parent is not None else data.get("role", IndicatorRole.SCORE),
        kind=data.get("kind", IndicatorKind.GROUP),
        max_points=Decimal(str(data.get("max_points", 0))),
        rule=data.get("rule") or {},
        sort_order=order[0],
    )
    check_indicator(indicator)
    indicator.save()
    for child in data.get("children", []):
        _create_indicator(scheme, child, parent=indicator, order=order)
    return indicator


def create_scheme_from_preset(*, year: int, preset: str, now: datetime | None = None) -> AssessmentScheme:
    """A year's 考评方案 built from a shipped preset (assessment/presets/<preset>.json)."""
    now = _now(now)
    try:
        data = load_preset(preset)
    except UnknownPreset as exc:
        raise AssessmentError(f"没有名为「{preset}」的方案模板，可选：{'、'.join(PRESETS)}") from exc
    if year < timezone.localtime(now).year:
        raise AssessmentError(f"{year}年度已经结束，不能再为它建立考评方案")
    with public_schema(), transaction.atomic():
        if AssessmentScheme.objects.filter(year=year).exists():
            raise AssessmentError(f"{year}年度已有考评方案")
        scheme = AssessmentScheme.objects.create(
            year=year,
            title=data["title"].format(year=year),
            preset=data["key"],
            description=data.get("description", ""),
            pass_score=Decimal(str(data["pass_score"])),
            good_score=Decimal(str(data["good_score"])),
            excellent_score=Decimal(str(data["excellent_score"])),
            bonus_threshold=None if data.get("bonus_threshold") is None else Decimal(str(data["bonus_threshold"])),
            bonus_cap=None if data.get("bonus_cap") is None else Decimal(str(data["bonus_cap"])),
            vote_cap_share=Decimal(str(data.get("vote_cap_share", "0.1"))),
        )
        for position, klass in enumerate(data["classes"]):
            UnitClass.objects.create(scheme=scheme, name=klass["name"], unit_types=klass["unit_types"], sort_order=position)
        order = [0]
        for top in data["indicators"]:
            _create_indicator(scheme, top, parent=None, order=order)
        codes = {indicator.code: indicator for indicator in scheme.indicators.all()}
        for defect in data.get("defects", []):
            Defect.objects.create(
                scheme=scheme,
                indicator=codes[defect["indicator"]] if defect.get("indicator") else None,
                code=defect["code"],
                description=defect["description"],
                points=Decimal(str(defect.get("points", 0))),
                veto=bool(defect.get("veto", False)),
            )
        problems = scheme_problems(scheme)
        if problems:
            raise AssessmentError("；".join(problems))
    return scheme


def save_scheme_part(*, instance, now: datetime | None = None):
    """Saves a scheme, an indicator, a class or a defect edited in the centre's admin, before the year starts."""
    scheme = instance if isinstance(instance, AssessmentScheme) else instance.scheme
    with public_schema(), transaction.atomic():
        if scheme.pk:
            stored = AssessmentScheme.objects.get(pk=scheme.pk)
            assert_editable(stored, now=now)
            if isinstance(instance, AssessmentScheme) and instance.year != stored.year:
                assert_editable(instance, now=now)
        else:
            assert_editable(scheme, now=now)
        if isinstance(instance, Indicator):
            check_indicator(instance)
        if isinstance(instance, Defect) and instance.indicator_id and instance.indicator.scheme_id != scheme.pk:
            raise AssessmentError("适用指标须属于同一考评方案")
        instance.save()
        if isinstance(instance, Indicator):
            # Children follow their parent's role.
            _propagate_role(instance)
    return instance


def _propagate_role(indicator: Indicator) -> None:
    for child in indicator.children.all():
        if child.role != indicator.role:
            child.role = indicator.role
            child.save(update_fields=["role"])
        _propagate_role(child)


def delete_scheme_part(*, instance, now: datetime | None = None) -> None:
    scheme = instance if isinstance(instance, AssessmentScheme) else instance.scheme
    with public_schema(), transaction.atomic():
        assert_editable(scheme, now=now)
        if isinstance(instance, AssessmentScheme) and AssessmentRound.objects.filter(scheme=instance).exists():
            raise AssessmentError("该方案已开始考评，不能删除")
        instance.delete()


# --- rounds ---------------------------------------------------------------------------


@dataclass
class RefreshResult:
    units: int
    changed: int


def _audit(*, assessment, score=None, field: str, old: str, new: str, reason: str, actor: str, actor_unit: str, at):
    ScoreChange.objects.create(
        assessment=assessment,
        score=score,
        field=field,
        old_value=old[:200],
        new_value=new[:200],
        reason=reason,
        actor=actor,
        actor_unit=actor_unit,
        at=at,
    )


def _ensure_units(round_: AssessmentRound) -> None:
    """A UnitAssessment for every assessed unit and an IndicatorScore for every leaf (units added later too)."""
    scheme = round_.scheme
    leaves = {leaf.id: leaf for leaf in selectors.scheme_spec(scheme).leaves()}
    existing = {row.unit_id: row for row in round_.units.all()}
    for unit, klass in selectors.assessed_units(scheme):
        row = existing.get(unit.pk)
        if row is None:
            row = UnitAssessment.objects.create(round=round_, unit=unit, unit_class=klass)
        have = set(row.scores.values_list("indicator_id", flat=True))
        new = []
        for leaf_id, spec in leaves.items():
            if leaf_id in have:
                continue
            # What the leaf counts before anything is known: the running score shows it with its reason.
            score = IndicatorScore(assessment=row, indicator_id=leaf_id)
            initial = effective_result(score, spec)
            score.points, score.vetoed = _dec(initial.points), initial.vetoed
            score.reasons, score.provisional = list(initial.reasons), True
            new.append(score)
        IndicatorScore.objects.bulk_create(new)


def open_round(*, scheme: AssessmentScheme, now: datetime | None = None) -> AssessmentRound:
    """The scheme's round (日常监测 stage), with every unit and leaf, and a first computation."""
    now = _now(now)
    with public_schema(), transaction.atomic():
        problems = scheme_problems(scheme)
        if problems:
            raise AssessmentError("方案不完整，不能开始考评：" + "；".join(problems))
        round_, _created = AssessmentRound.objects.get_or_create(
            scheme=scheme, defaults={"opened_at": now, "stage_changed_at": now}
        )
        _ensure_units(round_)
    refresh_computed_scores(scheme_id=scheme.pk, now=now)
    return round_


def _hits(score: IndicatorScore) -> list[DefectHit] | None:
    if score.expert_defects is None:
        return None
    return [
        DefectHit(
            code=item["code"],
            description=item["description"],
            points=float(item["points"]),
            count=int(item.get("count", 1)),
            veto=bool(item.get("veto", False)),
        )
        for item in score.expert_defects
    ]


def effective_result(score: IndicatorScore, spec: IndicatorSpec) -> LeafResult:
    """What a leaf counts now: computed from its stored facts, the expert's or the unit's entry, and a 复核 change."""
    if spec.kind == IndicatorKind.COMPUTED:
        result = compute_leaf(spec, derive_facts(score.facts or {}))
    elif spec.kind == IndicatorKind.ENTERED:
        awarded = None if score.expert_points is None else float(score.expert_points)
        if spec.awards:
            result = entered_result(spec, defects=None, awarded=awarded, reason=score.expert_reason)
        else:
            result = entered_result(spec, defects=_hits(score), reason=score.expert_reason)
    else:
        result = self_assessed_result(
            spec,
            claimed=None if score.self_points is None else float(score.self_points),
            confirmed=None if score.expert_points is None else float(score.expert_points),
            expert_reason=score.expert_reason,
        )
    if score.override_points is not None:
        low = -spec.max_points if spec.role == IndicatorRole.VOTE else 0.0
        points = round(max(low, min(spec.max_points, float(score.override_points))), 2)
        result = LeafResult(
            points,
            (*result.reasons, f"复核调整为 {points_text(points)} 分：{score.override_reason}"),
            vetoed=result.vetoed,
            provisional=False,
        )
    return result


def _store(score: IndicatorScore, result: LeafResult, *, actor: str, actor_unit: str, reason: str, at, extra=()) -> bool:
    """Writes the leaf's effective result; audits a change of points or veto. True when something changed."""
    old_points, old_veto = score.points, score.vetoed
    new_points = _dec(result.points)
    changed_value = old_points != new_points or old_veto != result.vetoed
    changed = changed_value or list(score.reasons or []) != list(result.reasons) or score.provisional != result.provisional
    score.points = new_points
    score.vetoed = result.vetoed
    score.reasons = list(result.reasons)
    score.provisional = result.provisional
    score.save(update_fields=["points", "vetoed", "reasons", "provisional", *extra])
    if changed_value:
        old = f"{points_text(float(old_points))} 分" + ("（否决）" if old_veto else "")
        new = f"{points_text(float(new_points))} 分" + ("（否决）" if result.vetoed else "")
        _audit(
            assessment=score.assessment,
            score=score,
            field=f"{score.indicator.code} {score.indicator.name}",
            old=old,
            new=new,
            reason=reason or "；".join(result.reasons),
            actor=actor,
            actor_unit=actor_unit,
            at=at,
        )
    return changed


def _recompute_totals(round_: AssessmentRound, *, actor: str, actor_unit: str = "", reason: str, at) -> None:
    """Totals, grades and ranks of every unit of the round from the stored leaf results."""
    spec = selectors.scheme_spec(round_.scheme)
    rows = list(round_.units.select_related("unit"))
    scores: dict[int, dict[int, LeafResult]] = {row.pk: {} for row in rows}
    for score in IndicatorScore.objects.filter(assessment__round=round_):
        scores[score.assessment_id][score.indicator_id] = LeafResult(
            float(score.points), tuple(score.reasons or ()), score.vetoed, score.provisional
        )
    totals = {row.pk: score_unit(spec, scores[row.pk]) for row in rows}
    ranks = rank_within_classes((row.pk, row.unit_class_id, totals[row.pk].total, totals[row.pk].vetoed) for row in rows)
    for row in rows:
        result = totals[row.pk]
        rank, size = ranks[row.pk]
        had_total = row.computed_at is not None
        before = (row.total, row.grade, row.rank, row.vetoed)
        row.base_points, row.bonus_points, row.vote_points = _dec(result.base), _dec(result.bonus), _dec(result.vote)
        row.total = _dec(result.total)
        row.vetoed = result.vetoed
        row.veto_reasons = list(result.veto_reasons)
        row.notes = list(result.notes)
        row.grade = result.grade
        row.rank, row.class_size = rank, size
        row.provisional = result.provisional
        row.computed_at = at
        row.save()
        after = (row.total, row.grade, row.rank, row.vetoed)
        if had_total and before != after:
            old_grade = Grade(before[1]).label if before[1] else "未评"
            _audit(
                assessment=row,
                field="总分、等次与排名",
                old=f"{points_text(float(before[0]))} 分，{old_grade}，第 {before[2] or '—'} 名",
                new=f"{points_text(float(row.total))} 分，{Grade(row.grade).label}，第 {rank} 名（共 {size} 个）",
                reason=reason,
                actor=actor,
                actor_unit=actor_unit,
                at=at,
            )


def refresh_computed_scores(*, scheme_id: int, now: datetime | None = None) -> RefreshResult:
    """Recomputes every computed leaf of the scheme's round from the platform's data of the year so far.

    Opens the round when the year has started and it has none yet; refuses once the final score is set.
    """
    now = _now(now)
    with public_schema():
        scheme = AssessmentScheme.objects.get(pk=scheme_id)
        round_ = AssessmentRound.objects.filter(scheme=scheme).first()
        if round_ is None:
            if not scheme.is_frozen(now):
                raise AssessmentError(f"{scheme.year}年度尚未开始，不计算得分")
            return _refresh_opened(open_round(scheme=scheme, now=now), now)
        return _refresh_opened(round_, now)


def _refresh_opened(round_: AssessmentRound, now: datetime) -> RefreshResult:
    if round_.stage_at_least(Stage.FINAL):
        raise AssessmentError("最终得分已确定，不再重新计算")
    scheme = round_.scheme
    spec = selectors.scheme_spec(scheme)
    computed = {leaf.id: leaf for leaf in spec.leaves() if leaf.kind == IndicatorKind.COMPUTED}
    with transaction.atomic():
        _ensure_units(round_)
        rows = list(round_.units.select_related("unit"))
        facts = selectors.year_facts(units=[row.unit for row in rows], year=scheme.year, now=now)
        changed = 0
        scores = IndicatorScore.objects.filter(assessment__round=round_, indicator_id__in=computed).select_related(
            "indicator", "assessment"
        )
        for score in scores:
            spec_leaf = computed[score.indicator_id]
            unit_facts = derive_facts(facts.get(score.assessment.unit_id, {}))
            score.facts = {name: unit_facts.get(name) for name in _rule_metrics(spec_leaf)}
            score.computed_at = now
            result = effective_result(score, spec_leaf)
            changed += _store(score, result, actor=SYSTEM_ACTOR, actor_unit="", reason="", at=now, extra=("facts", "computed_at"))
        round_.refreshed_at = now
        round_.save(update_fields=["refreshed_at"])
        _recompute_totals(round_, actor=SYSTEM_ACTOR, reason="每日重新计算平台数据指标", at=now)
    return RefreshResult(units=len(rows), changed=changed)


def _rule_metrics(spec: IndicatorSpec) -> list[str]:
    rule = spec.rule
    kind = rule.get("type")
    if kind == "scale":
        names = [rule["metric"]]
    elif kind == "deduct":
        names = [term["metric"] for term in rule.get("terms", [rule])]
    elif kind == "veto":
        names = [condition["metric"] for condition in rule["conditions"]]
    else:
        names = ["votes_score", "votes_valid"]
    # Ratios need their parts to be derived again from the stored facts.
    parts = {
        "availability_failure_ratio": ["availability_probes", "availability_failed"],
        "interaction_reply_rate": ["interaction_published", "interaction_accepted"],
        "interaction_on_time_rate": ["interaction_on_time", "interaction_answered"],
    }
    for name in list(names):
        names += parts.get(name, [])
    return [name for name in dict.fromkeys(names) if name in METRICS]


def refresh_all(*, now: datetime | None = None) -> dict[int, RefreshResult]:
    """The nightly run: every scheme whose year has started and whose final score is not set yet."""
    now = _now(now)
    results = {}
    with public_schema():
        candidates = list(
            AssessmentScheme.objects.filter(year__lte=timezone.localtime(now).year).select_related("round").order_by("year")
        )
        for scheme in candidates:
            round_ = getattr(scheme, "round", None)
            if round_ is not None and round_.stage_at_least(Stage.FINAL):
                continue
            if round_ is None and scheme_problems(scheme):
                continue
            results[scheme.year] = refresh_computed_scores(scheme_id=scheme.pk, now=now)
    return results


_NEXT = {Stage.RUNNING: Stage.SELF, Stage.SELF: Stage.EXPERT, Stage.EXPERT: Stage.REVIEW}


def advance_round(*, round_: AssessmentRound, user, now: datetime | None = None) -> AssessmentRound:
    """日常监测 → 自评 → 专家评分 → 复核 (the final score has its own step, `finalize_round`)."""
    now = _now(now)
    if not is_information_centre(user):
        raise AssessmentError("只有市信息中心可以推进考评阶段")
    with public_schema(), transaction.atomic():
        round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
        following = _NEXT.get(Stage(round_.stage))
        if following is None:
            raise AssessmentError(f"当前阶段（{round_.get_stage_display()}）不能用此操作推进")
        round_.stage = following
        round_.stage_changed_at = now
        round_.save(update_fields=["stage", "stage_changed_at"])
    return round_


def _in_stage(round_: AssessmentRound, stage: str, action: str) -> None:
    if round_.stage != stage:
        raise AssessmentError(f"{action}只能在“{Stage(stage).label}”阶段进行，当前阶段为“{round_.get_stage_display()}”")


def _spec_of(score: IndicatorScore) -> IndicatorSpec:
    spec = selectors.scheme_spec(score.assessment.round.scheme)
    for leaf in spec.leaves():
        if leaf.id == score.indicator_id:
            return leaf
    raise AssessmentError("指标不存在")


def _locked_score(score_id: int) -> IndicatorScore:
    return (
        IndicatorScore.objects.select_for_update(of=("self",))
        .select_related("indicator", "assessment__unit", "assessment__round__scheme")
        .get(pk=score_id)
    )


def parse_points(value, *, low: float, high: float) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AssessmentError("分数须为数字") from exc
    if not points.is_finite() or points < Decimal(str(low)) or points > Decimal(str(high)):
        raise AssessmentError(f"分数须在 {points_text(low)} 到 {points_text(high)} 之间")
    return points.quantize(Decimal("0.01"))


def submit_self_assessment(
    *,
    score_id: int,
    unit,
    actor: str,
    points,
    text: str = "",
    url: str = "",
    file=None,
    now: datetime | None = None,
) -> IndicatorScore:
    """The unit's own score of a self-assessed leaf, with evidence (说明, 网址 or 附件), in the 自评 stage."""
    now = _now(now)
    with public_schema(), transaction.atomic():
        score = _locked_score(score_id)
        if score.assessment.unit_id != unit.pk:
            raise AssessmentError("只能为本单位自评")
        _in_stage(score.assessment.round, Stage.SELF, "自评")
        if score.indicator.kind != IndicatorKind.SELF_ASSESSED:
            raise AssessmentError("该指标不由单位自评")
        text, url = (text or "").strip(), (url or "").strip()
        if not (text or url or file or score.self_file):
            raise AssessmentError("请提供证明材料：说明、网址或附件至少一项")
        if file is not None:
            name = file.name.lower()
            if not name.endswith(EVIDENCE_EXTENSIONS):
                raise AssessmentError("附件须为 PDF、图片、Word、Excel、OFD 或 ZIP 文件")
            if file.size > EVIDENCE_MAX_BYTES:
                raise AssessmentError("附件不能超过 10 MB")
        score.self_points = parse_points(points, low=0, high=float(score.indicator.max_points))
        score.self_text, score.self_url = text, url
        if file is not None:
            score.self_file.save(file.name, file, save=False)
        score.self_by, score.self_at = actor, now
        score.save(update_fields=["self_points", "self_text", "self_url", "self_file", "self_by", "self_at"])
        _store(
            score,
            effective_result(score, _spec_of(score)),
            actor=actor,
            actor_unit=unit.code,
            reason=f"单位自评：{text or url or '见附件'}",
            at=now,
        )
        assessment = score.assessment
        assessment.self_submitted_at, assessment.self_submitted_by = now, actor
        assessment.save(update_fields=["self_submitted_at", "self_submitted_by"])
        _recompute_totals(assessment.round, actor=actor, actor_unit=unit.code, reason="单位自评", at=now)
    return score


def enter_expert_score(
    *,
    score_id: int,
    user,
    defects: list[tuple[str, int]] | None = None,
    points=None,
    reason: str = "",
    now: datetime | None = None,
) -> IndicatorScore:
    """An expert's score of an entered leaf (defects from the 缺陷库; points with a reason for a bonus),
    or the confirmation of a self-assessed leaf, in the 专家评分 stage."""
    now = _now(now)
    if not selectors.is_expert(user):
        raise AssessmentError("只有考评专家可以评分")
    actor = actor_label(user)
    reason = (reason or "").strip()
    with public_schema(), transaction.atomic():
        score = _locked_score(score_id)
        _in_stage(score.assessment.round, Stage.EXPERT, "专家评分")
        indicator = score.indicator
        spec = _spec_of(score)
        if indicator.kind == IndicatorKind.COMPUTED:
            raise AssessmentError("平台数据计算的指标不由专家评分；有异议的可在复核阶段调整")
        library = {defect.code: defect for defect in selectors.defects_for(indicator)}
        chosen = []
        for code, count in defects or []:
            defect = library.get(code)
            if defect is None:
                raise AssessmentError(f"缺陷库中没有适用于本指标的缺陷「{code}」")
            if count < 1:
                raise AssessmentError("缺陷的次数至少为 1")
            chosen.append(
                {
                    "code": code,
                    "description": defect.description,
                    "points": str(defect.points),
                    "count": count,
                    "veto": defect.veto,
                }
            )
        if indicator.kind == IndicatorKind.ENTERED and spec.awards:
            score.expert_points = parse_points(points, low=0, high=spec.max_points)
            if not reason:
                raise AssessmentError("评定加分须说明理由")
            score.expert_defects = None
        elif indicator.kind == IndicatorKind.ENTERED:
            if any(item["veto"] for item in chosen) and spec.role != IndicatorRole.VETO:
                raise AssessmentError("构成单项否决的缺陷只能用于单项否决指标")
            score.expert_defects = chosen
            score.expert_points = None
        else:
            claimed = float(score.self_points) if score.self_points is not None else 0.0
            if points in (None, ""):
                deduction = sum(float(item["points"]) * item["count"] for item in chosen)
                confirmed = _dec(max(0.0, claimed - deduction))
            else:
                confirmed = parse_points(points, low=0, high=spec.max_points)
            if chosen:
                cited = "；".join(f"{item['code']} {item['description']}" for item in chosen)
                reason = f"{cited}。{reason}" if reason else cited
            if score.self_points is not None and confirmed != score.self_points and not reason:
                raise AssessmentError("核定分与单位自评分不同，须说明理由")
            score.expert_points = confirmed
            score.expert_defects = chosen
        score.expert_reason = reason
        score.expert_by, score.expert_at = actor, now
        score.save(update_fields=["expert_points", "expert_defects", "expert_reason", "expert_by", "expert_at"])
        result = effective_result(score, spec)
        _store(score, result, actor=actor, actor_unit="", reason="专家评分：" + "；".join(result.reasons), at=now)
        _recompute_totals(score.assessment.round, actor=actor, reason="专家评分", at=now)
    return score


def contest_score(*, score_id: int, unit, actor: str, reason: str, now: datetime | None = None) -> ScoreContest:
    """复核: the unit contests one item, once, with a reason, in the 复核 stage."""
    now = _now(now)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AssessmentError("请写明申请复核的理由（不少于 5 个字）")
    with public_schema(), transaction.atomic():
        score = _locked_score(score_id)
        if score.assessment.unit_id != unit.pk:
            raise AssessmentError("只能对本单位的得分申请复核")
        _in_stage(score.assessment.round, Stage.REVIEW, "申请复核")
        if ScoreContest.objects.filter(score=score).exists():
            raise AssessmentError("每个指标只能申请一次复核，该指标已申请过")
        contest = ScoreContest.objects.create(score=score, reason=reason, raised_by=actor, raised_at=now)
        _audit(
            assessment=score.assessment,
            score=score,
            field=f"{score.indicator.code} {score.indicator.name}",
            old=f"{points_text(float(score.points))} 分",
            new="申请复核",
            reason=reason,
            actor=actor,
            actor_unit=unit.code,
            at=now,
        )
    return contest


def answer_contest(
    *, contest_id: int, user, upheld: bool, answer: str, new_points=None, now: datetime | None = None
) -> ScoreContest:
    """The expert's or the centre's answer to a 复核 request: upheld, or the item's points changed."""
    now = _now(now)
    if not selectors.is_expert(user):
        raise AssessmentError("只有考评专家或市信息中心可以答复复核申请")
    answer = (answer or "").strip()
    if not answer:
        raise AssessmentError("请填写复核答复")
    actor = actor_label(user)
    with public_schema(), transaction.atomic():
        contest = ScoreContest.objects.select_for_update().get(pk=contest_id)
        if contest.answered_at is not None:
            raise AssessmentError("该复核申请已经答复")
        score = _locked_score(contest.score_id)
        _in_stage(score.assessment.round, Stage.REVIEW, "答复复核")
        spec = _spec_of(score)
        contest.answer, contest.upheld = answer, upheld
        contest.answered_by, contest.answered_at = actor, now
        if not upheld:
            if new_points in (None, ""):
                raise AssessmentError("调整评分须填写调整后的得分")
            low = -spec.max_points if spec.role == IndicatorRole.VOTE else 0.0
            contest.new_points = parse_points(new_points, low=low, high=spec.max_points)
            score.override_points, score.override_reason = contest.new_points, answer
            score.save(update_fields=["override_points", "override_reason"])
        contest.save()
        if upheld:
            _audit(
                assessment=score.assessment,
                score=score,
                field=f"{score.indicator.code} {score.indicator.name}",
                old=f"{points_text(float(score.points))} 分",
                new=f"{points_text(float(score.points))} 分（维持）",
                reason=f"复核维持原评分：{answer}",
                actor=actor,
                actor_unit="",
                at=now,
            )
        else:
            _store(score, effective_result(score, spec), actor=actor, actor_unit="", reason=f"复核调整：{answer}", at=now)
            _recompute_totals(score.assessment.round, actor=actor, reason="复核调整", at=now)
    return contest


def finalize_round(*, round_: AssessmentRound, user, now: datetime | None = None) -> AssessmentRound:
    """最终得分: the last computation, every total, grade and rank; then to the leading group for approval."""
    now = _now(now)
    if not is_information_centre(user):
        raise AssessmentError("只有市信息中心可以确定最终得分")
    with public_schema():
        round_ = AssessmentRound.objects.select_related("scheme").get(pk=round_.pk)
        _in_stage(round_, Stage.REVIEW, "确定最终得分")
        pending = selectors.pending_counts(round_)
        problems = []
        if pending["contests_open"]:
            problems.append(f"尚有 {pending['contests_open']} 项复核申请未答复")
        if pending["expert"]:
            problems.append(f"尚有 {pending['expert']} 项专家评分未完成")
        if pending["self_unconfirmed"]:
            problems.append(f"尚有 {pending['self_unconfirmed']} 项单位自评未经专家核定")
        if problems:
            raise AssessmentError("不能确定最终得分：" + "；".join(problems))
        _refresh_opened(round_, now)
        with transaction.atomic():
            round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
            IndicatorScore.objects.filter(assessment__round=round_).update(provisional=False)
            actor = actor_label(user)
            _recompute_totals(round_, actor=actor, reason="确定最终得分", at=now)
            round_.stage, round_.stage_changed_at, round_.finalized_at = Stage.FINAL, now, now
            round_.returned_reason = ""
            round_.save(update_fields=["stage", "stage_changed_at", "finalized_at", "returned_reason"])
    return round_


def approve_round(*, round_: AssessmentRound, user, opinion: str = "", now: datetime | None = None) -> AssessmentRound:
    """The 政务公开领导小组 approves the final results (第九条)."""
    now = _now(now)
    if not selectors.is_leading_group(user):
        raise AssessmentError("只有政务公开领导小组成员可以审定考评结果")
    with public_schema(), transaction.atomic():
        round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
        _in_stage(round_, Stage.FINAL, "审定")
        round_.stage, round_.stage_changed_at = Stage.APPROVED, now
        round_.approved_at, round_.approved_by = now, actor_label(user)
        round_.approval_opinion = (opinion or "").strip() or "同意公布"
        round_.save()
    return round_


def return_round(*, round_: AssessmentRound, user, reason: str, now: datetime | None = None) -> AssessmentRound:
    """The leading group sends the results back to 复核 with a reason."""
    now = _now(now)
    if not selectors.is_leading_group(user):
        raise AssessmentError("只有政务公开领导小组成员可以退回考评结果")
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("请写明退回理由")
    with public_schema(), transaction.atomic():
        round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
        _in_stage(round_, Stage.FINAL, "退回")
        round_.stage, round_.stage_changed_at, round_.returned_reason = Stage.REVIEW, now, reason
        round_.finalized_at = None
        round_.save()
    return round_


def publish_round(*, round_: AssessmentRound, user, now: datetime | None = None) -> AssessmentRound:
    """Publication on the portal (第九条：考核结果将向社会公开), after the leading group's approval."""
    now = _now(now)
    if not is_information_centre(user):
        raise AssessmentError("只有市信息中心可以公布考评结果")
    with public_schema(), transaction.atomic():
        round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
        if round_.stage != Stage.APPROVED:
            raise AssessmentError("考评结果须经政务公开领导小组审定后才能公布")
        round_.stage, round_.stage_changed_at = Stage.PUBLISHED, now
        round_.published_at, round_.published_by = now, actor_label(user)
        round_.save()
    return round_
