"""The results of a 评比: each nomination's mean of the jury totals, its rank and its prize.

Pure Python (no Django): the service passes every jury member's total per nomination.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FIRST, SECOND, THIRD = "first", "second", "third"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Result:
    key: int
    mean: Decimal
    rank: int
    prize: str  # FIRST, SECOND, THIRD or ""


def mean_of(totals: Sequence[int]) -> Decimal:
    if not totals:
        raise ValueError("没有评分")
    return (Decimal(sum(totals)) / Decimal(len(totals))).quantize(CENT, rounding=ROUND_HALF_UP)


def rank(totals: Mapping[int, Sequence[int]], *, first: int, second: int, third: int) -> list[Result]:
    """Best mean first; equal means share a rank (1, 1, 3); the prize follows the rank:
    ranks 1..first are 一等奖, the next `second` ranks 二等奖, the next `third` 三等奖."""
    means = sorted(((mean_of(values), key) for key, values in totals.items()), key=lambda item: (-item[0], item[1]))
    results: list[Result] = []
    previous: Decimal | None = None
    current_rank = 0
    for position, (mean, key) in enumerate(means, start=1):
        if mean != previous:
            current_rank, previous = position, mean
        if current_rank <= first:
            prize = FIRST
        elif current_rank <= first + second:
            prize = SECOND
        elif current_rank <= first + second + third:
            prize = THIRD
        else:
            prize = ""
        results.append(Result(key=key, mean=mean, rank=current_rank, prize=prize))
    return results
