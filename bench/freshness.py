"""Benchmark: oversight.freshness scoring of a whole site cluster.

Usage (from the repository root)::

    .venv/bin/python -m bench.freshness [--units 500] [--repeats 5] [--seed 2007]

Builds seeded synthetic units (~30 columns each, every kind, random ages,
empty columns, static confirmations, homepage ages, broken links and
availability ratios), scores all of them ``--repeats`` times and reports the
median against the 10 s target.

Scope: this times the scoring engine only.  In the platform, scoring 500
units also means loading their column states from each unit's schema; that
database time is not included here.

In the same run a naive reference (plain per-column datetime arithmetic,
converting the check time again for every column, written independently of
the engine) recomputes the verdicts only.  It is a correctness cross-check,
not a speed baseline: it builds no deductions, reason texts or result
objects, so it is expected to be faster than the engine.  Its stale / empty
counts and homepage ages must agree with the engine's.  The speed criterion
is the absolute time against ``target_s``.  The last line printed is one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

from oversight.freshness import (
    DEFAULT_POLICY_DAYS,
    SHANGHAI,
    ColumnKind,
    ColumnState,
    FreshnessScore,
    UnitState,
    score_units,
)

TARGET_S = 10.0
NOW = datetime(2025, 6, 30, 10, 0, tzinfo=SHANGHAI)
SCOPE = "scoring engine only: loading column states from the database is not included"

# Rough shape of a unit's responsibility table: mostly lists, a block of
# static pages, a few interaction columns.
KIND_WEIGHTS = {
    ColumnKind.DYNAMIC: 6,
    ColumnKind.POLICY: 8,
    ColumnKind.PLAN: 4,
    ColumnKind.STATIC: 9,
    ColumnKind.INTERACTION: 3,
}


def _moment(rng: random.Random, *, period: int | None, late_share: float) -> datetime:
    """A time within ``period`` days, or (with probability ``late_share``) up to 3 periods back.

    Seconds granularity, so that ages straddle Shanghai midnights.
    """
    days = period or 365
    seconds = rng.randrange(days * 86400, 3 * days * 86400) if rng.random() < late_share else rng.randrange(0, days * 86400)
    return NOW - timedelta(seconds=seconds)


def make_units(*, count: int, seed: int) -> list[UnitState]:
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    units: list[UnitState] = []
    column_id = 0
    for index in range(count):
        # Some units maintain their site well, some badly.
        late_share = rng.choice([0.02, 0.05, 0.1, 0.2, 0.4])
        columns: list[ColumnState] = []
        for position in range(rng.randint(25, 35)):
            column_id += 1
            kind = rng.choices(kinds, weights)[0]
            policy = DEFAULT_POLICY_DAYS[kind]
            empty = rng.random() < late_share / 4
            columns.append(
                ColumnState(
                    column_id=column_id,
                    title=f"栏目{index}-{position}",
                    path=f"/u{index}/c{position}/",
                    kind=kind,
                    # Now and then the information centre overrides the period.
                    policy_days=policy if rng.random() > 0.05 else rng.choice([None, 7, 90]),
                    item_count=0 if empty else rng.randint(1, 400),
                    newest_publish=None if empty or rng.random() < 0.01 else _moment(rng, period=policy, late_share=late_share),
                    last_confirmed=_moment(rng, period=30, late_share=late_share)
                    if kind is ColumnKind.STATIC and rng.random() < 0.6
                    else None,
                )
            )
        units.append(
            UnitState(
                unit_code=f"u{index:03d}",
                unit_name=f"测试单位{index}",
                columns=tuple(columns),
                homepage_newest_dynamic=None if rng.random() < 0.01 else _moment(rng, period=7, late_share=late_share),
                broken_links=rng.choice([0, 0, 0, 1, 3, 12, 40]),
                availability_failure_ratio=rng.choice([None, 0.0, 0.0, 0.01, 0.03, 0.08]),
            )
        )
    return units


def naive_counts(unit: UnitState, now: datetime) -> tuple[int, int, int | None]:
    """(stale, empty, homepage age) recomputed column by column, the straightforward way."""

    def days_between(earlier: datetime) -> int:
        # Converts ``now`` again for every column: what the engine avoids.
        return max(0, (now.astimezone(SHANGHAI).date() - earlier.astimezone(SHANGHAI).date()).days)

    stale = empty = 0
    for column in unit.columns:
        if column.kind is ColumnKind.INTERACTION:
            continue
        if column.kind is ColumnKind.STATIC:
            if column.item_count == 0 and column.last_confirmed is None:
                empty += 1
                continue
            dates = [d for d in (column.newest_publish, column.last_confirmed) if d is not None]
            reference = max(dates) if dates else None
        else:
            if column.item_count == 0:
                empty += 1
                continue
            reference = column.newest_publish
        if column.policy_days is None:
            continue
        if reference is None or days_between(reference) > column.policy_days:
            stale += 1
    homepage = unit.homepage_newest_dynamic
    return stale, empty, None if homepage is None else days_between(homepage)


def _time(callable_, repeats: int) -> tuple[list[float], object]:
    timings: list[float] = []
    result: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = callable_()
        timings.append(time.perf_counter() - started)
    return timings, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2007)
    args = parser.parse_args()

    units = make_units(count=args.units, seed=args.seed)
    columns = sum(len(unit.columns) for unit in units)
    print(f"{len(units)} synthetic units, {columns} columns (seed {args.seed}); {SCOPE}")

    score_timings, scores = _time(lambda: score_units(units, now=NOW), args.repeats)
    naive_timings, naive = _time(lambda: [naive_counts(unit, NOW) for unit in units], args.repeats)
    assert isinstance(scores, list) and isinstance(naive, list)
    engine_counts = [(s.stale_count, s.empty_count, s.homepage_age_days) for s in scores if isinstance(s, FreshnessScore)]
    agree = engine_counts == naive

    score_s = statistics.median(score_timings)
    naive_s = statistics.median(naive_timings)
    vetoed = sum(not s.passed for s in scores)
    print(f"engine: median {score_s:.3f} s over {args.repeats} runs ({[round(t, 3) for t in score_timings]})")
    print(
        f"naive reference, verdicts only (no deductions, texts or result objects; a cross-check, "
        f"not a speed baseline): median {naive_s:.3f} s; results agree: {agree}"
    )
    print(f"{vetoed} of {len(units)} units vetoed, mean score {statistics.mean(s.score for s in scores):.1f}")
    result = {
        "units": len(units),
        "columns": columns,
        "repeats": args.repeats,
        "score_s": round(score_s, 4),
        "score_runs_s": [round(t, 4) for t in score_timings],
        "per_unit_ms": round(score_s / len(units) * 1000, 4),
        "target_s": TARGET_S,
        "within_target": score_s < TARGET_S,
        "naive_reference_verdicts_only_s": round(naive_s, 4),
        "naive_agrees": agree,
        "vetoed_units": vetoed,
        "scope": SCOPE,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0 if agree and result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
