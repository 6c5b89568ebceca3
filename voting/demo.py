"""Demo data of the public vote (called by the demo app's seed_demo): an open period for the current month,
a few hundred plausible votes over the last days, one planted burst, today's snapshot and the checks.

The voters' numbers and addresses are invented (random, from a fixed seed) and stored only as hashes, as
every vote is; the planted burst (25 votes for the first unit within eight minutes, yesterday afternoon)
is what the vote log then shows flagged, ready to be annulled.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from . import identity, selectors, services
from .models import Answer, PeriodStatus, Vote, VotePeriod

PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "153", "158", "159", "180", "186", "188", "189")
COMMENTS = (
    "信息更新很及时",
    "办事指南写得清楚，材料清单一目了然",
    "希望多发布政策解读",
    "网站在手机上打开有点慢",
    "留言答复很快，点赞",
    "部分栏目内容较旧，建议更新",
    "",
)
DAYS = 8
BURST_SIZE = 25


def _number(rng: random.Random) -> str:
    return rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}"


def _address(rng: random.Random) -> str:
    return f"{rng.choice((113, 116, 120, 183, 219, 222))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _period(today: date) -> VotePeriod:
    period = selectors.open_period()
    if period is not None:
        return period
    start = min(today.replace(day=1), today - timedelta(days=DAYS - 1))
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return VotePeriod.objects.create(
        title=f"{today.year}年{today.month}月政府网站公众满意度投票",
        note="请对各单位政府网站的信息发布、办事服务和互动交流作出评价。",
        starts_on=start,
        ends_on=end,
        status=PeriodStatus.OPEN,
    )


def seed(*, now: datetime) -> VotePeriod:
    """The open period with its votes (once: a period that already has votes is left as it is)."""
    today = timezone.localdate(now)
    period = _period(today)
    if Vote.objects.filter(period=period).exists():
        return period
    units = list(selectors.ballot_units())
    if not units:
        return period
    rng = random.Random(20260508)
    zone = timezone.get_current_timezone()
    voters = [(_number(rng), _address(rng)) for _ in range(300)]
    # Each unit's share of 满意 / 基本满意 / 不满意.
    profiles = {unit.pk: (0.5 + 0.3 * rng.random(), 0.15 + 0.1 * rng.random()) for unit in units}
    votes: list[Vote] = []
    seen: set[tuple[str, int, date]] = set()

    def add(*, unit_id: int, mobile: str, ip: str, at: datetime, answer: str, comment: str = "") -> None:
        day = timezone.localdate(at)
        if (mobile, unit_id, day) in seen or day < period.starts_on:
            return
        seen.add((mobile, unit_id, day))
        keys = identity.voter_keys(mobile=mobile, ip=ip)
        votes.append(
            Vote(
                period=period,
                unit_id=unit_id,
                answer=answer,
                comment=services.clean_text(comment, max_length=300),
                voted_on=day,
                created_at=at,
                identity_hash=keys.identity_hash,
                block_hash=keys.block_hash,
                block_suffix=keys.block_suffix,
                ip_hash=keys.ip_hash,
                network_hash=keys.network_hash,
            )
        )

    for offset in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        opening = timezone.make_aware(datetime.combine(day, time(8)), zone)
        closing = min(timezone.make_aware(datetime.combine(day, time(22)), zone), now)
        if closing <= opening:
            continue
        span = int((closing - opening).total_seconds())
        for unit in units:
            satisfied, basic = profiles[unit.pk]
            for _ in range(rng.randint(6, 14)):
                mobile, ip = rng.choice(voters)
                roll = rng.random()
                answer = (
                    Answer.SATISFIED if roll < satisfied else Answer.BASIC if roll < satisfied + basic else Answer.UNSATISFIED
                )
                comment = rng.choice(COMMENTS) if rng.random() < 0.2 else ""
                add(
                    unit_id=unit.pk,
                    mobile=mobile,
                    ip=ip,
                    at=opening + timedelta(seconds=rng.randrange(span)),
                    answer=answer,
                    comment=comment,
                )

    # The planted burst: fresh numbers, each from its own address, for one unit within eight minutes.
    burst_start = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(15, 2)), zone)
    for index in range(BURST_SIZE):
        add(
            unit_id=units[0].pk,
            mobile=_number(rng),
            ip=_address(rng),
            at=burst_start + timedelta(seconds=index * 19),
            answer=Answer.SATISFIED,
        )
    Vote.objects.bulk_create(votes, batch_size=1000)
    services.take_snapshot(period_id=period.pk, now=now)
    services.check_anomalies(period_id=period.pk, now=now)
    return period
