"""保密审查（secrecy review）扫描器。

Pure Python on purpose: the scanner runs inside the publishing workflow, in
management commands and in the benchmark, so it must not import Django. The
calling code gathers the page title, body, StreamField block texts and
attachments and hands them over as plain strings and bytes.

Everything the scanner reports carries offsets into the text it was given, so
the moderation UI can highlight the hit in the editor's own text.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError as ElementTreeParseError

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "FINDING_LABELS",
    "Finding",
    "FindingKind",
    "SecrecyScanner",
    "UnsupportedDocument",
    "extract_document_text",
    "is_valid_resident_id",
    "luhn_valid",
]


class FindingKind(StrEnum):
    MARKING = "marking"
    INTERNAL = "internal"
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    BANK_CARD = "bank_card"
    SENSITIVE_WORD = "sensitive_word"


FINDING_LABELS: dict[FindingKind, str] = {
    FindingKind.MARKING: "密级标志",
    FindingKind.INTERNAL: "内部信息标志",
    FindingKind.ID_NUMBER: "居民身份证号",
    FindingKind.MOBILE: "手机号码",
    FindingKind.BANK_CARD: "银行卡号",
    FindingKind.SENSITIVE_WORD: "敏感词",
}

# Used to sort findings that start at the same offset deterministically.
_KIND_ORDER: dict[FindingKind, int] = {kind: index for index, kind in enumerate(FindingKind)}

# Characters of context on each side of a hit shown to the reviewer.
EXCERPT_RADIUS = 20


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    field: str
    start: int
    end: int
    match: str
    excerpt: str
    detail: str = ""

    @property
    def label(self) -> str:
        return FINDING_LABELS[self.kind]

    def as_dict(self) -> dict[str, str | int]:
        """The finding as it is stored, logged and mailed: personal numbers masked.

        Findings outlive the page they were found in (task states, logs,
        e-mail); a blocked ID or card number must not be copied into them.
        """
        personal = self.kind in PERSONAL_KINDS
        return {
            "kind": self.kind.value,
            "label": self.label,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "match": mask_personal_number(self.match) if personal else self.match,
            "excerpt": _LONG_NUMBER.sub(lambda m: mask_personal_number(m.group()), self.excerpt),
            "detail": self.detail,
        }


PERSONAL_KINDS = frozenset({FindingKind.ID_NUMBER, FindingKind.MOBILE, FindingKind.BANK_CARD})
# Runs of eleven or more digits (spaces allowed inside, as in card numbers):
# any of them in an excerpt may be a neighbouring personal number.
_LONG_NUMBER = re.compile(r"[0-9０-９](?:[ 　]?[0-9０-９]){9,}[ 　]?[0-9０-９xXＸｘ]")


def mask_personal_number(value: str) -> str:
    """138****5678, 1101**********002X: the first three (four if longer than a mobile) and last four kept."""
    positions = [i for i, c in enumerate(value) if c.isdigit() or c in "xXＸｘ"]
    head = 3 if len(positions) <= 11 else 4
    chars = list(value)
    for i in positions[head:-4]:
        chars[i] = "*"
    return "".join(chars)


class UnsupportedDocument(ValueError):
    """An attachment the scanner cannot read; it must be reviewed by a person."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"附件《{name}》无法进行保密审查：{reason}")


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def _build_normalise_map() -> dict[str, str]:
    # Every entry maps exactly one character to exactly one character, so the
    # normalised text has the same length as the original and every offset found
    # in it is valid for the original text as well.
    mapping: dict[str, str] = {}
    # Full-width digits, Latin letters (the Ｘ of an ID number) and the symbols
    # the detectors look at, as typed with a Chinese IME. Full-width
    # punctuation such as "，" and "：" is left alone on purpose: it is frequent
    # in Chinese text, the patterns accept it as it is, and mapping it would
    # only cost time.
    for char in "０１２３４５６７８９＋－＊．／ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ":
        mapping[char] = chr(ord(char) - 0xFEE0)
    for space in "\u3000\u00a0\u2002\u2003\u2009\u202f":
        mapping[space] = " "
    # Star look-alikes produced by fonts, symbol pickers and PDF extraction.
    for star in "\u272d\u272e\u272f\u2730\u2b50\u2b51\u2726":
        mapping[star] = "★"
    for white_star in "\u2729\u272b\u272c\u2b52\u2727":
        mapping[white_star] = "☆"
    for asterisk in "\ufe61\u2217\u2731\u2732\u204e\u22c6":
        mapping[asterisk] = "*"
    for hyphen in "\u2010\u2011\u2012\u2013\u2212\ufe63":
        mapping[hyphen] = "-"
    return mapping


_NORMALISE_MAP = _build_normalise_map()
# A substitution that only visits the (rare) characters to map is about ten
# times faster than str.translate, which looks up every character of the text.
_NEEDS_NORMALISING = re.compile("[" + "".join(re.escape(char) for char in _NORMALISE_MAP) + "]")
_ASCII_UPPER = re.compile("[A-Z]")


def _normalise(text: str) -> str:
    return _NEEDS_NORMALISING.sub(lambda match: _NORMALISE_MAP[match.group()], text)


def _fold(normalised: str) -> str:
    # The word matcher is case-insensitive for Latin letters; only ASCII is
    # folded because str.lower() is not length-preserving for every script.
    return _ASCII_UPPER.sub(lambda match: match.group().lower(), normalised)


_WHITESPACE_RUN = re.compile(r"\s+")


def _excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - EXCERPT_RADIUS)
    right = min(len(text), end + EXCERPT_RADIUS)
    snippet = _WHITESPACE_RUN.sub(" ", text[left:right]).strip()
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    return f"{prefix}{snippet}{suffix}"


# ---------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes, plus 81/82/83 used for the residence permits
# of Hong Kong, Macao and Taiwan residents. Checking them halves the rate at
# which random 18-digit numbers pass as ID numbers.
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def is_valid_resident_id(number: str) -> bool:
    """Whether ``number`` is a plausible 18-digit 居民身份证号 (GB 11643-1999).

    Checks the ISO 7064 MOD 11-2 check digit, the province code and that the
    birth date exists and lies between 1900-01-01 and today.
    """
    candidate = _normalise(number).replace(" ", "").upper()
    if not _ID_SHAPE.fullmatch(candidate):
        return False
    if candidate[:2] not in _PROVINCE_CODES:
        return False
    try:
        birth = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    if birth.year < 1900 or birth > date.today():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(candidate[:17], _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11] == candidate[17]


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by bank card numbers; spaces are ignored."""
    candidate = digits.replace(" ", "")
    if len(candidate) < 2 or not candidate.isascii() or not candidate.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(candidate)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# ---------------------------------------------------------------------------
# Patterns (applied to the normalised text)
# ---------------------------------------------------------------------------

_LEVEL = r"(?P<level>绝密|机密|秘密)"
# 保密期限: "1年", "6个月", "长期", a date until which it stays secret, or
# "启用前" as printed on examination papers.
_PERIOD = (
    r"(?P<period>[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日(?:前|止)?"
    r"|[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}"
    r"|[0-9]+[ \t]*(?:年|个月|月|天|日)"
    r"|长期|启用前)"
)
# "**商业秘密**" in Markdown must not look like a "秘密*" marking.
_STAR = r"(?:[★☆]|\*(?!\*))"

# Every pattern below starts with a literal or a character class and keeps
# context checks out of its first position: that lets the regex engine jump
# straight to candidate positions instead of trying the pattern at every
# character of a 70,000-character attachment. Where the context is "what comes
# before the match", it is either a look-behind placed after the first
# character or a small Python check on the candidate.


def _always(text: str, start: int) -> bool:
    return True


def _not_in_enumeration(text: str, start: int) -> bool:
    # "绝密级、机密级和秘密级" lists the levels, it does not mark a document.
    return start == 0 or text[start - 1] not in "、和或及与"


def _starts_line(text: str, start: int) -> bool:
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    return not text[line_start:start].strip(" \t")


_MARKING_RULES: tuple[tuple[re.Pattern[str], Callable[[str, int], bool]], ...] = (
    # 机密★1年 / 秘密★长期 / 绝密★ / 秘密*
    (re.compile(rf"{_LEVEL}[ \t]*{_STAR}(?:[ \t]*{_PERIOD})?"), _always),
    # 密级：秘密 (optionally with star and 保密期限)
    (
        re.compile(
            rf"密级[ \t]*[:：]?[ \t]*{_LEVEL}(?:[ \t]*{_STAR})?"
            rf"(?:[ \t]*(?:保密期限[ \t]*[:：]?[ \t]*)?{_PERIOD})?"
        ),
        _always,
    ),
    # 秘密级 — but not the descriptive language of the 保密法 and of secrecy
    # training material ("绝密级国家秘密是…", "秘密级以上", "机密级和秘密级").
    (
        re.compile(rf"{_LEVEL}级(?!国家秘密|以上|以下|及以上|及以下|事项|涉密|载体|文件|人员|的|、|和|或|及|与)"),
        _not_in_enumeration,
    ),
    # A level standing alone on its own line, as in the top-left corner of a
    # 公文 (GB/T 9704); the same word inside a sentence is ordinary language.
    (re.compile(rf"{_LEVEL}(?:[ \t]*{_STAR})?(?:[ \t]*{_PERIOD})?(?=[ \t]*(?:[\r\n]|\Z))"), _starts_line),
)

_INTERNAL_PATTERN = re.compile(r"内部资料|内部文件|注意保存|不得外传|不宜公开|内部传阅|仅供内部(?:参考|使用|交流|学习)?")

# "(?<![0-9][1-9])" after the first digit: the number must not continue a
# longer digit run. 6-8-4 grouping ("110105 19491231 002X") is how ID numbers
# are written on forms. The 15-digit IDs issued before 1999 are not detected:
# they have no check digit, so any 15-digit number with a plausible date would
# be reported, and they expired long ago.
_ID_PATTERN = re.compile(
    r"[1-9](?<![0-9][1-9])[0-9]{5}(?P<sep> ?)(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9](?P=sep)[0-9]{3}[0-9Xx](?![0-9])",
    re.ASCII,
)
# The optional +86 / 0086 / 86 prefix is attached in Python (_mobile_spans) so
# the pattern can start with its literal "1".
_MOBILE_PATTERN = re.compile(r"1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)[0-9]{4}(?![0-9])", re.ASCII)
_MOBILE_PREFIX = re.compile(r"(?:\+|00)?86[ -]?\Z", re.ASCII)
# Grouped numbers must not be preceded or followed by another group: a longer
# grouped run (e.g. a 24-digit account or serial number) is not a card number.
_BANK_CARD_PATTERN = re.compile(
    r"[0-9](?<![0-9]{2})"
    r"(?:[0-9]{15,18}(?![0-9])|(?<![0-9] [0-9])[0-9]{3}(?: [0-9]{4}){3}(?: [0-9]{1,3})?(?! ?[0-9]))",
    re.ASCII,
)
_ASCII_DIGITS = frozenset("0123456789")
_REPEATED_DIGIT = re.compile(r"([0-9])\1*", re.ASCII)


def _mobile_spans(normalised: str) -> Iterator[tuple[int, int]]:
    for match in _MOBILE_PATTERN.finditer(normalised):
        start = match.start()
        prefix = _MOBILE_PREFIX.search(normalised, max(0, start - 6), start)
        if prefix is not None:
            start = prefix.start()
        # Eleven digits in the middle of a longer number are not a phone number.
        if start > 0 and normalised[start - 1] in _ASCII_DIGITS:
            continue
        yield start, match.end()


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _leftmost_longest(candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping candidates, preferring the earliest, then the longest."""
    chosen: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, payload in sorted(candidates, key=lambda item: (item[0], item[0] - item[1])):
        if start >= last_end:
            chosen.append((start, end, payload))
            last_end = end
    return chosen


# ---------------------------------------------------------------------------
# Sensitive-word matcher
# ---------------------------------------------------------------------------


class _WordAutomaton:
    """Aho-Corasick automaton over the folded sensitive words.

    One pass over the text finds every dictionary word regardless of the
    dictionary size, which is what lets the information centre's list grow to
    thousands of entries without slowing publishing down.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        own_length: list[int] = [0]
        for word in words:
            state = 0
            for char in word:
                next_state = self._goto[state].get(char)
                if next_state is None:
                    next_state = len(self._goto)
                    self._goto.append({})
                    self._fail.append(0)
                    own_length.append(0)
                    self._goto[state][char] = next_state
                state = next_state
            own_length[state] = len(word)

        # Breadth-first, so a state's failure target is always finished before
        # the state itself; the output of each state then includes the outputs
        # along its failure chain and scanning needs a single lookup per char.
        self._outputs: list[tuple[int, ...]] = [()] * len(self._goto)
        queue: deque[int] = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            own = (own_length[state],) if own_length[state] else ()
            self._outputs[state] = own + self._outputs[self._fail[state]]
            for char, child in self._goto[state].items():
                fallback = self._fail[state]
                while fallback and char not in self._goto[fallback]:
                    fallback = self._fail[fallback]
                target = self._goto[fallback].get(char, 0) if state else 0
                self._fail[child] = target
                queue.append(child)
        self._first_chars = re.compile("[" + "".join(re.escape(char) for char in self._goto[0]) + "]")

    def find_all(self, text: str) -> list[tuple[int, int]]:
        """All (start, end) occurrences, overlapping ones included."""
        lookups = [transitions.get for transitions in self._goto]
        fail = self._fail
        outputs = self._outputs
        # In the root state only a character that starts some word can lead
        # anywhere; the regex engine finds the next such character in C, so the
        # Python loop runs only over the few stretches that look like words.
        next_candidate = self._first_chars.search
        hits: list[tuple[int, int]] = []
        state = 0
        index = 0
        length = len(text)
        while index < length:
            if not state:
                candidate = next_candidate(text, index)
                if candidate is None:
                    break
                index = candidate.start()
            char = text[index]
            next_state = lookups[state](char)
            while next_state is None and state:
                state = fail[state]
                next_state = lookups[state](char)
            state = next_state or 0
            index += 1
            for word_length in outputs[state]:
                hits.append((index - word_length, index))
        return hits


# ---------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------


class SecrecyScanner:
    """Finds classification markings, internal markings, personal data and
    dictionary words in texts and attachments before they are published.

    Build it once per dictionary version and reuse it: constructing the word
    automaton is the expensive part, scanning is a single pass per pattern.
    """

    def __init__(self, *, sensitive_words: Iterable[str | tuple[str, str]] = ()) -> None:
        # Folded word → (word as maintained in the dictionary, note).
        self._words: dict[str, tuple[str, str]] = {}
        for entry in sensitive_words:
            word, note = (entry, "") if isinstance(entry, str) else entry
            word = word.strip()
            # The note column of the dictionary table may be empty (NULL).
            note = (note or "").strip()
            if not word:
                continue
            key = _fold(_normalise(word))
            known = self._words.get(key)
            # Duplicate rows in the dictionary table: keep the first note given.
            if known is None or (not known[1] and note):
                self._words[key] = (word, note)
        self._automaton = _WordAutomaton(self._words) if self._words else None

    @property
    def sensitive_word_count(self) -> int:
        return len(self._words)

    def scan_text(self, text: str, *, field: str) -> list[Finding]:
        if not text:
            return []
        normalised = _normalise(text)
        findings: list[Finding] = []

        def add(kind: FindingKind, start: int, end: int, detail: str = "") -> None:
            findings.append(
                Finding(
                    kind=kind,
                    field=field,
                    start=start,
                    end=end,
                    match=text[start:end],
                    excerpt=_excerpt(text, start, end),
                    detail=detail,
                )
            )

        for start, end, detail in self._markings(normalised):
            add(FindingKind.MARKING, start, end, detail)
        for match in _INTERNAL_PATTERN.finditer(normalised):
            add(FindingKind.INTERNAL, match.start(), match.end())

        taken: list[tuple[int, int]] = []
        for match in _ID_PATTERN.finditer(normalised):
            if is_valid_resident_id(match.group()):
                taken.append(match.span())
                add(FindingKind.ID_NUMBER, *match.span())
        for match in _BANK_CARD_PATTERN.finditer(normalised):
            digits = match.group().replace(" ", "")
            if _REPEATED_DIGIT.fullmatch(digits) or is_valid_resident_id(digits):
                continue
            if luhn_valid(digits) and not _overlaps(*match.span(), taken):
                taken.append(match.span())
                add(FindingKind.BANK_CARD, *match.span())
        for start, end in _mobile_spans(normalised):
            if not _overlaps(start, end, taken):
                add(FindingKind.MOBILE, start, end)

        if self._automaton is not None:
            folded = _fold(normalised)
            candidates = [(start, end, "") for start, end in self._automaton.find_all(folded)]
            for start, end, _ in _leftmost_longest(candidates):
                _, note = self._words[folded[start:end]]
                add(FindingKind.SENSITIVE_WORD, start, end, note)

        findings.sort(key=lambda finding: (finding.start, finding.end, _KIND_ORDER[finding.kind]))
        return findings

    def scan_fields(self, fields: Iterable[tuple[str, str]]) -> list[Finding]:
        findings: list[Finding] = []
        for field, text in fields:
            findings.extend(self.scan_text(text, field=field))
        return findings

    def scan_document(self, *, name: str, data: bytes, field: str) -> list[Finding]:
        return self.scan_text(extract_document_text(name=name, data=data), field=field)

    @staticmethod
    def _markings(normalised: str) -> list[tuple[int, int, str]]:
        candidates: list[tuple[int, int, str]] = []
        for pattern, accept in _MARKING_RULES:
            for match in pattern.finditer(normalised):
                if not accept(normalised, match.start()):
                    continue
                detail = f"密级：{match.group('level')}"
                period = match.groupdict().get("period")
                if period:
                    detail += f"；保密期限：{period}"
                candidates.append((match.start(), match.end(), detail))
        return _leftmost_longest(candidates)


# ---------------------------------------------------------------------------
# Document text extraction
# ---------------------------------------------------------------------------

_TEXT_SUFFIXES = frozenset({".txt", ".csv", ".md", ".html", ".htm"})
_LEGACY_OFFICE_HINTS = {
    ".doc": "旧版 Word 格式（.doc）不受支持，请另存为 .docx 后重新上传",
    ".wps": "WPS 文字格式（.wps）不受支持，请另存为 .docx 后重新上传",
    ".xls": "旧版 Excel 格式（.xls）不受支持，请另存为 .xlsx 后重新上传",
    ".et": "WPS 表格格式（.et）不受支持，请另存为 .xlsx 后重新上传",
}


# What zipfile raises for damaged .docx/.xlsx containers: a bad central
# directory or CRC, a corrupt deflate stream, a truncated member, or header
# fields announcing features (versions, compression methods) it does not have.
_ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)

# Office files are zip archives. A crafted one that inflates to gigabytes
# would exhaust the worker's memory; a real 政务 attachment stays far below
# these bounds (a 300-page report is some tens of megabytes of XML).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def _refuse_zip_bomb(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except _ZIP_ERRORS:
        return  # the format's own reader reports the damage
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 10 * 1024 * 1024 and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)):
        raise UnsupportedDocument(
            name, f"文件解压后达 {unpacked // (1024 * 1024)} MB，超出自动审查的限度（可能是恶意构造的文件），请人工审查"
        )


def _error_name(exc: BaseException) -> str:
    # Shown to the editor next to the reason; "zlib.error" says more than "error".
    module = type(exc).__module__
    name = type(exc).__qualname__
    return name if module == "builtins" else f"{module.split('.')[0]}.{name}"


def _suffix(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    return "." + base.rsplit(".", 1)[-1].lower()


def extract_document_text(*, name: str, data: bytes) -> str:
    """Plain text of an attachment, for scanning.

    Raises UnsupportedDocument for formats the scanner cannot read and for
    damaged files: an attachment that cannot be read must go to a person, it
    must never pass the review silently.
    """
    suffix = _suffix(name)
    if suffix == ".pdf":
        return _extract_pdf(name, data)
    if suffix == ".docx":
        return _extract_docx(name, data)
    if suffix == ".xlsx":
        return _extract_xlsx(name, data)
    if suffix in _TEXT_SUFFIXES:
        return _decode_text(name, data)
    if suffix in _LEGACY_OFFICE_HINTS:
        raise UnsupportedDocument(name, _LEGACY_OFFICE_HINTS[suffix])
    shown = suffix or "无扩展名"
    raise UnsupportedDocument(name, f"不支持的附件格式（{shown}），请人工审查")


def _extract_pdf(name: str, data: bytes) -> str:
    # Imported here so that text-only callers do not pay for loading pypdf.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only with an owner password (printing
            # restrictions) and open with an empty user password.
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise UnsupportedDocument(name, "PDF 已加密，服务器缺少解密组件，无法读取内容") from exc
            if not opened:
                raise UnsupportedDocument(name, "PDF 设置了打开密码，无法读取内容")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnsupportedDocument:
        raise
    # pypdf reports most damage as PyPdfError, but malformed objects and
    # streams surface as the builtin errors of the parsing code below it.
    except (
        PyPdfError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        NotImplementedError,  # stream filters pypdf does not implement
        zlib.error,
        struct.error,
    ) as exc:
        raise UnsupportedDocument(name, f"PDF 文件已损坏或无法解析（{_error_name(exc)}）") from exc
    if pages and not any(page.strip() for page in pages):
        # A scanned PDF yields no text; passing it would let a scanned
        # classified document through unchecked.
        raise UnsupportedDocument(name, "PDF 中没有可提取的文字（可能是扫描件或图片），请人工审查")
    return "\n".join(pages)


def _extract_docx(name: str, data: bytes) -> str:
    import docx
    from docx.opc.constants import CONTENT_TYPE
    from docx.opc.exceptions import OpcError
    from docx.opc.part import XmlPart
    from docx.oxml.parser import parse_xml
    from lxml.etree import XMLSyntaxError

    # Headers carry "内部资料 注意保存" more often than the body does; footnotes,
    # endnotes and comments are shipped inside the file and are published too.
    extra_types = (
        CONTENT_TYPE.WML_HEADER,
        CONTENT_TYPE.WML_FOOTER,
        CONTENT_TYPE.WML_FOOTNOTES,
        CONTENT_TYPE.WML_ENDNOTES,
        CONTENT_TYPE.WML_COMMENTS,
    )
    _refuse_zip_bomb(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
        roots = [document.element]
        for part in document.part.package.iter_parts():
            if part.content_type in extra_types:
                roots.append(part.element if isinstance(part, XmlPart) else parse_xml(part.blob))
        blocks = [text for root in roots if (text := _wordprocessing_text(root))]
    except _ZIP_ERRORS + (OpcError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise UnsupportedDocument(name, f"Word 文档已损坏或不是有效的 .docx 文件（{_error_name(exc)}）") from exc
    return "\n".join(blocks)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _wordprocessing_text(root: _Element) -> str:
    """Text of every paragraph under ``root``: body paragraphs, table cells at any
    nesting depth and text boxes, in document order, one paragraph per line.

    Deleted text of tracked changes (w:delText) is included because it stays in
    the published file and opens in any word processor.
    """
    paragraph_tag = f"{_W}p"
    run_tag = f"{_W}r"
    text_tags = {f"{_W}t", f"{_W}delText"}
    break_tags = {f"{_W}br", f"{_W}cr"}
    # w:tab is also the name of a tab-stop definition in paragraph properties;
    # only a w:tab inside a run is a tab character.
    tab_tag = f"{_W}tab"
    # Text boxes are stored twice (DrawingML and a VML fallback); read one copy.
    skipped = {node for fallback in root.iter(_MC_FALLBACK) for node in fallback.iter()}
    lines: list[str] = []
    current: list[str] = []
    for element in root.iter(paragraph_tag, *text_tags, *break_tags, tab_tag):
        if skipped and element in skipped:
            continue
        tag = element.tag
        if tag == paragraph_tag:
            if current:
                lines.append("".join(current))
                current = []
        elif tag in text_tags:
            current.append(element.text or "")
        elif tag in break_tags:
            current.append("\n")
        elif element.getparent() is not None and element.getparent().tag == run_tag:
            current.append("\t")
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


def _extract_xlsx(name: str, data: bytes) -> str:
    from lxml.etree import XMLSyntaxError
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_zip_bomb(name, data)
    lines: list[str] = []
    try:
        # read_only streams the sheets instead of building every cell object;
        # data_only reads cached formula results, which is what readers see.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Hidden sheets are included on purpose: they are published as well.
            for sheet in workbook.worksheets:
                lines.append(sheet.title)
                for row in sheet.iter_rows(values_only=True):
                    cells = [_cell_text(value) for value in row]
                    while cells and not cells[-1]:
                        cells.pop()
                    if cells:
                        lines.append("\t".join(cells))
        finally:
            workbook.close()
    except _ZIP_ERRORS + (
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        ElementTreeParseError,
        XMLSyntaxError,
    ) as exc:
        raise UnsupportedDocument(name, f"Excel 文件已损坏或不是有效的 .xlsx 文件（{_error_name(exc)}）") from exc
    return "\n".join(lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Phone and card numbers typed into a numeric cell come back as floats.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _decode_text(name: str, data: bytes) -> str:
    # Windows Notepad saves "Unicode" as UTF-16 with a byte-order mark.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        # Files exported from older Chinese Windows software are GBK/GB18030.
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedDocument(name, "无法识别文件的文字编码（支持 UTF-8、UTF-16 和 GB18030）")

