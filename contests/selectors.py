"""Reads of 评比: who may do what, contests, nominations, a jury member's own scores, scoring progress.

Every read of the app's tables runs in the public schema (`public_schema()`), whichever admin asks. Nobody
reads another jury member's points, and nobody reads any points before the results are published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from tenants.admin import in_centre_role, is_information_centre, is_supervisor
from tenants.context import public_schema
from tenants.roles import CentreRole, UnitRole, in_roles

from .models import Contest, ContestEvent, Criterion, Nomination, Phase, Score

# Who nominates for the unit: its 第一责任人, 分管领导 or 单位管理员.
UNIT_NOMINATE_ROLES = (UnitRole.HEAD, UnitRole.LEADER, UnitRole.ADMIN)


# --- who may act -------------------------------------------------------------------------


def can_read_centre(user) -> bool:
    return is_information_centre(user) or is_supervisor(user)


def can_manage(user) -> bool:
    return is_information_centre(user)


def is_expert(user) -> bool:
    """A 考评专家 of the public schema: may sit on a jury."""
    return in_centre_role(user, CentreRole.EXPERT) and not is_supervisor(user)


def is_juror(*, user, contest: Contest) -> bool:
    if not is_expert(user):
        return False
    with public_schema():
        return contest.jury.filter(pk=user.pk).exists()


def can_view_unit(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, *UnitRole.ALL)))


def can_nominate(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or in_roles(user, *UNIT_NOMINATE_ROLES)))


def experts():
    """The public schema's 考评专家, whom the centre may name to a jury (call inside public_schema())."""
    return get_user_model().objects.filter(groups__name=CentreRole.EXPERT, is_active=True).order_by("username").distinct()


def juror_name(user) -> str:
    full = (user.get_full_name() or "").strip()
    return full or user.get_username()


# --- contests ---------------------------------------------------------------------------


def contests() -> list[Contest]:
    with public_schema():
        return list(Contest.objects.all())


def get_contest(*, contest_id: int) -> Contest | None:
    with public_schema():
        return Contest.objects.filter(pk=contest_id).first()


def criteria(*, contest: Contest) -> list[Criterion]:
    with public_schema():
        return list(contest.criteria.all())


def jury(*, contest: Contest) -> list:
    with public_schema():
        return list(contest.jury.order_by("username"))


def nominations(*, contest: Contest) -> list[Nomination]:
    with public_schema():
        return list(contest.nominations.select_related("unit").order_by("rank", "unit__sort_order", "submitted_at", "id"))


def get_nomination(*, contest: Contest, nomination_id: int) -> Nomination | None:
    with public_schema():
        return contest.nominations.select_related("unit").filter(pk=nomination_id).first()


def events(*, contest: Contest) -> list[ContestEvent]:
    with public_schema():
        return list(contest.events.all())


def open_to_units(*, now: datetime | None = None) -> list[Contest]:
    """The contests a unit's admin lists: every one whose nominations have opened."""
    now = now or timezone.now()
    with public_schema():
        return list(Contest.objects.filter(nomination_opens_at__lte=now))


def unit_nominations(*, contest: Contest, unit) -> list[Nomination]:
    with public_schema():
        return list(contest.nominations.filter(unit_id=unit.pk).order_by("submitted_at", "id"))


def unit_nomination_counts(*, unit) -> dict[int, int]:
    with public_schema():
        counts: dict[int, int] = {}
        for contest_id in Nomination.objects.filter(unit_id=unit.pk).values_list("contest_id", flat=True):
            counts[contest_id] = counts.get(contest_id, 0) + 1
        return counts


def unit_hostnames(*, unit) -> set[str]:
    """The host names of the unit's own site (its Domain rows)."""
    from tenants.models import Domain

    with public_schema():
        return {name.lower() for name in Domain.objects.filter(tenant_id=unit.pk).values_list("domain", flat=True)}


def portal_contests(*, now: datetime | None = None) -> list[Contest]:
    """The portal lists every contest once its nominations have opened."""
    return open_to_units(now=now)


# --- the jury -------------------------------------------------------------------------------


def jury_contests(*, user) -> list[Contest]:
    with public_schema():
        return list(Contest.objects.filter(jury=user))


def own_scores(*, contest: Contest, juror) -> dict[tuple[int, int], int]:
    """(nomination id, criterion id) → points, of this jury member only."""
    with public_schema():
        rows = Score.objects.filter(nomination__contest=contest, juror=juror).values_list(
            "nomination_id", "criterion_id", "points"
        )
        return {(nomination, criterion): points for nomination, criterion, points in rows}


@dataclass(frozen=True)
class JurorProgress:
    name: str
    done: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.done == self.expected


def progress(*, contest: Contest) -> list[JurorProgress]:
    """How many of the scores each jury member owes are in: counts only, never points."""
    with public_schema():
        members = list(contest.jury.order_by("username"))
        criteria_count = contest.criteria.count()
        nomination_count = contest.nominations.count()
        done = {}
        for juror_id in Score.objects.filter(nomination__contest=contest, juror__in=members).values_list("juror_id", flat=True):
            done[juror_id] = done.get(juror_id, 0) + 1
        return [
            JurorProgress(name=juror_name(member), done=done.get(member.pk, 0), expected=criteria_count * nomination_count)
            for member in members
        ]


def phase_label(*, contest: Contest, now: datetime | None = None) -> str:
    return Phase(contest.phase(now or timezone.now())).label
