"""Which of Wagtail's interface strings the active catalogues leave untranslated.

Wagtail's zh_Hans catalogue lags behind its source strings; the platform ships the missing ones in
govplatform/locale (LOCALE_PATHS). This finds what is still missing, e.g. after an upgrade:

- the django domain: the msgids of Wagtail's Python code and templates, extracted the way Django's
  makemessages does it (needs GNU gettext's xgettext);
- the djangojs domain (served at /admin/jsi18n/): the strings Wagtail's built scripts pass to gettext.
  The bundles are minified: the two wrappers of window.django.gettext/ngettext are exported by one
  module under mangled names, which are read from that module.

`python manage.py missing_translations` prints the missing entries as a PO file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Msg", "js_msgids", "missing", "python_msgids", "wagtail_root"]

# Wagtail apps the platform does not install: their strings are never shown.
NOT_INSTALLED = (
    "contrib/search_promotions",
    "contrib/simple_translation",
    "contrib/table_block",
    "contrib/typed_table_block",
    "contrib/styleguide",
    "contrib/frontend_cache",
    "contrib/routable_page",
    "locales",
    "api",
    "test",
    "tests",
    "project_template",
    "bin",
)


@dataclass(frozen=True)
class Msg:
    msgid: str
    plural: str | None = None
    context: str | None = None
    where: tuple[str, ...] = ()


def wagtail_root() -> Path:
    import wagtail

    return Path(wagtail.__file__).resolve().parent


# --- djangojs: the built bundles -------------------------------------------------------

_STRING = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\$]|\\.)*`)"""
# The module wrapping window.django.gettext / ngettext, and its export map: n.d(t,{AP:()=>r,WI:()=>i})
_WRAPPER = re.compile(
    r"function (?P<g>[\w$]+)\(e\)\{const t=window\.django\?\.gettext;.{0,200}?"
    r"function (?P<n>[\w$]+)\(e,t,n\)\{const r=window\.django\?\.ngettext;.{0,200}?"
    r"\.d\(t,\{(?P<exports>[^}]*)\}\)",
    re.S,
)


def _unquote(literal: str) -> str | None:
    quote, body = literal[0], literal[1:-1]
    if quote == "`" and "${" in body:
        return None
    if quote != '"':
        body = body.replace("\\" + quote, quote).replace('"', '\\"')
    return json.loads(f'"{body}"')


def _wrapper_names(sources: list[str]) -> tuple[set[str], set[str]]:
    gettext_names, ngettext_names = {"AP"}, {"WI"}
    for source in sources:
        match = _WRAPPER.search(source)
        if not match:
            continue
        for export in match.group("exports").split(","):
            name, _, target = export.partition(":()=>")
            if target == match.group("g"):
                gettext_names.add(name)
            elif target == match.group("n"):
                ngettext_names.add(name)
    return gettext_names, ngettext_names


def js_msgids(root: Path | None = None) -> list[Msg]:
    """Every string Wagtail's scripts translate, with the bundles that use it."""
    root = root or wagtail_root()
    files = sorted(p for p in root.rglob("static/**/*.js") if not p.name.endswith(".LICENSE.txt"))
    sources = {path: path.read_text(encoding="utf-8", errors="replace") for path in files}
    gettext_names, ngettext_names = _wrapper_names(list(sources.values()))
    names = "|".join(re.escape(n) for n in sorted(gettext_names | ngettext_names))
    call = re.compile(rf"\(0,[\w$]+\.(?P<name>{names})\)\(|(?<![\w.$])(?P<plain>n?gettext)\(")
    found: dict[tuple[str, str | None], set[str]] = {}
    for path, source in sources.items():
        for match in call.finditer(source):
            plural = match.group("plain") == "ngettext" or match.group("name") in ngettext_names
            rest = source[match.end() : match.end() + 2000]
            pattern = _STRING + r"\s*,\s*" + _STRING + r"\s*," if plural else _STRING + r"\s*[,)]"
            literal = re.match(pattern, rest)
            if not literal:
                continue
            singular = _unquote(literal.group(1))
            if singular is None:
                continue
            key = (singular, _unquote(literal.group(2)) if plural else None)
            found.setdefault(key, set()).add(str(path.relative_to(root)))
    return [Msg(msgid=s, plural=p, where=tuple(sorted(w))) for (s, p), w in sorted(found.items())]


# --- django: Python code and templates ------------------------------------------------


def python_msgids(root: Path | None = None) -> list[Msg]:
    """The django-domain msgids of the installed Wagtail apps, as makemessages extracts them (needs xgettext)."""
    import shutil
    import tempfile

    from django.core.management import call_command

    root = root or wagtail_root()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "wagtail"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
        for name in NOT_INSTALLED:
            shutil.rmtree(copy / name, ignore_errors=True)
        for tests in list(copy.rglob("tests")):
            shutil.rmtree(tests, ignore_errors=True)
        (Path(tmp) / "locale").mkdir()

        from django.test.utils import override_settings

        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            # Without LOCALE_PATHS, makemessages writes into the temporary directory only.
            with override_settings(LOCALE_PATHS=[]):
                call_command("makemessages", locale=["en"], no_wrap=True, verbosity=0)
        finally:
            os.chdir(cwd)
        return _read_po(Path(tmp) / "locale" / "en" / "LC_MESSAGES" / "django.po")


def _read_po(path: Path) -> list[Msg]:
    """msgid, msgid_plural, msgctxt and #: references of a PO file (enough for makemessages' output)."""
    import ast

    messages: list[Msg] = []
    current: dict[str, str] = {}
    refs: list[str] = []
    last = ""

    def flush():
        if current.get("msgid"):
            messages.append(
                Msg(msgid=current["msgid"], plural=current.get("msgid_plural"), context=current.get("msgctxt"), where=tuple(refs))
            )

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            current, refs, last = {}, [], ""
        elif line.startswith("#:"):
            refs.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if last:
                current[last] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword.startswith("msgstr"):
                last = ""
                continue
            last = keyword
            current[keyword] = ast.literal_eval(value)
    flush()
    return messages


# --- what the active catalogues translate ------------------------------------------------


def missing(messages: list[Msg], *, domain: str = "django", language: str = "zh-hans") -> list[Msg]:
    """The messages the catalogues of `domain` (apps and LOCALE_PATHS) leave untranslated in `language`."""
    from django.utils import translation
    from django.utils.translation.trans_real import DjangoTranslation

    if domain == "django":
        with translation.override(language):

            def translated(m: Msg) -> bool:
                if m.plural is None:
                    text = translation.pgettext(m.context, m.msgid) if m.context else translation.gettext(m.msgid)
                    return text != m.msgid
                text = (
                    translation.npgettext(m.context, m.msgid, m.plural, 2)
                    if m.context
                    else translation.ngettext(m.msgid, m.plural, 2)
                )
                return text not in (m.msgid, m.plural)

            return [m for m in messages if not translated(m)]
    catalogue = DjangoTranslation(language, domain=domain)._catalog
    result = []
    for m in messages:
        key = f"{m.context}\x04{m.msgid}" if m.context else m.msgid
        ok = bool(catalogue.get(key)) if m.plural is None else bool(catalogue.get((key, 0)))
        if not ok:
            result.append(m)
    return result
