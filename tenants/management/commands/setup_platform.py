from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import create_platform_admin, ensure_portal, ensure_template_schema


class Command(BaseCommand):
    help = "初始化平台：迁移公共模式、门户与子站模板；可选创建信息中心管理员"

    def add_arguments(self, parser):
        parser.add_argument("--admin-username", default="")
        parser.add_argument("--admin-password", default="")

    def handle(self, *args, **options):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        ensure_portal()
        ensure_template_schema()
        # Existing units (and the template) get new migrations, in parallel.
        call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False, verbosity=0)
        self.stdout.write("平台已初始化：公共模式与子站模板均为最新")
        if options["admin_username"] and options["admin_password"]:
            created = create_platform_admin(username=options["admin_username"], password=options["admin_password"])
            if created:
                self.stdout.write(f"信息中心管理员：{options['admin_username']}  密码：{options['admin_password']}（仅显示一次）")
