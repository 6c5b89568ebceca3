from django.core.management.base import BaseCommand, CommandError

from tenants.selectors import schemas_behind


class Command(BaseCommand):
    help = "列出尚未完成迁移的模式（公共模式、子站模板与各单位）；全部最新时退出码为 0"

    def handle(self, *args, **options):
        behind = schemas_behind()
        if not behind:
            self.stdout.write("所有模式的迁移均已完成")
            return
        for schema, migrations in behind.items():
            shown = "、".join(migrations[:5]) + (f" 等 {len(migrations)} 项" if len(migrations) > 5 else "")
            self.stdout.write(f"{schema}：未应用 {shown}")
        raise CommandError(f"{len(behind)} 个模式的迁移未完成：重新运行 manage.py migrate_schemas --tenant --schema=<模式名>")
