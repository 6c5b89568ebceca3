from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search import services


class Command(BaseCommand):
    help = "从各单位已发布的页面重建门户检索索引，并报告每个单位的文档数"

    def add_arguments(self, parser):
        parser.add_argument("--unit", metavar="CODE", help="只重建该单位代码的文档")

    def handle(self, *args, unit=None, **options):
        def progress(docs, unit_obj, total):
            return tqdm(docs, total=total, desc=unit_obj.name, unit="页", disable=options["verbosity"] == 0)

        try:
            counts = services.reindex_portal(unit_code=unit, progress=progress)
        except services.ReindexError as error:
            raise CommandError(str(error)) from error
        for code, count in counts.items():
            self.stdout.write(f"{code}\t{count} 条")
        self.stdout.write(self.style.SUCCESS(f"完成：共 {sum(counts.values())} 条文档，{len(counts)} 个单位"))
