from django.core.management.base import BaseCommand, CommandError

from oversight import services
from tenants.selectors import directory_units, unit_by_code


class Command(BaseCommand):
    help = "检查单位网站的链接（默认全站、全部单位），记录无法打开的链接"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="只检查该单位代码")
        parser.add_argument("--homepage-only", action="store_true", help="只检查首页上的链接")

    def handle(self, *args, unit=None, homepage_only=False, **options):
        if unit:
            found = unit_by_code(code=unit)
            if found is None:
                raise CommandError(f"单位代码 {unit} 不存在")
            units = [found]
        else:
            units = list(directory_units())
        failures = 0
        for target in units:
            try:
                run = services.check_unit_links(unit=target, homepage_only=homepage_only)
            except services.CheckFailed as failed:
                failures += 1
                self.stderr.write(f"{target.name}（{target.code}）：检查失败：{failed.run.detail}")
                continue
            self.stdout.write(f"{target.name}（{target.code}）：{run.detail}")
        if failures:
            raise CommandError(f"{failures} 个单位检查失败")
