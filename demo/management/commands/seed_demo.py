"""The demo: the units of the source document's attachment, with sample content and staff."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from annualreport import demo as annualreport_demo
from assessment import demo as assessment_demo
from bulletins import demo as bulletins_demo
from columns.services import import_requirements
from columns.table import load_unit_catalogue, parse_file, source_document_path
from contests import demo as contests_demo
from demo.content import UNIT_PROFILES, fill_unit
from harvest import demo as harvest_demo
from interaction import demo as interaction_demo
from oversight import services as oversight_services
from tenants.context import schema_named
from tenants.hosts import portal_base_url, unit_base_url
from tenants.models import Unit
from tenants.roles import CentreRole, UnitRole
from tenants.services import create_platform_admin
from visits import demo as visits_demo
from voting import demo as voting_demo

# The source document as shipped with the columns app: its 附件1 names the demo's units and their columns.
ATTACHMENT = source_document_path()

FIRST_CHECKS_DELAY = timedelta(seconds=30)
DEMO_ADMIN_USERNAME = "admin"
SUPERVISOR_USERNAME = "jiancha"
# What the 通报 and 评比 demos report they made.
FIGURE_LABELS = {
    "proposed": "拟通报情形",
    "confirmed": "已确认",
    "dismissed": "不予认定",
    "answered": "单位已说明",
    "published": "已发布",
    "contests": "评比活动",
    "nominations": "申报作品",
}

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
        # The demo's credentials are settings of the dev environment (DEMO_ADMIN_PASSWORD, DEMO_STAFF_PASSWORD).
        admin_password = getattr(settings, "DEMO_ADMIN_PASSWORD", None)
        staff_password = getattr(settings, "DEMO_STAFF_PASSWORD", None)
        if not admin_password or not staff_password:
            raise CommandError(
                "seed_demo 只用于演示环境：DEMO_ADMIN_PASSWORD 与 DEMO_STAFF_PASSWORD 在 govplatform.settings.dev 中设置"
            )
        if create_platform_admin(username=DEMO_ADMIN_USERNAME, password=admin_password):
            self.stdout.write(f"信息中心管理员：{DEMO_ADMIN_USERNAME}  密码：{admin_password}（仅显示一次）")
        report = import_requirements(rows=parse_file(ATTACHMENT), source_name=ATTACHMENT.name)
        for line in report.lines():
            self.stdout.write(line)
        for unit_name, username, password in report.created_admins:
            self.stdout.write(f"{unit_name} 单位管理员：{username}  密码：{password}（仅显示一次）")
        names = {row.unit for row in parse_file(ATTACHMENT)}
        catalogue = load_unit_catalogue()
        for unit in Unit.objects.filter(name__in=names):
            profile = UNIT_PROFILES.get(unit.code, {})
            Unit.objects.filter(pk=unit.pk).update(
                full_name=catalogue[unit.name].full_name,
                address=profile.get("address", ""),
                public_phone=profile.get("public_phone", ""),
                supervision_phone=profile.get("supervision_phone", ""),
                email=profile.get("email", ""),
                functions=profile.get("functions", ""),
            )
            unit.refresh_from_db()
            with schema_named(unit.schema_name):
                added = fill_unit(unit=unit)
                created = self._staff(unit=unit, password=staff_password)
            self.stdout.write(
                f"{unit.name}：新增示例信息 {added} 条，子站 {unit_base_url(unit)}/  后台 {unit_base_url(unit)}/admin/"
            )
            if created:
                self.stdout.write(f"  岗位人员：{'、'.join(created)}（密码均为 {staff_password}，仅显示一次）")
        # 互动交流: a handler and cases in every state per unit (one transferred to the next unit,
        # the last unit with a message unanswered for months: the veto), two at the portal's desk.
        units = list(Unit.objects.filter(name__in=names).order_by("sort_order", "id"))
        for index, unit in enumerate(units):
            with schema_named(unit.schema_name):
                cases = interaction_demo.seed_unit(
                    unit=unit,
                    password=staff_password,
                    transfer_to=units[(index + 1) % len(units)].code if len(units) > 1 else None,
                    with_veto=index == len(units) - 1,
                )
            if cases:
                self.stdout.write(
                    f"{unit.name}：互动交流示例留言 {cases} 条，互动处理人 {unit.code}_handler（密码 {staff_password}）"
                )
        with schema_named("public"):
            interaction_demo.seed_portal()
            # 网站考评专栏 (第八条): an open vote of the month, with a planted burst for the vote log's checks.
            period = voting_demo.seed(now=timezone.now())
            self.stdout.write(f"网站考评专栏：{period.title}（{portal_base_url()}/kaoping/）")
            # Visits since last January, then each unit's draft 年度报表 of last year, pre-filled from them.
            now = timezone.now()
            self.stdout.write(f"访问统计：{visits_demo.seed(now=now)} 条日统计")
            self.stdout.write(f"政府网站工作年度报表：新建草稿 {annualreport_demo.seed(now=now)} 份")
            # 网上抓取 (第五条（四）): two local stand-in sources feed 国务院信息 and 省政府信息.
            for line in harvest_demo.seed(base_url=portal_base_url()):
                self.stdout.write(line)
        # The dashboards show real checks from the start: scores now, link and
        # availability checks once the demo's web server is listening.
        for unit in Unit.objects.filter(name__in=names):
            try:
                snapshot = oversight_services.score_and_record(unit=unit)
            except oversight_services.CheckFailed as failed:
                self.stderr.write(f"{unit.name}：评分失败：{failed.run.detail}")
                continue
            self.stdout.write(f"{unit.name}：更新及时性得分 {snapshot.score}")
        # 第十条 评比 and 第十一条 通报, through the real services: last month's cases proposed from the
        # monitoring's register (one dismissed, one confirmed and answered, a 通报 approved and published)
        # and a 最佳办事指南 contest scored by three jury members.
        with schema_named("public"):
            now = timezone.now()
            if self._supervisor(password=staff_password):
                self.stdout.write(f"监察（第四条，只读）：{SUPERVISOR_USERNAME}  密码 {staff_password}")
            for label, figures in (("通报", bulletins_demo.seed(now=now)), ("评比", contests_demo.seed(now=now))):
                if figures:
                    self.stdout.write(
                        f"{label}：" + "，".join(f"{FIGURE_LABELS.get(name, name)} {count}" for name, count in figures.items())
                    )
            # 第九条: this year's assessment from the city preset, taken up to 复核 with one open contest;
            # the centre answers it, fixes the final scores, kh_lingdao approves, then it is published.
            scheme = assessment_demo.seed(now=now, password=staff_password)
            if scheme is not None:
                self.stdout.write(f"年度考评：{scheme}（考评专家 kh_zhuanjia，领导小组 kh_lingdao，密码 {staff_password}）")
        oversight_services.schedule_first_checks(delay=FIRST_CHECKS_DELAY)
        self.stdout.write(f"网站监测：首次链接检查和首页可用性探测将在 {FIRST_CHECKS_DELAY.seconds} 秒后由后台任务进行")

    def _supervisor(self, *, password: str) -> bool:
        """The 市监察局's read-only user in the information centre's admin (public schema)."""
        User = get_user_model()
        if User.objects.filter(username=SUPERVISOR_USERNAME).exists():
            return False
        user = User.objects.create_user(
            username=SUPERVISOR_USERNAME, password=password, first_name="市监察局", email="jiancha@zhuhai.gov.cn"
        )
        user.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
        return True

    def _staff(self, *, unit, password: str) -> list[str]:
        User = get_user_model()
        created = []
        for suffix, title, role in STAFF:
            username = f"{unit.code}_{suffix}"
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(
                username=username, password=password, first_name=title, last_name=unit.name, email=f"{username}@zhuhai.gov.cn"
            )
            user.groups.add(Group.objects.get(name=role))
            created.append(f"{username}（{title}）")
        return created
