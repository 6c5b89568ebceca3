"""Demo data of 通报 (called by the demo app's seed_demo after the units, their staff and 互动交流 exist).

Last month's monitoring records are written as the checks would have written them (the demo's sites are
presented as open for a year, so their records count), then everything goes through the real services:
the register proposes last month's cases, the centre confirms one (造成严重影响) and dismisses one, the unit
answers, and the 政务公开领导小组's demo member approves the quarter's 通报, which is published with its PDF.
Cases the register proposes beyond these are left for the demo user to decide.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test.utils import override_settings

from oversight.models import BrokenLink, FreshnessSnapshot
from oversight.reports.figures import CLAUSE_MAINTENANCE, CLAUSE_UNREACHABLE
from oversight.selectors import centre_unit, month_bounds
from tenants.context import public_schema, unit_schema
from tenants.hosts import unit_base_url
from tenants.mail import role_members
from tenants.roles import CentreRole, UnitRole

from . import selectors, services
from .models import Bulletin, BulletinCase, CaseStatus

LEADING_GROUP_USERNAME = "zwgk_lingdao"
VETO = "首页动态信息已 21 天未更新（要求每 7 天至少更新一次）"


def ensure_leading_group_member() -> tuple[object, bool]:
    """The 政务公开领导小组's demo member (public schema), with the demo staff password."""
    User = get_user_model()
    with public_schema():
        user = User.objects.filter(username=LEADING_GROUP_USERNAME).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                username=LEADING_GROUP_USERNAME,
                first_name="政务公开领导小组",
                last_name="",
                email=f"{LEADING_GROUP_USERNAME}@zhuhai.gov.cn",
            )
            password = getattr(settings, "DEMO_STAFF_PASSWORD", None)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=CentreRole.LEADING_GROUP))
    return user, created


def _history(*, units: list, start: datetime, end: datetime) -> None:
    """Last month's records: unit 1 failed the homepage rule twice, unit 2 had a broken link in its own
    content, and a link of the shared footer (the centre's) was broken on every unit's pages."""
    from tenants.models import Unit

    long_ago = start - timedelta(days=365)
    Unit.objects.filter(pk__in=[u.pk for u in units], created_at__gt=long_ago).update(created_at=long_ago)
    if FreshnessSnapshot.objects.filter(unit__in=units, taken_at__gte=start, taken_at__lt=end).exists():
        return
    centre = centre_unit()
    found, fixed = start + timedelta(days=6), end - timedelta(days=2)
    if len(units) > 1:
        base = unit_base_url(units[1])
        BrokenLink.objects.create(
            unit=units[1],
            url=f"{base}/documents/bszn-shenqingbiao-2025.doc",
            status=404,
            sources=[{"page": f"{base}/", "text": "申请表下载"}],
            first_seen=found,
            last_seen=fixed,
            resolved_at=fixed,
        )
    if centre is not None:
        base = unit_base_url(units[0])
        BrokenLink.objects.create(
            unit=centre,
            url=f"{base}/wzdt/",
            status=404,
            sources=[{"page": f"{unit_base_url(u)}/", "text": "网站地图"} for u in units],
            first_seen=found,
            last_seen=fixed,
            resolved_at=fixed,
        )
    for index, unit in enumerate(units):
        failing = index == 0
        for day in (9, 23):
            moment = start + timedelta(days=day, hours=2)
            FreshnessSnapshot.objects.create(
                unit=unit,
                taken_at=moment,
                score=58 if failing else 92,
                passed=not failing,
                stale_columns=2 if failing else 0,
                empty_columns=0,
                broken_links=1 if index == 1 and found <= moment < fixed else 0,
                availability_ratio=1.0,
                detail={
                    "vetoes": [VETO] if failing else [],
                    "deductions": [{"points": 10, "reason": VETO}] if failing else [],
                },
            )


def _answerer(unit):
    with unit_schema(unit):
        return role_members(UnitRole.HEAD).first() or role_members(UnitRole.ADMIN).first()


def seed(*, now: datetime) -> dict[str, int]:
    """Runs in the public schema; idempotent (nothing is added once a 通报 exists). Returns what it did."""
    from tenants.selectors import directory_units

    with public_schema():
        if Bulletin.objects.exists():
            return {}
        units = list(directory_units())
        if not units:
            return {}
        year, month = services.previous_month(now)
        start, end = month_bounds(year, month)
        _history(units=units, start=start, end=end)
        leader, _created = ensure_leading_group_member()
        centre = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if centre is None:
        return {}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _decide(units=units, year=year, month=month, now=now, centre=centre, leader=leader)


def _decide(*, units, year: int, month: int, now: datetime, centre, leader) -> dict[str, int]:
    proposal = services.propose_cases(year=year, month=month, now=now - timedelta(days=12))
    done = {"proposed": proposal.created, "confirmed": 0, "dismissed": 0, "answered": 0, "published": 0}
    with public_schema():
        maintenance = BulletinCase.objects.filter(
            unit=units[0], year=year, month=month, clause=CLAUSE_MAINTENANCE, status=CaseStatus.PROPOSED
        ).first()
        unreachable = BulletinCase.objects.filter(
            year=year, month=month, clause=CLAUSE_UNREACHABLE, status=CaseStatus.PROPOSED
        ).first()
    if unreachable is not None:
        services.dismiss_case(
            case_id=unreachable.pk,
            user=centre,
            reason="该附件链接因子站服务器迁移短时中断，单位已于当月修复，属客观原因，不予认定。",
            now=now - timedelta(days=11),
        )
        done["dismissed"] = 1
    if maintenance is None:
        return done
    case = services.confirm_case(
        case_id=maintenance.pk,
        user=centre,
        serious=True,
        judgement="首页动态信息连续三周未更新，期间收到公众反映 2 次，造成不良影响。",
        now=now - timedelta(days=10),
    )
    done["confirmed"] = 1
    answerer = _answerer(units[0])
    if answerer is not None:
        with unit_schema(units[0]):
            services.answer_case(
                case_id=case.pk,
                user=answerer,
                text="本单位已落实信息员每周更新首页动态信息，并由分管领导每周检查；下月起纳入内部考核。",
                now=now - timedelta(days=9),
            )
        done["answered"] = 1
    quarter = selectors.quarter_of(month)
    bulletin = services.create_bulletin(
        user=centre,
        year=year,
        quarter=quarter,
        title=selectors.default_title(year=year, quarter=quarter),
        number=f"珠政务公开〔{year}〕{quarter}号",
        body=(
            f"根据《珠海市政府门户网站政务信息维护管理办法》（珠府办〔2007〕75号）第十一条，市信息中心对{year}年"
            f"第{selectors.QUARTER_NAMES[quarter - 1]}季度各单位政府网站政务信息维护管理情况进行了日常监测和核实。\n"
            "现将造成严重影响的情形通报如下。请有关单位认真整改，落实专人负责，切实做好政务信息维护管理工作。"
        ),
        case_ids=[case.pk],
    )
    if answerer is None:
        # The unit's window must close before the 通报 goes up: leave the draft to the demo user.
        return done
    services.submit_bulletin(bulletin_id=bulletin.pk, user=centre)
    services.approve_bulletin(bulletin_id=bulletin.pk, user=leader, comment="同意发布。")
    done["published"] = 1
    return done
