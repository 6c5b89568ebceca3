from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.errors import BackupError
from backups.services import backup_unit


class Command(BaseCommand):
    help = "把一个单位备份为一个归档文件：单位模式、公共模式中属于该单位的记录、媒体文件，附逐项 SHA-256 校验清单"

    def add_arguments(self, parser):
        parser.add_argument("code", help="单位代码，如 fgj")
        parser.add_argument("--output", type=Path, help="归档文件路径（默认：当前目录下 <代码>-<时间>.unit-backup.tar.gz）")

    def handle(self, *args, code, output=None, **options):
        try:
            result = backup_unit(code=code, output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        models = "，".join(f"{label} {count}" for label, count in sorted(result.public_rows.items()) if count)
        self.stdout.write(f"模式：{result.tables} 张表，{result.rows} 行")
        self.stdout.write(f"公共模式记录：{models}")
        self.stdout.write(f"媒体文件：{result.media_files} 个")
        if not result.consistent_snapshot:
            self.stdout.write(self.style.WARNING("注意：在外层事务中运行，模式与公共记录不是同一快照"))
        self.stdout.write(f"归档 SHA-256：{result.sha256}（请另行保存，恢复时用 --sha256 核对）")
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {result.path}（{result.size / 1024 / 1024:.1f} MiB，用时 {result.seconds:.2f} 秒）")
        )
