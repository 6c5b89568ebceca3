"""Demo data of 评比 (called by the demo app's seed_demo after the units and their staff exist).

One contest, 最佳办事指南, run through the real services at dates in the past: each demo unit nominated one
of its own 办事指南 pages, three named 考评专家 scored every nomination, and the centre published the results,
which the portal's /pingbi/ shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tenants.context import public_schema, unit_schema
from tenants.hosts import unit_base_url
from tenants.mail import role_members
from tenants.roles import CentreRole, UnitRole

from . import services
from .models import Contest

JURY = (("pingwei_chen", "陈评委"), ("pingwei_liu", "刘评委"), ("pingwei_he", "何评委"))
CRITERIA = "办事要素完整准确 40\n表格下载与办理流程 30\n语言通俗便民易用 30"
# Points per jury member and nomination (by the unit's position), per criterion: different, and plausible.
POINTS = (
    ((36, 27, 26), (32, 24, 27), (28, 22, 25)),
    ((34, 28, 25), (35, 22, 24), (30, 23, 21)),
    ((37, 26, 27), (31, 25, 26), (27, 24, 22)),
)


def ensure_jury() -> list:
    """The demo's 考评专家 (public schema), with the demo staff password."""
    User = get_user_model()
    password = getattr(settings, "DEMO_STAFF_PASSWORD", None)
    members = []
    with public_schema():
        group = Group.objects.get(name=CentreRole.EXPERT)
        for username, name in JURY:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=name, email=f"{username}@zhuhai.gov.cn")
                if password:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save()
            user.groups.add(group)
            members.append(user)
    return members


def _guide_url(unit) -> tuple[str, str]:
    """A live 办事指南 page of the unit's own site (its title and address), or its homepage."""
    from sitepages.models import ServiceGuidePage

    with unit_schema(unit):
        page = ServiceGuidePage.objects.live().order_by("path").first()
        parts = page.get_url_parts() if page is not None else None
        if parts is not None:
            return page.title, unit_base_url(unit) + parts[2]
    return f"{unit.name}办事指南", unit_base_url(unit) + "/"


def _nominator(unit):
    with unit_schema(unit):
        return role_members(UnitRole.HEAD).first() or role_members(UnitRole.ADMIN).first()


def seed(*, now: datetime) -> dict[str, int]:
    """Runs in the public schema; idempotent (nothing is added once a contest exists). Returns what it did."""
    from tenants.selectors import directory_units

    with public_schema():
        if Contest.objects.exists():
            return {}
        units = list(directory_units())
        centre = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if not units or centre is None:
        return {}
    jury = ensure_jury()
    contest = services.create_contest(
        user=centre,
        spec=services.ContestSpec(
            title="最佳办事指南",
            theme="评选各单位网站上要素最完整、表格最齐全、最便于群众办事的办事指南。各单位可申报本单位网站上的一篇办事指南。",
            year=(now - timedelta(days=40)).year,
            nomination_opens_at=now - timedelta(days=40),
            nomination_closes_at=now - timedelta(days=20),
            scoring_closes_at=now - timedelta(days=6),
            criteria=services.parse_criteria(CRITERIA),
            jury_ids=[user.pk for user in jury],
            first_prizes=1,
            second_prizes=1,
            third_prizes=1,
        ),
    )
    nominations = []
    for index, unit in enumerate(units):
        nominator = _nominator(unit)
        if nominator is None:
            continue
        title, url = _guide_url(unit)
        with unit_schema(unit):
            nominations.append(
                services.nominate(
                    contest_id=contest.pk,
                    user=nominator,
                    title=title,
                    url=url,
                    statement=f"{unit.name}按国家政府网站办事指南十要素编写，附申请表格下载和办理流程图，每月核查更新。",
                    now=now - timedelta(days=30 - index),
                )
            )
    if not nominations:
        return {"contests": 1}
    criteria = list(contest.criteria.order_by("position"))
    for juror_index, juror in enumerate(jury):
        for index, nomination in enumerate(nominations):
            points = POINTS[juror_index][index % len(POINTS[juror_index])]
            services.score_nomination(
                nomination_id=nomination.pk,
                user=juror,
                points={criterion.pk: value for criterion, value in zip(criteria, points, strict=True)},
                now=now - timedelta(days=15 - juror_index),
            )
    services.publish_results(contest_id=contest.pk, user=centre, now=now - timedelta(days=5))
    return {"contests": 1, "nominations": len(nominations), "published": 1}
