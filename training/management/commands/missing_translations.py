"""Print the Wagtail strings the admin's language still lacks, as a PO file to translate into govplatform/locale."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from training import i18n


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Command(BaseCommand):
    help = "列出 Wagtail 界面中当前语言仍未翻译的字符串（PO 格式），用于补充 govplatform/locale 中的翻译"

    def add_arguments(self, parser):
        parser.add_argument(
            "--domain",
            choices=["django", "djangojs"],
            default="djangojs",
            help="django（Python 代码和模板，需要 xgettext）或 djangojs（脚本，/admin/jsi18n/）",
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args, domain: str, language: str, **options):
        messages = i18n.js_msgids() if domain == "djangojs" else i18n.python_msgids()
        missing = i18n.missing(messages, domain=domain, language=language)
        for message in missing:
            if message.where:
                self.stdout.write("#: " + " ".join(message.where))
            if "%(" in message.msgid:
                self.stdout.write("#, python-format")
            if message.context:
                self.stdout.write(f"msgctxt {_quote(message.context)}")
            self.stdout.write(f"msgid {_quote(message.msgid)}")
            if message.plural is not None:
                self.stdout.write(f"msgid_plural {_quote(message.plural)}")
                self.stdout.write('msgstr[0] ""')
            else:
                self.stdout.write('msgstr ""')
            self.stdout.write("")
        self.stderr.write(f"{len(missing)} / {len(messages)} 条未翻译（{domain}，{language}）")
