"""Marks query words in original (unsegmented) text with <mark>.

Chinese has no spaces, so a plain substring search of the query words finds
them where the reader sees them, inside longer compounds too.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ELLIPSIS = "…"


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    terms = [t for t in terms if t]
    if not terms:
        return None
    ordered = sorted(set(terms), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: list[str], *, length: int = 120, lead: int = 24) -> SafeString:
    """A window of `text` around the first query word, highlighted."""
    text = " ".join(text.split())
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - lead) if match else 0
    window = text[start : start + length]
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if start + length < len(text) else ""
    return mark_safe(prefix + highlight(window, terms) + suffix)
