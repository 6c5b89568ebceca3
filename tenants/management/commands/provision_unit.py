from django.core.management.base import BaseCommand, CommandError

from tenants.models import UnitType
from tenants.services import ProvisioningError, provision_unit


class Command(BaseCommand):
    help = "开通一个单位子站：独立模式、域名、Wagtail 站点、用户组与首个单位管理员"

    def add_arguments(self, parser):
        parser.add_argument("code", help="单位代码（子站域名前缀），如 fgj")
        parser.add_argument("name", help="单位简称，如 市发展改革局")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--type", default=UnitType.DEPARTMENT, choices=UnitType.values)
        parser.add_argument("--domain", action="append", default=[], help="附加域名（<名称>.门户域名），可多次指定")
        parser.add_argument("--external-domain", action="append", default=[], help="不在门户域名之下的单位自有域名，可多次指定")
        parser.add_argument("--admin-username", default="")
        parser.add_argument("--admin-password", default="")
        parser.add_argument("--migrate", action="store_true", help="逐个执行迁移而不是从模板克隆（较慢）")

    def handle(self, *args, **options):
        try:
            result = provision_unit(
                code=options["code"],
                name=options["name"],
                full_name=options["full_name"],
                unit_type=options["type"],
                extra_domains=tuple(options["domain"]),
                external_domains=tuple(options["external_domain"]),
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                clone=not options["migrate"],
            )
        except (ProvisioningError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for message in result.messages:
            self.stdout.write(message)
        if result.created:
            self.stdout.write(f"单位管理员：{result.admin_username}  初始密码：{result.admin_password}（仅显示一次）")
            self.stdout.write(f"用时 {result.seconds:.2f} 秒")
