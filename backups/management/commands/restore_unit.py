from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.errors import BackupError
from backups.services import restore_unit


class Command(BaseCommand):
    help = "从 backup_unit 的归档恢复一个单位：先逐项核对校验值，再在一个事务中载入模式（临时模式改名到位）、公共记录与媒体文件"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="backup_unit 写出的归档文件")
        parser.add_argument(
            "--as", dest="new_code", default="", metavar="NEWCODE", help="恢复为新的单位代码（新模式、新域名 NEWCODE.门户域名）"
        )
        parser.add_argument("--name", default="", help="恢复后的单位简称（默认沿用备份中的简称；简称已被占用时必须指定）")
        parser.add_argument("--domain", action="append", default=[], help="附加域名（<名称>.门户域名），可多次指定")
        parser.add_argument("--external-domain", action="append", default=[], help="不在门户域名之下的单位自有域名，可多次指定")
        parser.add_argument("--replace", action="store_true", help="目标单位代码、模式或媒体文件夹已存在时，用备份覆盖它们")
        parser.add_argument("--sha256", default="", help="backup_unit 打印的归档 SHA-256：先核对整个文件")

    def handle(self, *args, archive, **options):
        try:
            result = restore_unit(
                archive=archive,
                new_code=options["new_code"],
                new_name=options["name"],
                replace=options["replace"],
                extra_domains=tuple(options["domain"]),
                external_domains=tuple(options["external_domain"]),
                expected_sha256=options["sha256"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"模式：{result.tables} 张表，{result.rows} 行；媒体文件：{result.media_files} 个")
        self.stdout.write(f"域名：{'、'.join(result.domains)}")
        for message in result.messages:
            self.stdout.write(message)
        self.stdout.write(self.style.SUCCESS(f"恢复完成，用时 {result.seconds:.2f} 秒"))
