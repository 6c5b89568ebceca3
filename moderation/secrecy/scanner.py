"""The 保密审查 scanner: markings, internal markings, personal data and dictionary words in text.

Pure Python on purpose (see the package docstring). Everything the scanner
reports carries offsets into the text it was given, so the moderation UI can
highlight the hit in the editor's own text.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .extract import extract_document_text

__all__ = [
    "BUILT_IN_INTERNAL_PHRASES",
    "FINDING_LABELS",
    "PERSONAL_KINDS",
    "Finding",
    "FindingKind",
    "SecrecyScanner",
    "is_valid_resident_id",
    "luhn_valid",
    "mask_personal_number",
    "mask_personal_numbers",
]


class FindingKind(StrEnum):
    MARKING = "marking"
    INTERNAL = "internal"
    ID_NUMBER = "id_number"
    SUSPECTED_ID_NUMBER = "suspected_id_number"
    MOBILE = "mobile"
    BANK_CARD = "bank_card"
    SENSITIVE_WORD = "sensitive_word"


FINDING_LABELS: dict[FindingKind, str] = {
    FindingKind.MARKING: "密级标志",
    FindingKind.INTERNAL: "内部信息标志",
    FindingKind.ID_NUMBER: "居民身份证号",
    FindingKind.SUSPECTED_ID_NUMBER: "疑似居民身份证号",
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
            "excerpt": mask_personal_numbers(self.excerpt),
            "detail": self.detail,
        }


PERSONAL_KINDS = frozenset({FindingKind.ID_NUMBER, FindingKind.SUSPECTED_ID_NUMBER, FindingKind.MOBILE, FindingKind.BANK_CARD})
# Runs of eleven or more digits (a space or hyphen allowed between digits, as
# in card and phone numbers): any of them in an excerpt, a page title or a
# mail may be a personal number.
_LONG_NUMBER = re.compile(r"[0-9０-９](?:[ 　\-－]?[0-9０-９]){9,}[ 　\-－]?[0-9０-９xXＸｘ]")


def mask_personal_number(value: str) -> str:
    """138****5678, 1101**********002X: the first three (four if longer than a mobile) and last four kept."""
    positions = [i for i, c in enumerate(value) if c.isdigit() or c in "xXＸｘ"]
    head = 3 if len(positions) <= 11 else 4
    chars = list(value)
    for i in positions[head:-4]:
        chars[i] = "*"
    return "".join(chars)


def mask_personal_numbers(text: str) -> str:
    """``text`` with every run of eleven or more digits masked as by mask_personal_number.

    For whatever leaves the page with a finding: excerpts, titles and labels in
    stored findings, log entries and e-mail.
    """
    return _LONG_NUMBER.sub(lambda match: mask_personal_number(match.group()), text)


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
    total = sum(int(digit) * weight for digit, weight in zip(candidate[:17], _ID_WEIGHTS, strict=False))
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

# The internal markings printed on material that is not to be published. A
# space stands for optional blanks ("内部资料 注意保管", "内部资料注意保管").
# The information centre's dictionary (敏感词库) adds its own words to these;
# a dictionary word that is also one of these is reported once, with the note
# the dictionary gives it.
BUILT_IN_INTERNAL_PHRASES: tuple[str, ...] = (
    "内部资料 注意保管",
    "内部资料",
    "内部文件",
    "内部参考",
    "内部传阅",
    "注意保存",
    "不得外传",
    "请勿外传",
    "不宜公开",
    "此件不公开",
    "仅供内部参考",
    "仅供内部使用",
    "仅供内部交流",
    "仅供内部学习",
    "仅供内部",
    "涉密",
)
_INTERNAL_DETAILS = {"涉密": "含“涉密”字样，请确认内容不涉及国家秘密"}


def _phrase_pattern(phrase: str) -> str:
    parts = [re.escape(part) for part in phrase.split(" ")]
    pattern = r"[ \t]*".join(parts)
    if phrase == "涉密":
        # "非涉密" / "不涉密" say the opposite; the look-behind sits after the
        # first character so that the pattern still starts with a literal.
        pattern = "涉(?<![非不无未]涉)密"
    return pattern


# Longest first: at one position the regex alternation takes the first that matches.
_INTERNAL_PATTERN = re.compile(
    "|".join(_phrase_pattern(phrase) for phrase in sorted(BUILT_IN_INTERNAL_PHRASES, key=len, reverse=True))
)
_BLANKS = re.compile(r"[ \t]+")

# "(?<![0-9][1-9])" after the first digit: the number must not continue a
# longer digit run. 6-8-4 grouping ("110105 19491231 002X") is how ID numbers
# are written on forms. The 15-digit IDs issued before 1999 are not detected:
# they have no check digit, so any 15-digit number with a plausible date would
# be reported, and they expired long ago.
_ID_PATTERN = re.compile(
    r"[1-9](?<![0-9][1-9])[0-9]{5}(?P<sep> ?)(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9](?P=sep)[0-9]{3}[0-9Xx](?![0-9])",
    re.ASCII,
)
# An ID-shaped number right after a label is personal data even when it fails
# the checks of is_valid_resident_id (a mistyped digit, or a number made up for
# the form): reported as 疑似. The label makes a false alarm unlikely, so the
# 15-digit numbers issued before 1999 count here too.
_ID_LABELS = (
    "公民身份证号码", "居民身份证号码", "公民身份号码", "身份证件号码", "居民身份证号", "身份证号码",
    "居民身份证", "身份证号", "证件号码", "身份号码", "身份证", "证件号",
)  # fmt: skip
_LABELLED_ID_PATTERN = re.compile(
    "(?:" + "|".join(sorted(_ID_LABELS, key=len, reverse=True)) + ")"
    r"[ \t]*(?:(?:为|是)[ \t]*)?(?:[:：][ \t]*)?"
    r"(?P<number>[0-9]{6} ?[0-9]{8} ?[0-9]{3}[0-9Xx](?![0-9])|[0-9]{15}(?![0-9Xx]))"
)


def _id_problem(number: str) -> str:
    """Why a labelled number is not a valid ID number, for the reviewer."""
    candidate = number.replace(" ", "").upper()
    if len(candidate) == 15:
        return "为 15 位旧版号码"
    if candidate[:2] not in _PROVINCE_CODES:
        return "地区码不存在"
    try:
        birth = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return "出生日期无效"
    if birth.year < 1900 or birth > date.today():
        return "出生日期无效"
    return "校验位不符"


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
        self._entries: set[str] = set()
        for entry in sensitive_words:
            word, note = (entry, "") if isinstance(entry, str) else entry
            word = word.strip()
            # The note column of the dictionary table may be empty (NULL).
            note = (note or "").strip()
            if not word:
                continue
            key = _BLANKS.sub(" ", _fold(_normalise(word)))
            self._entries.add(key)
            # "请勿 转发" in the dictionary is meant to match "请勿转发" too.
            for variant in {key, key.replace(" ", "")}:
                known = self._words.get(variant)
                # Duplicate rows in the dictionary table: keep the first note given.
                if known is None or (not known[1] and note):
                    self._words[variant] = (word, note)
        self._automaton = _WordAutomaton(self._words) if self._words else None

    @property
    def sensitive_word_count(self) -> int:
        return len(self._entries)

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
            add(FindingKind.INTERNAL, match.start(), match.end(), _INTERNAL_DETAILS.get(match.group(), ""))
        # Markings by span, so that a dictionary word that is also a built-in
        # marking gives the reviewer one finding (with the dictionary's note).
        built_in = {(finding.start, finding.end): index for index, finding in enumerate(findings)}

        taken: list[tuple[int, int]] = []
        for match in _ID_PATTERN.finditer(normalised):
            if is_valid_resident_id(match.group()):
                taken.append(match.span())
                add(FindingKind.ID_NUMBER, *match.span())
        for match in _LABELLED_ID_PATTERN.finditer(normalised):
            span = match.span("number")
            if not _overlaps(*span, taken):
                taken.append(span)
                add(FindingKind.SUSPECTED_ID_NUMBER, *span, f"标注为身份证号码，但{_id_problem(match.group('number'))}")
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
                same = built_in.get((start, end))
                if same is None:
                    add(FindingKind.SENSITIVE_WORD, start, end, note)
                elif note:
                    findings[same] = replace(findings[same], detail=note)

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
