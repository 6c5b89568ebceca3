"""Chinese word segmentation for indexing and querying (jieba via rjieba).

Indexing uses search-engine mode (a compound and the words inside it), so
国民经济发展规划 is indexed as 国民经济, 国民, 经济, 发展, 规划, 发展规划 …;
queries use precise mode, so a query word matches the indexed words.
"""

from __future__ import annotations

import re
from functools import lru_cache

import rjieba

_SPLIT = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _is_word(token: str) -> bool:
    return token.isalnum() or (bool(token) and not _PUNCT.match(token))


def _tokens(text: str, *, search_mode: bool) -> list[str]:
    out: list[str] = []
    for word in (rjieba.cut_for_search(text) if search_mode else rjieba.cut(text)):
        word = word.strip()
        if _is_word(word):
            out.append(word)
    return out


def segment_for_index(text: str | None) -> str:
    # Punctuation is left in: to_tsvector drops it, and filtering every token
    # in Python would cost three times the segmentation itself.
    if not text:
        return ""
    return " ".join(rjieba.cut_for_search(str(text)))


@lru_cache(maxsize=4096)
def segment_query(query: str) -> str:
    return " ".join(_tokens(query, search_mode=False))


def query_terms(query: str) -> list[str]:
    return segment_query(query).split()


# PostgreSQL limits: positions up to 16383, at most 256 positions per lexeme.
_MAX_POSITION = 16383
_MAX_POSITIONS_PER_LEXEME = 256


# Position labels ("17C") formatted once: the indexer needs one per token and
# formatting them per call was a fifth of the indexing time.
_POSITION_LABELS = {weight: [f"{p}{weight}" for p in range(_MAX_POSITION + 1)] for weight in "ABCD"}


def tsvector_literal(parts: list[tuple[str, str]]) -> str:
    """A tsvector in PostgreSQL's input syntax from (text, weight) parts, segmented by jieba.

    Built here rather than with to_tsvector(): PostgreSQL's parser spends more
    time on segmented Chinese text than the segmentation itself, and the
    lexemes are then exactly the ones tsquery_text() produces for queries.
    """
    positions: dict[str, list[str]] = {}
    position = 0
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
                positions[token] = [labels[position]]
            elif len(entry) < _MAX_POSITIONS_PER_LEXEME:
                entry.append(labels[position])
    return " ".join(f"{_quote(lexeme)}:{','.join(entry)}" for lexeme, entry in positions.items())


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
