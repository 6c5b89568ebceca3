"""Chinese word segmentation for indexing and querying (jieba via rjieba).

Indexing uses search-engine mode (a compound and the words inside it), so
国民经济发展规划 is indexed as 国民经济, 国民, 经济, 发展, 规划, 发展规划 …;
queries use precise mode, so a query word matches the indexed words.

Indexed text and queries are normalised first (search.normalize: 繁体 to 简体,
full-width to half-width), and every 文号 in indexed text adds tokens of its
own (the canonical 文号, its issuer and the issuer's suffixes, its year).

A query becomes a plan (`plan_query`): groups of words, each a tsquery operand.
Words of two or more characters, 文号 and synonym phrases are required; single
characters, years and numbers are optional for recall, and the plan's `full`
query (every group) tells the backend which matches have them all, to rank
those first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import rjieba

from .normalize import (
    DocNumber,
    canonical_doc_number,
    doc_number_tokens,
    find_doc_numbers,
    normalise,
    normalise_query,
)

_SPLIT = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _is_word(token: str) -> bool:
    return token.isalnum() or (bool(token) and not _PUNCT.match(token))


def _tokens(text: str, *, search_mode: bool) -> list[str]:
    """Words of already normalised text, lower-cased as the index stores them."""
    out: list[str] = []
    for word in rjieba.cut_for_search(text) if search_mode else rjieba.cut(text):
        word = word.strip().lower()
        if _is_word(word):
            out.append(word)
    return out


def _index_tokens(text: str):
    """What indexing reads from one part: jieba's search-mode words of the normalised text, then its 文号 tokens."""
    return itertools.chain(rjieba.cut_for_search(text), doc_number_tokens(text))


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
    text = normalise(str(text))
    tokens = list(_index_tokens(text))
    # cut_for_search yields at most about six times the text's bytes (4 per character at most).
    if len(text) * 4 * 6 + text.count("号") * _DOC_NUMBER_BYTES <= WAGTAIL_VECTOR_BYTES:
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
    """The query's words for Wagtail's own index (normalised like segment_for_index)."""
    return " ".join(_tokens(normalise_query(query), search_mode=False))


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
# The most the extra tokens of one 文号 cost: ten issuer suffixes, each with its canonical 文号.
_DOC_NUMBER_BYTES = 10 * (3 * 30 + 2 * _LEXEME_OVERHEAD)


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
    # Each 文号 adds up to about twenty tokens of its own (search.normalize.doc_number_tokens).
    doc_numbers = sum(text.count("号") + text.count("號") for text, _ in parts if text)
    return chars * (4 * 6 + 3 * _LEXEME_OVERHEAD) + doc_numbers * _DOC_NUMBER_BYTES <= MAX_VECTOR_BYTES


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
        for token in _index_tokens(normalise(text)):
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
        for token in _index_tokens(normalise(text)):
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
    return " ".join(f"{quote_lexeme(lexeme)}:{','.join(entry)}" for lexeme, entry in positions.items())


def tsvector_literal(parts: list[tuple[str, str]]) -> str:
    """Only the literal of build_tsvector()."""
    return build_tsvector(parts).literal


def quote_lexeme(word: str) -> str:
    """A lexeme as tsvector and tsquery input spell it, quoted."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# --- queries -------------------------------------------------------------------------

# A run of characters typed together (no space) up to this length, that jieba cuts
# into several words, is also looked up whole: 珠府办 is indexed as one token of its 文号.
_MAX_CHUNK_LOOKUP = 8
# The longest synonym phrase looked for, in jieba words (人力资源 / 和 / 社会保障).
_MAX_SYNONYM_WORDS = 8
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_YEAR_OR_NUMBER = re.compile(r"^\d+$")


def _or(operands: list[str]) -> str:
    unique = list(dict.fromkeys(o for o in operands if o))
    if not unique:
        return ""
    return unique[0] if len(unique) == 1 else "(" + " | ".join(unique) + ")"


def _and(operands: list[str]) -> str:
    unique = list(dict.fromkeys(o for o in operands if o))
    if not unique:
        return ""
    return unique[0] if len(unique) == 1 else "(" + " & ".join(unique) + ")"


def _operand(word: str) -> str:
    """A query word, or its parts when the index segmented it differently.

    The index cuts by context: 经济发展规划纲要 yields 发展 and 规划 but not
    发展规划, so a query word also matches when all of its parts are present.
    """
    parts = [p for p in _tokens(word, search_mode=True) if p != word and len(p) < len(word)]
    exact = quote_lexeme(word)
    covering = _covering(word, parts) if parts else []
    if covering and sum(len(p) for p in covering) == len(word):
        return f"({exact} | ({' & '.join(quote_lexeme(p) for p in covering)}))"
    return exact


def _parts_to_mark(word: str) -> list[str]:
    """A word and its parts of two characters or more: what highlighting marks for it."""
    return [word, *(p for p in _tokens(word, search_mode=True) if p != word and len(p) > 1)]


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


def _phrase_words(phrase: str) -> list[str]:
    """The operands of a phrase's words (a synonym, a chunk)."""
    return [_operand(w) for w in _tokens(phrase, search_mode=False)]


def _phrases_operand(phrases: Sequence[str]) -> str:
    """Any of the phrases: each its own lexeme, or every word of it.

    A phrase whose words include all of another's words adds only its own lexeme: 发展和改革局 (发展, 和, 改革,
    局) matches whatever 发展改革局 (发展, 改革, 局) matches. The results are the same without it, but every word
    of a tsquery is one more posting list for the GIN index to go through, and 和 is in most documents.
    """
    words = {phrase: _phrase_words(phrase) for phrase in phrases}
    alternatives = []
    for phrase in phrases:
        own = words[phrase]
        if len(own) == 1:
            alternatives.append(own[0])
        elif any(set(words[other]) < set(own) for other in phrases if other != phrase):
            alternatives.append(quote_lexeme(phrase))
        else:
            alternatives.append(_or([quote_lexeme(phrase), _and(own)]))
    return _or(alternatives)


def is_weak(word: str) -> bool:
    """A single character, a year or a number: optional for recall (2026年招生 does not require 年)."""
    return len(word) == 1 or bool(_YEAR_OR_NUMBER.match(word))


@dataclass(frozen=True)
class QueryGroup:
    """One unit of a query: a word, a 文号, a synonym set or a run typed together."""

    label: str
    # The operand when the group is required, and in the query of every group.
    required: str
    full: str
    strong: bool
    marks: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    # For Elasticsearch: texts of which any one, all its words present, satisfies the
    # group, and exact tokens (文号) of which any one does.
    alternatives: tuple[str, ...] = ()
    exact_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryPlan:
    text: str
    groups: tuple[QueryGroup, ...] = ()
    synonyms_used: tuple[str, ...] = field(default=())

    @property
    def terms(self) -> int:
        return len(self.groups)

    @property
    def required(self) -> str:
        """The tsquery every match satisfies: the strong groups (all groups when none is strong)."""
        strong = [g.required for g in self.groups if g.strong]
        return _and(strong) if strong else _and([g.full for g in self.groups])

    @property
    def full(self) -> str:
        """The tsquery of every group: matches with all the words typed, ranked first."""
        return _and([g.full for g in self.groups])

    @property
    def has_optional(self) -> bool:
        return bool(self.groups) and self.full != self.required

    def required_groups(self) -> list[QueryGroup]:
        strong = [g for g in self.groups if g.strong]
        return strong or list(self.groups)

    def optional_groups(self) -> list[QueryGroup]:
        required = self.required_groups()
        return [g for g in self.groups if g not in required]

    def highlight_terms(self) -> list[str]:
        marks: list[str] = []
        for group in self.groups:
            marks.extend(group.marks)
        if not marks and len(self.groups) == 1:
            marks.extend(w for w in (self.groups[0].label,) if w)
        return sorted(set(marks), key=len, reverse=True)

    def highlight_patterns(self) -> list[str]:
        return [pattern for group in self.groups for pattern in group.patterns]

    def without(self, index: int) -> str:
        """The query text without group `index` (a suggestion when nothing is found)."""
        return " ".join(g.label for position, g in enumerate(self.groups) if position != index)


def _doc_number_group(number: DocNumber) -> QueryGroup:
    # A 文号 typed with more before its issuer (关于珠发改〔2026〕12号) also matches the
    # index's tokens of the issuer's suffixes of three characters or more.
    shortest = min(len(number.issuer), 3)
    issuers = [number.issuer[s:] for s in range(len(number.issuer)) if len(number.issuer) - s >= shortest]
    variants = tuple(canonical_doc_number(i, number.year, number.number) for i in issuers)
    operand = _or([quote_lexeme(v) for v in variants])
    return QueryGroup(
        label=number.canonical,
        required=operand,
        full=operand,
        strong=True,
        marks=(number.canonical,),
        patterns=(number.pattern(),),
        exact_tokens=variants,
    )


def _word_group(word: str) -> QueryGroup:
    operand = _operand(word)
    weak = is_weak(word)
    marks = () if len(word) == 1 else tuple(_parts_to_mark(word))
    return QueryGroup(label=word, required=operand, full=operand, strong=not weak, marks=marks, alternatives=(word,))


def _synonym_group(phrase: str, words: tuple[str, ...]) -> QueryGroup:
    operand = _phrases_operand((phrase, *words))
    return QueryGroup(
        label=phrase, required=operand, full=operand, strong=True, marks=(phrase, *words), alternatives=(phrase, *words)
    )


def _piece_groups(piece: str, synonyms: Mapping[str, tuple[str, ...]], used: list[str]) -> list[QueryGroup]:
    """Groups of a piece of the query without 文号: synonym phrases, then words."""
    words = _tokens(piece, search_mode=False)
    groups: list[QueryGroup] = []
    plain: list[QueryGroup] = []
    index = 0
    while index < len(words):
        for length in range(min(_MAX_SYNONYM_WORDS, len(words) - index), 0, -1):
            phrase = "".join(words[index : index + length])
            if phrase in synonyms:
                groups.append(_synonym_group(phrase, synonyms[phrase]))
                used.append(phrase)
                index += length
                break
        else:
            group = _word_group(words[index])
            groups.append(group)
            plain.append(group)
            index += 1
    if len(groups) > 1 and len(plain) == len(groups) and _CJK.match(piece) and len(piece) <= _MAX_CHUNK_LOOKUP:
        # 珠府办 (珠府 / 办) or 林晓 (林 / 晓): the run as one token too, its strong words required.
        exact = quote_lexeme(piece)
        strong = [g.required for g in groups if g.strong]
        every = _and([g.full for g in groups])
        marks = tuple(dict.fromkeys(m for g in groups for m in g.marks))
        strong_words = " ".join(g.label for g in groups if g.strong)
        return [
            QueryGroup(
                label=piece,
                required=_or([exact, _and(strong) if strong else every]),
                full=_or([exact, every]),
                strong=True,
                marks=(piece, *marks),
                alternatives=tuple(dict.fromkeys((piece, strong_words or piece))),
                exact_tokens=(piece,),
            )
        ]
    return groups


def plan_query(text: str, *, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> QueryPlan:
    """The plan of a (cleaned) query: normalised, 文号 kept whole, synonyms applied.

    `synonyms` maps a normalised word to the other words of its set (search.synonyms).
    """
    normalised = normalise_query(text).lower()
    synonyms = synonyms or {}
    groups: list[QueryGroup] = []
    used: list[str] = []
    for chunk in normalised.split():
        position = 0
        for start, end, number in find_doc_numbers(chunk):
            groups.extend(_piece_groups(chunk[position:start], synonyms, used))
            groups.append(_doc_number_group(number))
            position = end
        groups.extend(_piece_groups(chunk[position:], synonyms, used))
    return QueryPlan(text=normalised, groups=tuple(groups), synonyms_used=tuple(used))


def tsquery_text(query: str, *, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """The tsquery every match satisfies (the plan's required groups)."""
    return plan_query(query, synonyms=synonyms).required


def highlight_terms(query: str, *, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """Words to mark in original text: whole query words, their parts of two characters or more, synonyms, 文号."""
    return plan_query(query, synonyms=synonyms).highlight_terms()
