"""Demo data of the yearly assessment (called by the demo app's seed_demo).

`seed(now=...)` builds the current year's 考评方案 from the city preset, computes the platform-data
indicators from what the demo has monitored so far, and walks the round through the real services up
to 复核: every unit's 自评 with evidence, every expert score (a few defects from the 缺陷库), and one
复核 request. What is left for the demo is what the centre does at the year's end: answer the request,
确定最终得分, the leading group's 审定 (user `kh_lingdao`), and 公布 on the portal (/kaohe/<year>/).
Experts log in as `kh_zhuanjia`; both use the demo staff password.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tenants.context import public_schema
from tenants.roles import CentreRole

from . import services
from .models import AssessmentScheme, IndicatorKind, IndicatorScore

EXPERT = ("kh_zhuanjia", "考评专家（演示）")
LEADER = ("kh_lingdao", "政务公开领导小组（演示）")
SELF_TEXTS = {
    "2.3.2": ("4", "已完成年度安全检测和漏洞整改，附检测报告", "https://www.example.gov.cn/anquan/2026.pdf"),
    "2.4": ("18", "设专职信息员 2 名、审核员 1 名，制定采编审核发布制度并组织培训 2 次", ""),
    "5.1": ("2", "本单位办事指南获全市评比优秀奖", ""),
}


def _centre_user(username: str, first_name: str, role: str, password: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=password, first_name=first_name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def seed(*, now: datetime | None = None, password: str | None = None) -> AssessmentScheme | None:
    """The current year's assessment up to 复核. Returns the scheme (None when the year already has one)."""
    now = now or timezone.now()
    password = password or getattr(settings, "DEMO_STAFF_PASSWORD", "zhuhai-staff-2026")
    year = timezone.localtime(now).year
    with public_schema():
        if AssessmentScheme.objects.filter(year=year).exists():
            return None
        centre = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        if centre is None:
            return None
        expert = _centre_user(*EXPERT, CentreRole.EXPERT, password)
        _centre_user(*LEADER, CentreRole.LEADING_GROUP, password)
        scheme = services.create_scheme_from_preset(year=year, preset="city", now=now)
        round_ = services.open_round(scheme=scheme, now=now)
        services.advance_round(round_=round_, user=centre, now=now)  # → 自评
        assessments = list(round_.units.select_related("unit").order_by("unit__sort_order", "unit_id"))
        for position, assessment in enumerate(assessments):
            for code, (points, text, url) in SELF_TEXTS.items():
                if code == "5.1" and position % 2:
                    continue  # not every unit claims a bonus
                score = IndicatorScore.objects.get(assessment=assessment, indicator__code=code)
                services.submit_self_assessment(
                    score_id=score.pk,
                    unit=assessment.unit,
                    actor=f"{assessment.unit.code}_admin",
                    points=points,
                    text=text,
                    url=url,
                    now=now,
                )
        services.advance_round(round_=round_, user=centre, now=now)  # → 专家评分
        for position, assessment in enumerate(assessments):
            for score in IndicatorScore.objects.filter(assessment=assessment).select_related("indicator"):
                indicator = score.indicator
                if indicator.kind == IndicatorKind.ENTERED:
                    defects = [("Z02", 1)] if indicator.code == "2.1.1" and position % 2 == 0 else []
                    services.enter_expert_score(
                        score_id=score.pk, user=expert, defects=defects, reason="抽查 10 篇政策文件", now=now
                    )
                elif indicator.kind == IndicatorKind.SELF_ASSESSED:
                    claimed = score.self_points
                    confirmed = claimed if claimed is not None and position % 3 else (claimed or 0) - (1 if claimed else 0)
                    reason = "" if confirmed == claimed else "证明材料只能证明部分要点"
                    services.enter_expert_score(score_id=score.pk, user=expert, points=confirmed, reason=reason, now=now)
        services.advance_round(round_=round_, user=centre, now=now)  # → 复核
        first = assessments[0] if assessments else None
        if first is not None:
            contested = IndicatorScore.objects.get(assessment=first, indicator__code="2.1.1")
            if contested.points < contested.indicator.max_points:
                reason = "已修改、废止的文件均已在原文标注，见政策文件栏目"
            else:
                contested = IndicatorScore.objects.get(assessment=first, indicator__code="2.4")
                reason = "培训记录和制度文件已补充上传，请重新核定"
            services.contest_score(
                score_id=contested.pk, unit=first.unit, actor=f"{first.unit.code}_admin", reason=reason, now=now
            )
    return scheme
