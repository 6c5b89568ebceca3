"""Writes of 评比 (第十条): the centre sets a contest up, units nominate pages of their own sites within the
nomination window, named jury members score every nomination on every criterion (revisable until scoring
closes), and the centre publishes the results. Every step leaves a trail (who, when, what)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from tenants.context import current_unit, in_public_schema, public_schema

from . import results, selectors
from .log_actions import label_of
from .models import Contest, ContestEvent, Criterion, Nomination, Phase, Prize, Score

MAX_TEXT = 5000
PRIZES = {results.FIRST: Prize.FIRST, results.SECOND: Prize.SECOND, results.THIRD: Prize.THIRD, "": ""}


def actor_name(user) -> str:
    if user is None:
        return "系统"
    full = (user.get_full_name() or "").strip()
    username = user.get_username()
    return f"{full}（{username}）" if full and full != username else username


def _record(
    *,
    contest: Contest,
    action: str,
    user,
    comment: str = "",
    nomination: Nomination | None = None,
    unit_name: str = "",
    at: datetime | None = None,
) -> None:
    """The app's own trail (public schema) and Wagtail's audit log of the schema the user belongs to."""
    at = at or timezone.now()
    with public_schema():
        ContestEvent.objects.create(
            contest=contest,
            nomination_title=nomination.title if nomination is not None else "",
            action=action,
            actor=actor_name(user),
            actor_unit=unit_name,
            at=at,
            comment=comment,
        )
    log(instance=contest, action=action, user=user, timestamp=at, data={"comment": comment, "what": label_of(action)})


def _text(value: str, *, label: str, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > max_length:
        raise ValidationError(f"{label}不超过 {max_length} 个字")
    return value


def _require_centre(user) -> None:
    if not in_public_schema() or not selectors.can_manage(user):
        raise PermissionDenied("仅市信息中心管理员可以进行此操作")


# --- the centre sets a contest up ---------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    max_points: int


_CRITERION_LINE = re.compile(r"^(?P<name>.+?)[\s:：,，|]+(?P<points>\d{1,3})\s*分?$")


def parse_criteria(text: str) -> list[CriterionSpec]:
    """One criterion per line: “内容完整准确 40” (a name, then its maximum points)."""
    specs: list[CriterionSpec] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _CRITERION_LINE.match(line)
        if match is None:
            raise ValidationError(f"第 {number} 行“{line}”格式应为：评分项名称 满分，例如“内容完整准确 40”")
        name, points = match["name"].strip(), int(match["points"])
        if not 1 <= points <= 100:
            raise ValidationError(f"第 {number} 行：满分须为 1–100 分")
        if len(name) > 60:
            raise ValidationError(f"第 {number} 行：评分项名称不超过 60 个字")
        if any(spec.name == name for spec in specs):
            raise ValidationError(f"评分项“{name}”重复")
        specs.append(CriterionSpec(name=name, max_points=points))
    if not specs:
        raise ValidationError("请至少设置一个评分项")
    return specs


@dataclass(frozen=True)
class ContestSpec:
    title: str
    theme: str
    year: int
    nomination_opens_at: datetime
    nomination_closes_at: datetime
    scoring_closes_at: datetime
    criteria: list[CriterionSpec]
    jury_ids: list[int]
    first_prizes: int = 1
    second_prizes: int = 2
    third_prizes: int = 3
    max_nominations_per_unit: int = 1


def _checked(spec: ContestSpec) -> list:
    _text(spec.title, label="评比名称", max_length=120)
    _text(spec.theme, label="评比主题与要求")
    if not (2000 <= spec.year <= 2100):
        raise ValidationError("年度无效")
    if not spec.nomination_opens_at < spec.nomination_closes_at < spec.scoring_closes_at:
        raise ValidationError("时间须依次为：申报开始早于申报截止，申报截止早于评审截止")
    if spec.first_prizes + spec.second_prizes + spec.third_prizes < 1:
        raise ValidationError("请至少设置一个获奖名额")
    if not spec.criteria:
        raise ValidationError("请至少设置一个评分项")
    ids = set(spec.jury_ids)
    if not ids:
        raise ValidationError("请至少指定一名评委")
    members = list(selectors.experts().filter(pk__in=ids))
    if len(members) != len(ids):
        raise ValidationError("评委须为“考评专家”组的成员")
    return members


def create_contest(*, user, spec: ContestSpec) -> Contest:
    _require_centre(user)
    with public_schema(), transaction.atomic():
        members = _checked(spec)
        contest = Contest.objects.create(
            title=spec.title.strip(),
            theme=spec.theme.strip(),
            year=spec.year,
            nomination_opens_at=spec.nomination_opens_at,
            nomination_closes_at=spec.nomination_closes_at,
            scoring_closes_at=spec.scoring_closes_at,
            first_prizes=spec.first_prizes,
            second_prizes=spec.second_prizes,
            third_prizes=spec.third_prizes,
            max_nominations_per_unit=spec.max_nominations_per_unit,
            created_by_name=actor_name(user),
            created_at=timezone.now(),
        )
        Criterion.objects.bulk_create(
            Criterion(contest=contest, name=c.name, max_points=c.max_points, position=i) for i, c in enumerate(spec.criteria)
        )
        contest.jury.set(members)
        _record(
            contest=contest,
            action="contests.created",
            user=user,
            comment=f"评分项 {len(spec.criteria)} 项；评委：{'、'.join(selectors.juror_name(m) for m in members)}",
        )
    return contest


def update_contest(*, contest_id: int, user, spec: ContestSpec, now: datetime | None = None) -> Contest:
    """Until the results are published; the criteria only until nominations close (scoring starts then)."""
    _require_centre(user)
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise ValidationError("该评比不存在")
        if contest.published_at is not None:
            raise ValidationError("评比结果已公布，不能再修改")
        members = _checked(spec)
        current = [CriterionSpec(name=c.name, max_points=c.max_points) for c in contest.criteria.all()]
        criteria_changed = current != list(spec.criteria)
        if criteria_changed and contest.phase(now) not in (Phase.UPCOMING, Phase.NOMINATING):
            raise ValidationError("申报截止后评审已开始，不能再修改评分项")
        for name in (
            "nomination_opens_at",
            "nomination_closes_at",
            "scoring_closes_at",
            "first_prizes",
            "second_prizes",
            "third_prizes",
            "max_nominations_per_unit",
            "year",
        ):
            setattr(contest, name, getattr(spec, name))
        contest.title, contest.theme = spec.title.strip(), spec.theme.strip()
        contest.save()
        if criteria_changed:
            contest.criteria.all().delete()
            Criterion.objects.bulk_create(
                Criterion(contest=contest, name=c.name, max_points=c.max_points, position=i) for i, c in enumerate(spec.criteria)
            )
        contest.jury.set(members)
        _record(
            contest=contest,
            action="contests.edited",
            user=user,
            comment=f"评委：{'、'.join(selectors.juror_name(m) for m in members)}"
            + ("；评分项已修改" if criteria_changed else ""),
        )
    return contest


# --- units nominate ----------------------------------------------------------------------------


def check_unit_url(*, unit, url: str) -> str:
    """The URL of a page of the unit's own site (one of its domains), or a clear refusal."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("请填写以 http:// 或 https:// 开头的完整网址")
    own = selectors.unit_hostnames(unit=unit)
    if parts.hostname.lower() not in own:
        names = "、".join(sorted(own)) or "（无）"
        raise ValidationError(f"申报网址须为本单位网站上的页面（{names}），“{parts.hostname}”不是本单位的网站")
    return url


def nominate(*, contest_id: int, user, title: str, url: str, statement: str, now: datetime | None = None) -> Nomination:
    """Runs in the unit's schema: its 第一责任人, 分管领导 or 单位管理员 nominates a page of its own site."""
    unit = current_unit()
    if unit is None:
        raise PermissionDenied("请在本单位后台申报")
    if not selectors.can_nominate(user):
        raise PermissionDenied("仅本单位第一责任人、分管领导或单位管理员可以申报")
    title = _text(title, label="作品名称", max_length=200)
    statement = _text(statement, label="申报说明")
    url = check_unit_url(unit=unit, url=url)
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise ValidationError("该评比不存在")
        if contest.phase(now) != Phase.NOMINATING:
            raise ValidationError(f"该评比当前为“{Phase(contest.phase(now)).label}”，不在申报时间内")
        if contest.nominations.filter(unit_id=unit.pk).count() >= contest.max_nominations_per_unit:
            raise ValidationError(f"每个单位最多申报 {contest.max_nominations_per_unit} 个作品")
        if contest.nominations.filter(url=url).exists():
            raise ValidationError("该网址已经申报")
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(
                    contest=contest,
                    unit_id=unit.pk,
                    title=title,
                    url=url,
                    statement=statement,
                    submitted_by=actor_name(user),
                    submitted_at=now,
                )
        except IntegrityError as exc:
            raise ValidationError("该网址已经申报") from exc
    _record(
        contest=contest, action="contests.nominated", user=user, nomination=nomination, comment=url, unit_name=unit.name, at=now
    )
    return nomination


def withdraw_nomination(*, nomination_id: int, user, now: datetime | None = None) -> None:
    unit = current_unit()
    if unit is None or not selectors.can_nominate(user):
        raise PermissionDenied("仅本单位第一责任人、分管领导或单位管理员可以撤回申报")
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        nomination = Nomination.objects.select_for_update().select_related("contest").filter(pk=nomination_id).first()
        if nomination is None or nomination.unit_id != unit.pk:
            raise PermissionDenied("该申报不属于本单位")
        contest = nomination.contest
        if contest.phase(now) != Phase.NOMINATING:
            raise ValidationError("申报已截止，不能撤回")
        nomination.delete()
    _record(contest=contest, action="contests.withdrawn", user=user, nomination=nomination, unit_name=unit.name, at=now)


# --- the jury scores ------------------------------------------------------------------------------


def score_nomination(*, nomination_id: int, user, points: Mapping[int, int], now: datetime | None = None) -> list[Score]:
    """A jury member's points for every criterion of one nomination: once each, revisable until scoring closes."""
    now = now or timezone.now()
    if not in_public_schema():
        raise PermissionDenied("请在市信息中心后台评分")
    with public_schema(), transaction.atomic():
        nomination = Nomination.objects.select_related("contest").filter(pk=nomination_id).first()
        if nomination is None:
            raise ValidationError("该作品不存在")
        contest = nomination.contest
        if not selectors.is_juror(user=user, contest=contest):
            raise PermissionDenied("您不是该评比的评委")
        phase = contest.phase(now)
        if phase != Phase.SCORING:
            raise ValidationError(f"该评比当前为“{Phase(phase).label}”，不在评审时间内")
        criteria = list(contest.criteria.all())
        given = {int(key): value for key, value in points.items()}
        if set(given) != {c.pk for c in criteria}:
            raise ValidationError("请为每个评分项打分")
        saved, revised = [], False
        for criterion in criteria:
            value = given[criterion.pk]
            if value is None or not isinstance(value, int) or not (0 <= value <= criterion.max_points):
                raise ValidationError(f"“{criterion.name}”的得分须为 0–{criterion.max_points} 的整数")
            score = Score.objects.select_for_update().filter(nomination=nomination, criterion=criterion, juror=user).first()
            if score is None:
                score = Score.objects.create(
                    nomination=nomination, criterion=criterion, juror=user, points=value, created_at=now, updated_at=now
                )
            else:
                revised = True
                score.points, score.updated_at = value, now
                score.save(update_fields=["points", "updated_at"])
            saved.append(score)
        # The trail says who scored what, never the points: they stay hidden until publication.
        _record(
            contest=contest,
            action="contests.rescored" if revised else "contests.scored",
            user=user,
            nomination=nomination,
            comment=f"{nomination.unit.name}：{nomination.title}",
            at=now,
        )
    return saved


# --- the centre publishes ---------------------------------------------------------------------


def _missing(*, contest: Contest, members: Iterable, nominations: list[Nomination], criteria: list[Criterion]) -> list[str]:
    have = set(
        Score.objects.filter(nomination__contest=contest, juror__in=members).values_list(
            "juror_id", "nomination_id", "criterion_id"
        )
    )
    lines = []
    for member in members:
        gaps = [n for n in nominations if any((member.pk, n.pk, c.pk) not in have for c in criteria)]
        if gaps:
            lines.append(f"{selectors.juror_name(member)}（{len(gaps)} 个作品）")
    return lines


def publish_results(*, contest_id: int, user, now: datetime | None = None) -> Contest:
    """Once scoring has closed and every jury member scored every nomination: means, ranks, prizes, published."""
    _require_centre(user)
    now = now or timezone.now()
    with public_schema(), transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise ValidationError("该评比不存在")
        phase = contest.phase(now)
        if phase == Phase.PUBLISHED:
            raise ValidationError("评比结果已公布")
        if phase != Phase.CLOSED:
            raise ValidationError(f"评审截止（{timezone.localtime(contest.scoring_closes_at):%Y-%m-%d %H:%M}）后才能公布结果")
        nominations = list(contest.nominations.select_related("unit"))
        if not nominations:
            raise ValidationError("没有申报作品，不能公布结果")
        members = list(contest.jury.all())
        if not members:
            raise ValidationError("没有评委，不能公布结果")
        criteria = list(contest.criteria.all())
        missing = _missing(contest=contest, members=members, nominations=nominations, criteria=criteria)
        if missing:
            raise ValidationError("以下评委尚未完成评分：" + "、".join(missing))
        totals: dict[int, list[int]] = {n.pk: [] for n in nominations}
        per_juror: dict[tuple[int, int], int] = {}
        for nomination_id, juror_id, points in Score.objects.filter(nomination__contest=contest, juror__in=members).values_list(
            "nomination_id", "juror_id", "points"
        ):
            per_juror[(nomination_id, juror_id)] = per_juror.get((nomination_id, juror_id), 0) + points
        for (nomination_id, _juror_id), total in per_juror.items():
            totals[nomination_id].append(total)
        ranked = {
            result.key: result
            for result in results.rank(
                totals, first=contest.first_prizes, second=contest.second_prizes, third=contest.third_prizes
            )
        }
        for nomination in nominations:
            result = ranked[nomination.pk]
            nomination.mean_score, nomination.rank, nomination.prize = result.mean, result.rank, PRIZES[result.prize]
        Nomination.objects.bulk_update(nominations, ["mean_score", "rank", "prize"])
        contest.published_at = now
        contest.published_by_name = actor_name(user)
        contest.save(update_fields=["published_at", "published_by_name"])
        winners = sum(1 for n in nominations if n.prize)
        _record(
            contest=contest,
            action="contests.published",
            user=user,
            comment=f"作品 {len(nominations)} 个，获奖 {winners} 个",
            at=now,
        )
    return contest
