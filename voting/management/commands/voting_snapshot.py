"""Take the published daily snapshot and run the anomaly checks now (what the schedule does every hour)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tenants.context import public_schema
from voting import services


class Command(BaseCommand):
    help = "网站考评专栏：生成每日票数快照并运行异常检查（计划任务每小时运行一次）"

    def handle(self, *args, **options):
        with public_schema():
            result = services.run_scheduled()
        self.stdout.write(f"已处理 {result['periods']} 个投票期，清理过期验证码 {result['pending_removed']} 条")
