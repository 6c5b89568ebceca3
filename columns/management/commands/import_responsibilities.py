import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from columns.services import ImportRefused, import_requirements
from columns.table import TableFormatError, parse_file
from tenants.services import ProvisioningError


class Command(BaseCommand):
    help = "导入《责任分解表》（原文文本、CSV 或 XLSX，可含单位代码列），开通未登记的单位并生成各单位栏目"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只显示将要做的更改，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出解析出的行，不写入")

    def handle(self, *args, path: Path, dry_run: bool, json: bool, **options):
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            rows = parse_file(path)
        except TableFormatError as exc:
            raise CommandError(f"{path}：{exc}") from exc
        if json:
            self.stdout.write(_dumps([row.as_json() for row in rows]))
            return
        try:
            report = import_requirements(rows=rows, source_name=path.name, dry_run=dry_run)
        except (ImportRefused, ProvisioningError) as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        for unit_name, username, password in report.created_admins:
            self.stdout.write(f"{unit_name} 单位管理员：{username}  初始密码：{password}（仅显示一次）")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
