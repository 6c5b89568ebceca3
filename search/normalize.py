"""Text normalisation shared by indexing, querying and highlighting (free of Django).

- `clean_input`: what a visitor types, made safe: control and format characters
  (NUL included) removed, whitespace collapsed.
- `normalise`: 繁体 to 简体 (OpenCC t2s) and full-width ASCII to half-width, on the
  indexed text and the query alike, so 營商環境 finds 营商环境.
- 文号 (document numbers): 珠发改〔2026〕12号, 珠发改[2026]12号, 珠发改【2026】第12号 and
  珠发改(2026)12号 are one 文号; `doc_number_tokens` gives the extra index tokens that
  make it, its issuer (珠发改, 发改) and its year findable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

# What a query may be: longer ones get a Chinese message, never a 500.
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 20
# Filter values (unit codes, types, categories) are short; anything longer is not one.
MAX_FILTER_CHARS = 100

_CONVERTER = opencc.OpenCC("t2s")

# Full-width ASCII (！ to ～) to half-width, the ideographic space to a space.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WHITESPACE = re.compile(r"\s+")


def clean_input(value: object) -> str:
    """A visitor's input without control or format characters (NUL, zero-width, bidi marks), whitespace collapsed.

    Whitespace controls (tab, line breaks) become spaces; the others are dropped.
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return " ".join(text.split())
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co"):
            kept.append(char)
    return " ".join("".join(kept).split())


def fold_width(text: str) -> str:
    return text.translate(_WIDTH)


def to_simplified(text: str) -> str:
    """繁体 → 简体 with OpenCC's t2s (phrase-aware; simplified text comes back unchanged)."""
    return _CONVERTER.convert(text) if text else text


def normalise(text: str) -> str:
    """The form both the index and the query are cut from: half-width ASCII, simplified characters."""
    if not text:
        return ""
    return to_simplified(fold_width(text))


@lru_cache(maxsize=4096)
def normalise_query(text: str) -> str:
    return _WHITESPACE.sub(" ", normalise(text)).strip()


# --- 文号 -----------------------------------------------------------------------

_OPEN = "〔[【(（［〖<《"
_CLOSE = "〕]】)）］〗>》"
# After fold_width, （ ） ［ ］ are ( ) [ ]; the others stay as they are.
DOC_NUMBER = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{1,10})\s*["
    + re.escape(_OPEN)
    + r"]\s*(?P<year>(?:19|20)\d{2})\s*["
    + re.escape(_CLOSE)
    + r"]\s*第?\s*(?P<number>\d{1,6})\s*号"
)
# The shortest issuer suffix indexed on its own (发改 of 珠发改).
MIN_ISSUER_PART = 2


@dataclass(frozen=True)
class DocNumber:
    issuer: str
    year: str
    number: str

    @property
    def canonical(self) -> str:
        return canonical_doc_number(self.issuer, self.year, self.number)

    def issuer_parts(self) -> list[str]:
        """The issuer and its suffixes of MIN_ISSUER_PART characters or more (珠发改, 发改)."""
        parts = [self.issuer[start:] for start in range(len(self.issuer)) if len(self.issuer) - start >= MIN_ISSUER_PART]
        return parts or [self.issuer]

    def pattern(self) -> str:
        """A regular expression matching this 文号 in any of its written forms (for highlighting)."""
        return (
            re.escape(self.issuer)
            + r"\s*["
            + re.escape(_OPEN)
            + r"]\s*"
            + self.year
            + r"\s*["
            + re.escape(_CLOSE)
            + r"]\s*第?\s*0*"
            + self.number
            + r"\s*[号號]"
        )


def canonical_doc_number(issuer: str, year: str, number: str) -> str:
    return f"{issuer}〔{year}〕{int(number)}号"


def find_doc_numbers(text: str) -> list[tuple[int, int, DocNumber]]:
    """(start, end, 文号) of every 文号 in normalised text."""
    return [
        (match.start(), match.end(), DocNumber(match["issuer"], match["year"], str(int(match["number"]))))
        for match in DOC_NUMBER.finditer(text)
    ]


def doc_number_tokens(text: str) -> list[str]:
    """Extra index tokens for every 文号 in normalised text.

    The canonical 文号 with its issuer and each issuer suffix (珠发改〔2026〕12号, 发改〔2026〕12号),
    the issuer and its suffixes (珠发改, 发改) and the year: jieba alone cuts 珠发改〔2026〕12号
    into 珠发 / 改 / 2026 / 12 / 号, which 发改 does not find. In running text the issuer is
    the run of characters before the bracket (根据珠发改 …), whose suffixes include the real one.
    """
    if "号" not in text:
        return []
    tokens: list[str] = []
    for _, _, number in find_doc_numbers(text):
        for part in number.issuer_parts():
            tokens.append(canonical_doc_number(part, number.year, number.number))
            tokens.append(part)
        tokens.append(number.year)
    return tokens
