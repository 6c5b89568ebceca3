"""The demo: the units of the source document's attachment, with sample content and staff."""

import os
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from columns.parsing import load_unit_catalogue, parse_file
from columns.services import import_requirements
from oversight import services as oversight_services
from sitepages.demo_content import UNIT_PROFILES, fill_unit
from tenants.hosts import unit_base_url
from tenants.models import Unit
from tenants.services import UnitRole

ATTACHMENT = Path(__file__).resolve().parents[3] / "columns" / "data" / "zhuhai-portal-maintenance-measures-2007.txt"

FIRST_CHECKS_DELAY = timedelta(seconds=30)

# Named staff of each unit (第六条（七）): head, leader in charge, officers, reviewer.
STAFF = (
    ("head", "第一责任人", UnitRole.HEAD),
    ("leader", "分管领导", UnitRole.LEADER),
    ("editor", "信息员", UnitRole.EDITOR),
    ("reviewer", "审核员", UnitRole.REVIEWER),
)


class Command(BaseCommand):
    help = "演示数据：导入责任分解表附件中的单位，填充各栏目示例内容并创建各岗位人员"

    def handle(self, *args, **options):
        report = import_requirements(rows=parse_file(ATTACHMENT), source_name=ATTACHMENT.name)
        for line in report.lines():
            self.stdout.write(line)
        for unit_name, username, password in report.created_admins:
            self.stdout.write(f"{unit_name} 单位管理员：{username}  密码：{password}（仅显示一次）")
        staff_password = os.environ.get("DEMO_STAFF_PASSWORD", "zhuhai-staff-2026")
        names = {row.unit for row in parse_file(ATTACHMENT)}
        catalogue = load_unit_catalogue()
        for unit in Unit.objects.filter(name__in=names):
            profile = UNIT_PROFILES.get(unit.code, {})
            Unit.objects.filter(pk=unit.pk).update(
                full_name=catalogue[unit.name].full_name, address=profile.get("address", ""),
                public_phone=profile.get("public_phone", ""), supervision_phone=profile.get("supervision_phone", ""),
                email=profile.get("email", ""), functions=profile.get("functions", ""),
            )
            unit.refresh_from_db()
            with schema_context(unit.schema_name):
                added = fill_unit(unit=unit)
                created = self._staff(unit=unit, password=staff_password)
            self.stdout.write(f"{unit.name}：新增示例信息 {added} 条，子站 {unit_base_url(unit)}/  后台 {unit_base_url(unit)}/admin/")
            if created:
                self.stdout.write(f"  岗位人员：{'、'.join(created)}（密码均为 {staff_password}，仅显示一次）")
        # The dashboards show real checks from the start: scores now, link and
        # availability checks once the demo's web server is listening.
        for unit in Unit.objects.filter(name__in=names):
            try:
                snapshot = oversight_services.score_and_record(unit=unit)
            except oversight_services.CheckFailed as failed:
                self.stderr.write(f"{unit.name}：评分失败：{failed.run.detail}")
                continue
            self.stdout.write(f"{unit.name}：更新及时性得分 {snapshot.score}")
        oversight_services.schedule_first_checks(delay=FIRST_CHECKS_DELAY)
        self.stdout.write(f"网站监测：首次链接检查和首页可用性探测将在 {FIRST_CHECKS_DELAY.seconds} 秒后由后台任务进行")

    def _staff(self, *, unit, password: str) -> list[str]:
        User = get_user_model()
        created = []
        for suffix, title, role in STAFF:
            username = f"{unit.code}_{suffix}"
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(username=username, password=password, first_name=title, last_name=unit.name,
                                            email=f"{username}@zhuhai.gov.cn")
            user.groups.add(Group.objects.get(name=role))
            created.append(f"{username}（{title}）")
        return created
