"""Writes of the public vote: the SMS code and the vote, the daily snapshot, the anomaly flags, annulment.

Every refusal is a ValidationError with a Chinese message and a `code` the views and tests read:
period_not_open, unknown_unit, bad_answer, bad_phone, already_voted, sms_failed, unknown_token, used,
expired, too_many_attempts, wrong_code, bad_reason, nothing_to_annul.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from wagtail.log_actions import log

from moderation.secrecy import mask_personal_numbers
from tenants.admin import is_information_centre

from . import identity, selectors, sms
from .anomalies import DEFAULT_THRESHOLDS, AnomalyReport, Thresholds, VoteRecord, find_anomalies
from .models import COMMENT_MAX_LENGTH, Annulment, Answer, PendingVote, PeriodStatus, Vote, VotePeriod, VoteTally

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
CODE_LENGTH = 6
PENDING_RETENTION = timedelta(days=1)
REASON_MAX_LENGTH = 500

# Control characters (C0, C1, DEL) and invisible format characters; newlines and tabs are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_text(value: str, *, max_length: int) -> str:
    """Free text as stored: control characters removed, personal numbers masked, trimmed and capped."""
    text = _CONTROL.sub("", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return mask_personal_numbers(text.strip())[:max_length].strip()


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _today(now: datetime) -> date:
    return timezone.localdate(now)


# --- the vote --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSent:
    """A code was sent: the token the form carries to the next step, and where it went (masked)."""

    token: str
    masked_phone: str
    expires_at: datetime
    unit_name: str


def _open_period(period_id: int | None, today: date) -> VotePeriod:
    period = selectors.get_period(period_id=period_id) if period_id else None
    if period is None or not period.accepts_votes_on(today):
        raise _refuse("本期网站考评投票未开放或已经结束，欢迎查看已公布的投票结果", "period_not_open")
    return period


def request_code(
    *,
    period_id: int | None,
    unit_id: int | None,
    answer: str,
    comment: str = "",
    phone: str,
    ip: str | None,
    now: datetime | None = None,
) -> CodeSent:
    """Check the ballot, then send a 6-digit code to the number; the vote waits (PendingVote) for the code."""
    now = now or timezone.now()
    today = _today(now)
    period = _open_period(period_id, today)
    unit = selectors.ballot_unit(unit_id=unit_id) if unit_id else None
    if unit is None:
        raise _refuse("请选择要评价的单位", "unknown_unit")
    if answer not in Answer.values:
        raise _refuse("请选择满意、基本满意或不满意", "bad_answer")
    mobile = identity.normalise_mobile(phone)
    if mobile is None:
        raise _refuse("请输入 11 位手机号码（以 1 开头）", "bad_phone")
    keys = identity.voter_keys(mobile=mobile, ip=ip)
    if Vote.objects.filter(identity_hash=keys.identity_hash, unit=unit, voted_on=today).exists():
        raise _refuse(f"该手机号码今天已为{unit.name}投过票，每个号码每天可为每个单位投一票，欢迎明天再来", "already_voted")
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Only the newest code of a number for a unit is valid.
        PendingVote.objects.filter(identity_hash=keys.identity_hash, unit=unit, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        PendingVote.objects.create(
            token_hash=identity.token_hash(token),
            code_hash=identity.code_hash(token=token, code=code),
            period=period,
            unit=unit,
            answer=answer,
            comment=clean_text(comment, max_length=COMMENT_MAX_LENGTH),
            identity_hash=keys.identity_hash,
            block_hash=keys.block_hash,
            block_suffix=keys.block_suffix,
            ip_hash=keys.ip_hash,
            network_hash=keys.network_hash,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        try:
            sms.get_backend().send_code(phone=mobile, code=code)
        except sms.SmsError as exc:
            logger.warning("voting: the SMS gateway refused a code: %s", exc)
            transaction.set_rollback(True)
            raise _refuse("验证码短信发送失败，请稍后再试", "sms_failed") from exc
    return CodeSent(token=token, masked_phone=identity.mask_mobile(mobile), expires_at=now + CODE_TTL, unit_name=unit.name)


def _normalise_code(value: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))


def confirm_vote(*, token: str, code: str, now: datetime | None = None) -> Vote:
    """Record the pending vote if `code` is its SMS code (5 minutes, MAX_ATTEMPTS tries)."""
    now = now or timezone.now()
    refusal: ValidationError | None = None
    with transaction.atomic():
        pending = (
            PendingVote.objects.select_for_update()
            .select_related("unit")
            .filter(token_hash=identity.token_hash(token or ""))
            .first()
        )
        if pending is None:
            raise _refuse("验证信息已失效，请重新填写投票并获取验证码", "unknown_token")
        if pending.used_at is not None:
            raise _refuse("该验证码已经使用过，如需为其他单位投票请重新填写", "used")
        if pending.attempts >= MAX_ATTEMPTS:
            raise _refuse("验证码输入错误次数过多，请重新获取验证码", "too_many_attempts")
        if now >= pending.expires_at:
            raise _refuse("验证码已过期（有效期 5 分钟），请重新获取验证码", "expired")
        typed = _normalise_code(code)
        expected = pending.code_hash
        if not (len(typed) == CODE_LENGTH and typed.isdigit()) or not hmac.compare_digest(
            identity.code_hash(token=token, code=typed), expected
        ):
            # The failed attempt is counted (and committed) before the refusal is raised.
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - pending.attempts
            refusal = (
                _refuse(f"验证码不正确，还可以再输入 {left} 次", "wrong_code")
                if left
                else _refuse("验证码输入错误次数过多，请重新获取验证码", "too_many_attempts")
            )
        else:
            vote = _record(pending, now=now)
    if refusal is not None:
        raise refusal
    return vote


def _record(pending: PendingVote, *, now: datetime) -> Vote:
    today = _today(now)
    period = VotePeriod.objects.get(pk=pending.period_id)
    if not period.accepts_votes_on(today):
        raise _refuse("本期网站考评投票已经结束，您的投票未能记录", "period_not_open")
    pending.used_at = now
    pending.save(update_fields=["used_at"])
    try:
        with transaction.atomic():
            return Vote.objects.create(
                period=period,
                unit_id=pending.unit_id,
                answer=pending.answer,
                comment=pending.comment,
                voted_on=today,
                created_at=now,
                identity_hash=pending.identity_hash,
                block_hash=pending.block_hash,
                block_suffix=pending.block_suffix,
                ip_hash=pending.ip_hash,
                network_hash=pending.network_hash,
            )
    except IntegrityError as exc:
        raise _refuse(
            f"该手机号码今天已为{pending.unit.name}投过票，每个号码每天可为每个单位投一票，欢迎明天再来", "already_voted"
        ) from exc


# --- the daily snapshot ----------------------------------------------------------------------------


def snapshot_through(*, period: VotePeriod, today: date) -> date | None:
    """The last day the published snapshot may count: yesterday while voting runs, the last day after."""
    if period.status == PeriodStatus.DRAFT:
        return None
    running = period.status == PeriodStatus.OPEN and today <= period.ends_on
    through = today - timedelta(days=1) if running else period.ends_on
    return through if through >= period.starts_on else None


def take_snapshot(*, period_id: int, now: datetime | None = None) -> int:
    """Recount the period's completed days into VoteTally (what the portal publishes); the number of rows."""
    now = now or timezone.now()
    period = VotePeriod.objects.get(pk=period_id)
    through = snapshot_through(period=period, today=_today(now))
    rows = []
    if through is not None:
        counts = (
            Vote.objects.filter(period=period, voted_on__lte=through)
            .values("unit_id", "voted_on")
            .annotate(
                satisfied=Count("id", filter=Q(answer=Answer.SATISFIED, annulment__isnull=True)),
                basic=Count("id", filter=Q(answer=Answer.BASIC, annulment__isnull=True)),
                unsatisfied=Count("id", filter=Q(answer=Answer.UNSATISFIED, annulment__isnull=True)),
                annulled=Count("id", filter=Q(annulment__isnull=False)),
            )
        )
        rows = [
            VoteTally(
                period=period,
                unit_id=row["unit_id"],
                day=row["voted_on"],
                satisfied=row["satisfied"],
                basic=row["basic"],
                unsatisfied=row["unsatisfied"],
                annulled=row["annulled"],
                taken_at=now,
            )
            for row in counts
        ]
    with transaction.atomic():
        VoteTally.objects.filter(period=period).delete()
        VoteTally.objects.bulk_create(rows, batch_size=2000)
        VotePeriod.objects.filter(pk=period.pk).update(snapshot_at=now, snapshot_through=through)
    return len(rows)


# --- anomaly checks --------------------------------------------------------------------------------


def vote_records(*, period_id: int) -> list[VoteRecord]:
    """The period's votes as the pure checks read them (local times; no personal data)."""
    fields = ("id", "unit_id", "created_at", "identity_hash", "block_hash", "block_suffix", "ip_hash", "network_hash")
    zone = timezone.get_current_timezone()
    return [
        VoteRecord(
            id=pk, unit_id=unit_id, at=at.astimezone(zone), identity=who, block=block, suffix=suffix, ip=ip, network=network
        )
        for pk, unit_id, at, who, block, suffix, ip, network in Vote.objects.filter(period_id=period_id)
        .values_list(*fields)
        .iterator(chunk_size=5000)
    ]


def check_anomalies(*, period_id: int, thresholds: Thresholds = DEFAULT_THRESHOLDS, now: datetime | None = None) -> AnomalyReport:
    """Run the checks on every vote of the period and store each vote's flags (annulled votes included)."""
    now = now or timezone.now()
    report = find_anomalies(vote_records(period_id=period_id), thresholds=thresholds)
    by_flags: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for vote_id, rules in report.flags_by_vote().items():
        by_flags[rules].append(vote_id)
    with transaction.atomic():
        Vote.objects.filter(period_id=period_id).exclude(flags=[]).update(flags=[])
        for rules, ids in by_flags.items():
            for start in range(0, len(ids), 10000):
                Vote.objects.filter(pk__in=ids[start : start + 10000]).update(flags=list(rules))
        VotePeriod.objects.filter(pk=period_id).update(checked_at=now)
    return report


# --- annulment -------------------------------------------------------------------------------------


def annul_votes(*, user, period_id: int, vote_ids: list[int], reason: str, now: datetime | None = None) -> Annulment:
    """The information centre annuls votes of a period, with its reason; the snapshot is recounted."""
    if not is_information_centre(user):
        raise PermissionDenied("只有市信息中心可以作废投票")
    now = now or timezone.now()
    text = clean_text(reason, max_length=REASON_MAX_LENGTH)
    if len(text) < 2:
        raise _refuse("请填写作废理由", "bad_reason")
    with transaction.atomic():
        period = VotePeriod.objects.select_for_update().filter(pk=period_id).first()
        if period is None:
            raise _refuse("投票期不存在", "nothing_to_annul")
        votes = list(Vote.objects.select_for_update().filter(period=period, pk__in=vote_ids, annulment__isnull=True))
        if not votes:
            raise _refuse("请选择尚未作废的投票", "nothing_to_annul")
        rules = sorted({flag for vote in votes for flag in vote.flags})
        annulment = Annulment.objects.create(period=period, by=user, at=now, reason=text, rules=rules, count=len(votes))
        Vote.objects.filter(pk__in=[vote.pk for vote in votes]).update(annulment=annulment)
        log(
            instance=annulment,
            action="voting.annulled",
            user=user,
            data={"comment": text, "count": len(votes), "period": period.title, "rules": rules},
        )
        take_snapshot(period_id=period.pk, now=now)
    return annulment


# --- the schedule ----------------------------------------------------------------------------------


def run_scheduled(*, now: datetime | None = None) -> dict[str, int]:
    """The schedule's work (public schema): snapshot and check every period that still changes, drop old codes."""
    now = now or timezone.now()
    today = _today(now)
    periods = VotePeriod.objects.filter(
        Q(status=PeriodStatus.OPEN)
        | Q(status=PeriodStatus.CLOSED, snapshot_through__isnull=True)
        | Q(status=PeriodStatus.CLOSED, snapshot_through__lt=F("ends_on"))
    )
    done = 0
    for period in periods:
        if period.status == PeriodStatus.OPEN and today < period.starts_on:
            continue
        take_snapshot(period_id=period.pk, now=now)
        check_anomalies(period_id=period.pk, now=now)
        done += 1
    removed, _ = PendingVote.objects.filter(created_at__lt=now - PENDING_RETENTION).delete()
    return {"periods": done, "pending_removed": removed}
