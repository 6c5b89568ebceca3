"""E-mail of 通报: the unit when a case about it is confirmed or published, the leading group when a
通报 awaits its approval. Links point to the right host (the unit's own admin, or the portal's)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tenants.context import public_schema
from tenants.hosts import portal_base_url, unit_base_url
from tenants.mail import send_to_roles, send_to_users
from tenants.roles import CentreRole

from .models import Bulletin, BulletinCase
from .selectors import UNIT_ANSWER_ROLES


def case_confirmed(*, case_id: int) -> int:
    with public_schema():
        case = BulletinCase.objects.select_related("unit").filter(pk=case_id).first()
        if case is None:
            return 0
        link = unit_base_url(case.unit) + reverse("bulletins:unit_case", args=[case.pk], urlconf=settings.ROOT_URLCONF)
    deadline = timezone.localtime(case.answer_deadline).strftime("%Y-%m-%d")
    body = (
        f"市信息中心已确认贵单位 {case.period_label} 存在《珠海市政府门户网站政务信息维护管理办法》{case.clause}所列情形：\n"
        f"{case.evidence}\n\n"
        f"如有说明，请于 {deadline} 前在本单位后台提交答复（每宗情形只能答复一次）：\n{link}"
    )
    return send_to_roles(roles=UNIT_ANSWER_ROLES, subject=f"第十一条情形待答复（{case.period_label}）", body=body, unit=case.unit)


def bulletin_submitted(*, bulletin_id: int) -> int:
    with public_schema():
        bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
        if bulletin is None:
            return 0
        members = list(get_user_model().objects.filter(groups__name=CentreRole.LEADING_GROUP, is_active=True))
        link = portal_base_url() + reverse("bulletins:bulletin", args=[bulletin.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        body = f"市信息中心提交了《{bulletin.title}》，请审批：\n{link}"
        return send_to_users(users=members, subject="通报待审批", body=body)


def bulletin_published(*, bulletin_id: int) -> int:
    with public_schema():
        bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
        if bulletin is None:
            return 0
        units = {case.unit_id: case.unit for case in bulletin.cases.select_related("unit")}
        link = portal_base_url() + reverse("bulletins_portal:detail", args=[bulletin.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    sent = 0
    for unit in units.values():
        body = f"《{bulletin.title}》已在市政府门户网站发布，其中涉及贵单位：\n{link}"
        sent += send_to_roles(roles=UNIT_ANSWER_ROLES, subject="通报已发布", body=body, unit=unit)
    return sent
