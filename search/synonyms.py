"""The synonym list of the portal search (SynonymSet rows, edited by the information centre), read at query time.

Each process keeps the map it built and checks on every search, with one small
query (how many sets, when one last changed), whether the list changed since:
an edit in the centre's admin takes effect at the next search of every web
process, without a reindex and without a shared cache.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict

from django.db.models import Count, Max

from .normalize import clean_input, normalise_query

MAX_WORD_CHARS = 30
# 社保 社会保险 / 社保，社会保险 / 社保、社会保险 / 社保⇄社会保险 / 社保=社会保险 …
_SEPARATORS = re.compile(r"[\s,，、;；|/⇄↔=＝]+")
_PUNCTUATION = re.compile(r"^[\W_]+$")

_lock = threading.Lock()
_cache: dict[str, object] = {"stamp": None, "map": {}}


def split_words(text: str) -> list[str]:
    """The distinct words of a set as typed (control characters removed)."""
    words: list[str] = []
    for word in _SEPARATORS.split(clean_input(text)):
        word = word.strip()
        if word and not _PUNCTUATION.match(word) and word not in words:
            words.append(word)
    return words


def _key(word: str) -> str:
    return normalise_query(word).lower().replace(" ", "")


def build_map(sets: list[list[str]]) -> dict[str, tuple[str, ...]]:
    """Each normalised word to the other words of every set it is in (a word in two sets joins them)."""
    others: dict[str, dict[str, None]] = defaultdict(dict)
    for words in sets:
        keys = list(dict.fromkeys(_key(w) for w in words if _key(w)))
        for key in keys:
            for other in keys:
                if other != key:
                    others[key][other] = None
    return {key: tuple(values) for key, values in others.items()}


def synonym_map() -> dict[str, tuple[str, ...]]:
    """The enabled sets as a map, rebuilt only when the list changed."""
    from .models import SynonymSet

    enabled = SynonymSet.objects.filter(enabled=True)
    stamp = tuple(enabled.aggregate(n=Count("id"), changed=Max("updated_at")).values())
    if stamp == _cache["stamp"]:
        return _cache["map"]  # type: ignore[return-value]
    sets = [split_words(words) for words in enabled.values_list("words", flat=True)]
    built = build_map(sets)
    with _lock:
        _cache["stamp"], _cache["map"] = stamp, built
    return built
