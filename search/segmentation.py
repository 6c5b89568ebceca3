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


def _tokens(text: str, *, search_mode: bool) -> list[str]:
    out: list[str] = []
    for word in (rjieba.cut_for_search(text) if search_mode else rjieba.cut(text)):
        word = word.strip()
        if word and not _PUNCT.match(word):
            out.append(word)
    return out


def segment_for_index(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(_tokens(str(text), search_mode=True))


@lru_cache(maxsize=4096)
def segment_query(query: str) -> str:
    return " ".join(_tokens(query, search_mode=False))


def query_terms(query: str) -> list[str]:
    return segment_query(query).split()
