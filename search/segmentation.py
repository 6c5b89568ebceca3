"""Chinese word segmentation for indexing and querying (jieba via rjieba).

Indexing uses search-engine mode (a compound and the words inside it), so
国民经济发展规划 is indexed as 国民经济, 国民, 经济, 发展, 规划, 发展规划 …;
queries use precise mode, so a query word matches the indexed words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import rjieba

_SPLIT = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _is_word(token: str) -> bool:
    return token.isalnum() or (bool(token) and not _PUNCT.match(token))


def _tokens(text: str, *, search_mode: bool) -> list[str]:
    out: list[str] = []
    for word in rjieba.cut_for_search(text) if search_mode else rjieba.cut(text):
        word = word.strip()
        if _is_word(word):
            out.append(word)
    return out


def segment_for_index(text: str | None) -> str:
    """Text for Wagtail's own index (to_tsvector): segmented, and cut before its vector passes 1 MB.

    PostgreSQL refuses a whole tsvector over 1 MB ("string is too long for
    tsvector"), which would make the page impossible to publish. Short texts
    cannot get there and are joined as they are; for long ones the vector's
    size is counted as PostgreSQL counts it and the rest is left out.
    """
    # Punctuation is left in: to_tsvector drops it, and filtering every token
    # in Python would cost three times the segmentation itself.
    if not text:
        return ""
    text = str(text)
    tokens = rjieba.cut_for_search(text)
    # cut_for_search yields at most about six times the text's bytes (4 per character at most).
    if len(text) * 4 * 6 <= WAGTAIL_VECTOR_BYTES:
        return " ".join(tokens)
    seen: dict[str, int] = {}
    size = 0
    kept: list[str] = []
    for token in tokens:
        lexeme = token.lower()
        count = seen.get(lexeme)
        if count is None:
            cost = len(lexeme.encode()) + _LEXEME_OVERHEAD
            if size + cost > WAGTAIL_VECTOR_BYTES:
                break
            seen[lexeme] = 1
            size += cost
        elif count < _MAX_POSITIONS_PER_LEXEME:
            if size + _POSITION_BYTES > WAGTAIL_VECTOR_BYTES:
                break
            seen[lexeme] = count + 1
            size += _POSITION_BYTES
        kept.append(token)
    return " ".join(kept)


@lru_cache(maxsize=4096)
def segment_query(query: str) -> str:
    return " ".join(_tokens(query, search_mode=False))


def query_terms(query: str) -> list[str]:
    return segment_query(query).split()


# PostgreSQL limits: positions up to 16383, at most 256 positions per lexeme,
# a lexeme below 2,047 bytes ("word is too long"), and a whole vector below
# 1 MB ("string is too long for tsvector"): lexemes, their position counts
# (2 bytes, aligned) and positions (2 bytes each).
_MAX_POSITION = 16383
_MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2046
# Below PostgreSQL's 1,048,575 bytes, with room to spare.
MAX_VECTOR_BYTES = 1_000_000
# Wagtail's index combines several fields' vectors, and PostgreSQL's parser
# may split a jieba token into more lexemes than counted here.
WAGTAIL_VECTOR_BYTES = 600_000
_POSITION_BYTES = 2
# Alignment (at most 1), the count of positions (2) and the first position (2).
_LEXEME_OVERHEAD = 1 + 2 + _POSITION_BYTES


# Position labels ("17C") formatted once: the indexer needs one per token and
# formatting them per call was a fifth of the indexing time.
_POSITION_LABELS = {weight: [f"{p}{weight}" for p in range(_MAX_POSITION + 1)] for weight in "ABCD"}


@dataclass(frozen=True)
class TsVector:
    """A tsvector literal and what had to be left out to stay within PostgreSQL's limits."""

    literal: str
    # Tokens over MAX_LEXEME_BYTES, indexed by their first MAX_LEXEME_BYTES bytes.
    cut_tokens: int = 0
    # Distinct words and further positions left out once the vector reached MAX_VECTOR_BYTES.
    dropped_lexemes: int = 0
    dropped_positions: int = 0

    @property
    def truncated(self) -> bool:
        return bool(self.cut_tokens or self.dropped_lexemes or self.dropped_positions)

    def note(self) -> str:
        parts = []
        if self.cut_tokens:
            parts.append(f"{self.cut_tokens} 个超过 {MAX_LEXEME_BYTES} 字节的词只索引其开头 {MAX_LEXEME_BYTES} 字节")
        if self.dropped_lexemes or self.dropped_positions:
            parts.append(
                f"检索向量达到 {MAX_VECTOR_BYTES} 字节上限，其后 {self.dropped_lexemes} 个不同的词"
                f"与 {self.dropped_positions} 处重复出现未编入索引"
            )
        return "；".join(parts)


def _cut_to_bytes(token: str, limit: int) -> str:
    return token.encode()[:limit].decode(errors="ignore")


def _fits(parts: list[tuple[str, str]]) -> bool:
    """Whether the parts cannot reach MAX_VECTOR_BYTES whatever their words.

    cut_for_search yields at most about six times a text's bytes (4 per
    character at most) and at most about three tokens per character, each
    costing _LEXEME_OVERHEAD: up to about 25,000 characters, which most
    pages are, the size need not be counted (long tokens are still cut).
    """
    chars = sum(len(text) for text, _ in parts if text)
    return chars * (4 * 6 + 3 * _LEXEME_OVERHEAD) <= MAX_VECTOR_BYTES


def build_tsvector(parts: list[tuple[str, str]]) -> TsVector:
    """A tsvector in PostgreSQL's input syntax from (text, weight) parts, segmented by jieba.

    Built here rather than with to_tsvector(): PostgreSQL's parser spends more
    time on segmented Chinese text than the segmentation itself, and the
    lexemes are then exactly the ones tsquery_text() produces for queries.
    Whatever PostgreSQL would refuse is cut here instead, and counted: parts
    come in order of weight, so the title is always kept whole. Only new
    lexemes are measured in bytes; a repeated word costs one position.
    """
    if _fits(parts):
        return _small_tsvector(parts)
    positions: dict[str, list[str]] = {}
    position = 0
    size = 0
    cut = dropped_lexemes = dropped_positions = 0
    punct = _PUNCT.match
    for text, weight in parts:
        if not text:
            continue
        labels = _POSITION_LABELS[weight]
        for token in rjieba.cut_for_search(text):
            if not token.isalnum():
                token = token.strip()
                if not token or punct(token):
                    continue
            if position < _MAX_POSITION:
                position += 1
            # Lower-cased here so case variants share one entry and its cap.
            token = token.lower()
            entry = positions.get(token)
            if entry is None:
                length = len(token.encode())
                if length > MAX_LEXEME_BYTES:
                    cut += 1
                    token = _cut_to_bytes(token, MAX_LEXEME_BYTES)
                    length = len(token.encode())
                    entry = positions.get(token)
            if entry is None:
                if size + length + _LEXEME_OVERHEAD > MAX_VECTOR_BYTES:
                    dropped_lexemes += 1
                    continue
                size += length + _LEXEME_OVERHEAD
                positions[token] = [labels[position]]
            elif len(entry) < _MAX_POSITIONS_PER_LEXEME:
                if size + _POSITION_BYTES > MAX_VECTOR_BYTES:
                    dropped_positions += 1
                    continue
                size += _POSITION_BYTES
                entry.append(labels[position])
    return TsVector(
        literal=_literal(positions), cut_tokens=cut, dropped_lexemes=dropped_lexemes, dropped_positions=dropped_positions
    )


def _small_tsvector(parts: list[tuple[str, str]]) -> TsVector:
    """build_tsvector() for parts that _fits(): the same lexemes, without the accounting (the indexer's hot loop)."""
    positions: dict[str, list[str]] = {}
    position = 0
    cut = 0
    punct = _PUNCT.match
    for text, weight in parts:
        if not text:
            continue
        labels = _POSITION_LABELS[weight]
        for token in rjieba.cut_for_search(text):
            if not token.isalnum():
                token = token.strip()
                if not token or punct(token):
                    continue
            if position < _MAX_POSITION:
                position += 1
            token = token.lower()
            entry = positions.get(token)
            if entry is None:
                if len(token) > MAX_LEXEME_BYTES // 4 and len(token.encode()) > MAX_LEXEME_BYTES:
                    cut += 1
                    token = _cut_to_bytes(token, MAX_LEXEME_BYTES)
                    entry = positions.get(token)
                if entry is None:
                    positions[token] = [labels[position]]
                    continue
            if len(entry) < _MAX_POSITIONS_PER_LEXEME:
                entry.append(labels[position])
    return TsVector(literal=_literal(positions), cut_tokens=cut)


def _literal(positions: dict[str, list[str]]) -> str:
    return " ".join(f"{_quote(lexeme)}:{','.join(entry)}" for lexeme, entry in positions.items())


def tsvector_literal(parts: list[tuple[str, str]]) -> str:
    """Only the literal of build_tsvector()."""
    return build_tsvector(parts).literal


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _operand(word: str, weight: str) -> str:
    """A query word, or its parts when the index segmented it differently.

    The index cuts by context: 经济发展规划纲要 yields 发展 and 规划 but not
    发展规划, so a query word also matches when all of its parts are present.
    """
    suffix = f":{weight}" if weight else ""
    parts = [p for p in _tokens(word, search_mode=True) if p != word and len(p) < len(word)]
    exact = f"{_quote(word)}{suffix}"
    if parts and sum(len(p) for p in _covering(word, parts)) == len(word):
        alternative = " & ".join(f"{_quote(p)}{suffix}" for p in _covering(word, parts))
        return f"({exact} | ({alternative}))"
    return exact


def _covering(word: str, parts: list[str]) -> list[str]:
    """Non-overlapping parts from left to right, longest first at each position."""
    chosen: list[str] = []
    position = 0
    ordered = sorted(set(parts), key=len, reverse=True)
    while position < len(word):
        for part in ordered:
            if word.startswith(part, position):
                chosen.append(part)
                position += len(part)
                break
        else:
            return []
    return chosen


def tsquery_text(query: str, *, weight: str = "") -> str:
    """A tsquery literal matching every query word (AND), optionally only in one weight class."""
    return " & ".join(_operand(word.lower(), weight) for word in query_terms(query))


def highlight_terms(query: str) -> list[str]:
    """Words to mark in original text: the query words and, for compounds, their parts."""
    terms: list[str] = []
    for word in query_terms(query):
        terms.append(word)
        terms.extend(p for p in _tokens(word, search_mode=True) if p != word and len(p) > 1)
    return sorted(set(terms), key=len, reverse=True)
