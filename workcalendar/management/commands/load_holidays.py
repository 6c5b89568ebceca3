"""Load the 放假安排 into the holiday calendar: the shipped years, or a year from the chinese-calendar package."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tenants.context import public_schema
from workcalendar.data import HOLIDAY_ROWS
from workcalendar.services import load_rows

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


class Command(BaseCommand):
    help = "导入节假日安排：默认为平台自带的年份；--from-package YEAR 从 chinese-calendar 包读取该年（不存在则报错）"

    def add_arguments(self, parser):
        parser.add_argument("--from-package", type=int, metavar="YEAR", help="从 chinese-calendar 包导入指定年份")

    def handle(self, *args, **options):
        year = options.get("from_package")
        if year:
            try:
                from chinese_calendar.constants import holidays, workdays
            except ImportError as exc:
                raise CommandError("未安装 chinese-calendar 包") from exc
            rows = [(d, "holiday", NAMES.get(n, n)) for d, n in holidays.items() if d.year == year]
            rows += [(d, "workday", NAMES.get(n, n)) for d, n in workdays.items() if d.year == year]
            if not rows:
                raise CommandError(f"chinese-calendar 包中没有 {year} 年的节假日安排，请在后台“节假日安排”中按国务院通知录入")
            replace = True
        else:
            rows = [(date.fromisoformat(iso), kind, note) for iso, kind, note in HOLIDAY_ROWS]
            replace = False
        with public_schema():
            result = load_rows(rows=sorted(rows), replace_years=replace)
        self.stdout.write(f"节假日安排：新增 {result['created']} 天，更新 {result['updated']} 天")
