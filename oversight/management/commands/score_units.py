from django.core.management.base import BaseCommand, CommandError

from oversight import services
from tenants.selectors import directory_units


class Command(BaseCommand):
    help = "为全部单位网站计算更新及时性得分并保存"

    def handle(self, *args, **options):
        failures = 0
        for unit in directory_units():
            try:
                snapshot = services.score_and_record(unit=unit)
            except services.CheckFailed as failed:
                failures += 1
                self.stderr.write(f"{unit.name}（{unit.code}）：评分失败：{failed.run.detail}")
                continue
            verdict = "通过" if snapshot.passed else "单项否决"
            self.stdout.write(f"{unit.name}（{unit.code}）：{snapshot.score} 分，{verdict}")
        if failures:
            raise CommandError(f"{failures} 个单位评分失败")
