"""Load a national template's row catalogue (JSON) as a new version of the 年度报表: a new file, no code."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annualreport import services


class Command(BaseCommand):
    help = "载入政府网站工作年度报表的项目目录（JSON 文件）；不带参数时载入 annualreport/catalogues/ 下的全部文件"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="目录文件路径")

    def handle(self, *args, paths, **options):
        try:
            templates = [services.load_catalogue(path=Path(path)) for path in paths] if paths else services.ensure_catalogues()
        except (ValidationError, OSError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("目录文件有误：\n" + "\n".join(messages)) from exc
        for template in templates:
            self.stdout.write(f"{template}：自 {template.first_year} 年度起使用，{template.rows.count()} 个项目")
