"""Marks query words in original (unsegmented) text with <mark>.

Chinese has no spaces, so a substring search of the query words finds them where
the reader sees them. The words are whole query words (and their parts of two
characters or more, synonyms, 文号 in any written form: search.segmentation's
QueryPlan), never a lone character inside another word: 珠府办 does not mark the
办 of 管理办法. Text in 繁体 is matched through its simplified form, character for
character, so 營商環境 is marked for 营商环境.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .normalize import normalise

ELLIPSIS = "…"
# How much of a long text is converted to find the first match in 繁体.
_CONVERT_WINDOW = 20_000


def _pattern(terms: Iterable[str], patterns: Iterable[str] = ()) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    alternatives = [*patterns, *(re.escape(t) for t in words)]
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the pattern matches, in the text's simplified form when that has the same length."""
    converted = normalise(text)
    haystack = converted if len(converted) == len(text) else text
    return [(m.start(), m.end()) for m in pattern.finditer(haystack) if m.end() > m.start()]


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(text: str, terms: list[str], patterns: Iterable[str] = ()) -> SafeString:
    pattern = _pattern(terms, patterns)
    if pattern is None or not text:
        return mark_safe(escape(text))
    return mark_safe(_render(text, _spans(text, pattern)))


def _first_match(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    if match:
        return match.start()
    window = text[:_CONVERT_WINDOW]
    converted = normalise(window)
    if len(converted) == len(window) and converted != window:
        match = pattern.search(converted)
        if match:
            return match.start()
    return None


def snippet(text: str, terms: list[str], *, patterns: Iterable[str] = (), length: int = 120, lead: int = 24) -> SafeString:
    """A window of `text` around the first query word, highlighted."""
    text = " ".join(text.split())
    pattern = _pattern(terms, patterns)
    first = _first_match(text, pattern) if pattern else None
    start = max(0, first - lead) if first is not None else 0
    window = text[start : start + length]
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if start + length < len(text) else ""
    return mark_safe(prefix + highlight(window, terms, patterns) + suffix)
