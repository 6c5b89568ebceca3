"""Benchmark: the year's assessment of a whole site cluster and the anomaly checks of its public votes.

Usage (from the repository root)::

    .venv/bin/python -m bench.assessment [--units 500] [--votes 200000] [--seed 2007]

Builds seeded synthetic data for one year (2025):

* 500 units of three classes (政府部门, 直属机构, 区政府), one freshness snapshot and one day's
  availability probes per unit and day (182,500 daily rows), broken links with their lifetimes, and the
  per-unit counts the unit schemas' aggregate queries return (互动交流, 找错, 办事指南, 保密审查);
* 200,000 public votes (满意 / 基本满意 / 不满意) over the year with planted anomalies: bursts for one
  unit, many numbers behind one address, many numbers rotating inside one /24 network, and runs of
  sequential numbers; every other vote is ordinary traffic;
* experts' defects and units' self-assessments for every entered and self-assessed item.

Then, timed: the daily rows are aggregated per unit (what the platform's GROUP BY queries return),
`voting.anomalies.find_anomalies` checks every vote, the flagged votes are annulled, the satisfaction
of each unit is computed from the valid votes (voting.figures), and `assessment.scoring.assess_units`
scores every unit on the city preset (年终考评 80 % + 日常监测 20 %, votes a capped term), with grades
and ranks by class.

In the same run a naive baseline recomputes the computed indicators and the scored points with plain
per-unit, per-day loops written independently of the engine; its numbers must equal the engine's, and
the ratio of the two times is printed. Scope: the engines, as in the platform after the aggregate
queries have run; reading rows from PostgreSQL is not included. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assessment.presets import load_preset, preset_spec
from assessment.scoring import COMPUTED, ENTERED, DefectHit, assess_units, entered_result, self_assessed_result
from voting.anomalies import BURST, SEQUENCE, SHARED_IP, SHARED_NETWORK, VoteRecord, find_anomalies
from voting.figures import SatisfactionFigures

SH = ZoneInfo("Asia/Shanghai")
YEAR = 2025
DAYS = 365
TARGET_S = 10.0
SCOPE = "engines only: the aggregate queries' database time is not included"
CLASSES = (("department", 0.6), ("agency", 0.2), ("district", 0.2))
ANSWERS = ("satisfied", "basic", "unsatisfied")


# --- synthetic data ---------------------------------------------------------------------------


def make_units(rng: random.Random, count: int):
    units = []
    for index in range(count):
        kind = rng.choices([c for c, _ in CLASSES], [w for _, w in CLASSES])[0]
        quality = rng.choice([0.97, 0.9, 0.8, 0.65, 0.45])
        units.append({"id": index + 1, "class": kind, "quality": quality})
    return units


def make_daily_rows(rng: random.Random, units) -> list[tuple[int, int, int, bool, int, int]]:
    """(unit id, day, freshness score, passed, probes, failed probes) for every unit and day."""
    rows = []
    for unit in units:
        q = unit["quality"]
        outage = rng.random() < 0.03  # a few units are unreachable for weeks
        for day in range(DAYS):
            score = max(0, min(100, int(rng.gauss(q * 100, 6))))
            passed = score >= 60 or rng.random() < 0.5
            failed = rng.randint(12, 24) if outage and 100 <= day < 130 else (1 if rng.random() < (1 - q) / 10 else 0)
            rows.append((unit["id"], day, score, passed, 24, failed))
    rng.shuffle(rows)  # as a table scan returns them: not grouped by unit
    return rows


def make_unit_counts(rng: random.Random, units) -> dict[int, dict[str, float]]:
    counts = {}
    for unit in units:
        q = unit["quality"]
        accepted = rng.randint(0, 120)
        answered = int(accepted * min(1.0, q + 0.05))
        counts[unit["id"]] = {
            "broken_link_spans": [
                (rng.randint(-200, DAYS - 1), rng.choice([None, rng.randint(1, 90)])) for _ in range(rng.choice([0, 0, 1, 3, 8]))
            ],
            "interaction_accepted": accepted,
            "interaction_answered": answered,
            "interaction_on_time": int(answered * q),
            "interaction_published": int(answered * 0.9),
            "interaction_unanswered_veto": 1 if rng.random() < 0.02 else 0,
            "interaction_no_channel": 1 if rng.random() < 0.01 else 0,
            "corrections_received": rng.randint(0, 6),
            "corrections_open": rng.choice([0, 0, 0, 1]),
            "corrections_late": rng.choice([0, 0, 1, 2]),
            "guides_total": rng.randint(0, 40),
            "guides_incomplete": rng.choice([0, 0, 0, 1, 2]),
            "guides_seriously_incomplete": 0,
            "secrecy_held": rng.randint(0, 5),
            "secrecy_released": rng.choice([0, 0, 0, 1]),
        }
    return counts


def _number(rng: random.Random) -> int:
    return rng.randint(13_000_000_000, 19_999_999_999)


def _ip(rng: random.Random) -> str:
    return f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def make_votes(rng: random.Random, units, total: int):
    """Ordinary votes plus planted anomaly groups: (records, answers by vote id, planted {name: (rule, ids)})."""
    start = datetime(YEAR, 1, 1, tzinfo=SH)
    records: list[VoteRecord] = []
    answers: dict[int, str] = {}
    planted: dict[str, tuple[str, set[int]]] = {}
    vote_id = 0

    def add(unit_id: int, at: datetime, number: int, ip: str, answer: str, group: str | None = None, rule: str = ""):
        nonlocal vote_id
        vote_id += 1
        network = ".".join(ip.split(".")[:3])
        records.append(
            VoteRecord(
                id=vote_id,
                unit_id=unit_id,
                at=at,
                identity=f"n{number}",
                block=f"b{number // 100}",
                suffix=number % 100,
                ip=ip,
                network=network,
            )
        )
        answers[vote_id] = answer
        if group:
            planted.setdefault(group, (rule, set()))[1].add(vote_id)

    # Planted anomalies (each group of numbers votes only inside its anomaly).
    for index in range(6):  # bursts: 30 votes for one unit within 5 minutes
        unit_id, at = rng.choice(units)["id"], start + timedelta(days=rng.randint(0, 360), hours=rng.randint(8, 20))
        for k in range(30):
            add(unit_id, at + timedelta(seconds=10 * k), _number(rng), _ip(rng), "satisfied", f"burst{index}", BURST)
    for index in range(6):  # one address, 8 numbers, one day, different units
        ip, day = _ip(rng), start + timedelta(days=rng.randint(0, 360), hours=9)
        for k in range(8):
            add(
                rng.choice(units)["id"], day + timedelta(minutes=37 * k), _number(rng), ip, "unsatisfied", f"ip{index}", SHARED_IP
            )
    for index in range(4):  # one /24, 40 numbers, one day, rotating addresses
        prefix, day = (
            f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
            start + timedelta(days=rng.randint(0, 360)),
        )
        for k in range(40):
            add(
                rng.choice(units)["id"],
                day + timedelta(minutes=17 * k + 60),
                _number(rng),
                f"{prefix}.{k + 2}",
                "satisfied",
                f"net{index}",
                SHARED_NETWORK,
            )
    for index in range(6):  # 7 sequential numbers of one block, over some days
        base = (_number(rng) // 100) * 100 + rng.randint(0, 90)
        for k in range(7):
            at = start + timedelta(days=rng.randint(0, 360), hours=rng.randint(8, 22), minutes=rng.randint(0, 59))
            add(rng.choice(units)["id"], at, base + k, _ip(rng), "satisfied", f"seq{index}", SEQUENCE)
    planted_votes = vote_id
    # Ordinary traffic: each citizen has a number and a home address, and votes now and then.
    citizens = [(_number(rng), _ip(rng)) for _ in range(max(1, (total - planted_votes) // 2))]
    seen: set[tuple[int, int, int]] = set()
    while vote_id < total:
        number, ip = rng.choice(citizens)
        unit = rng.choice(units)
        day = rng.randint(0, DAYS - 1)
        if (number, unit["id"], day) in seen:  # one vote per number, unit and day
            continue
        seen.add((number, unit["id"], day))
        at = start + timedelta(days=day, seconds=rng.randint(7 * 3600, 23 * 3600))
        q = unit["quality"]
        answer = rng.choices(ANSWERS, [q, (1 - q) * 0.6, (1 - q) * 0.4])[0]
        add(unit["id"], at, number, ip, answer)
    return records, answers, planted


def make_entries(rng: random.Random, spec, defects, units):
    """Experts' and units' entries of every non-computed leaf, as the platform stores them."""
    library = defaultdict(list)
    for defect in defects:
        library[defect["indicator"]].append(defect)
    entries = {}
    for unit in units:
        per_leaf = {}
        for leaf in spec.leaves():
            if leaf.kind == COMPUTED:
                continue
            if leaf.kind == ENTERED:
                chosen = [
                    DefectHit(d["code"], d["description"], float(d["points"]), 1, bool(d.get("veto")))
                    for d in library[leaf.code]
                    if rng.random() < (0.004 if d.get("veto") else (1 - unit["quality"]) / 2)
                ]
                per_leaf[leaf.id] = entered_result(leaf, defects=chosen)
            else:
                claimed = round(leaf.max_points * rng.uniform(0.6, 1.0), 1)
                confirmed = max(0.0, claimed - rng.choice([0, 0, 0, 1, 2]))
                per_leaf[leaf.id] = self_assessed_result(leaf, claimed=claimed, confirmed=confirmed, expert_reason="核定")
        entries[unit["id"]] = per_leaf
    return entries


# --- the engine path ----------------------------------------------------------------------------


def aggregate(rows, counts, units) -> dict[int, dict[str, float | None]]:
    """One pass over the daily rows, as GROUP BY unit returns them."""
    sums: dict[int, list[float]] = {unit["id"]: [0, 0, 0, 0, 0] for unit in units}
    for unit_id, _day, score, passed, probes, failed in rows:
        acc = sums[unit_id]
        acc[0] += score
        acc[1] += 1
        acc[2] += not passed
        acc[3] += probes
        acc[4] += failed
    facts = {}
    for unit in units:
        total, days, vetoed, probes, failed = sums[unit["id"]]
        own = counts[unit["id"]]
        spans = own["broken_link_spans"]
        facts[unit["id"]] = {
            "freshness_mean": round(total / days, 2) if days else None,
            "freshness_days": days,
            "freshness_veto_days": vetoed,
            "availability_probes": probes,
            "availability_failed": failed,
            "broken_links": sum(1 for first, fixed_after in spans if fixed_after is None or first + fixed_after >= 0),
            **{key: value for key, value in own.items() if key != "broken_link_spans"},
        }
    return facts


def satisfaction(records, answers, annulled: frozenset[int]) -> dict[int, SatisfactionFigures]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    index = {"satisfied": 0, "basic": 1, "unsatisfied": 2}
    for vote in records:
        row = counts[vote.unit_id]
        if vote.id in annulled:
            row[3] += 1
        else:
            row[index[answers[vote.id]]] += 1
    return {
        unit_id: SatisfactionFigures.of(satisfied=s, basic=b, unsatisfied=u, annulled=a)
        for unit_id, (s, b, u, a) in counts.items()
    }


# --- the naive baseline (independent of the engine) -------------------------------------------------


def naive_base(unit, rows_by_unit, own, votes_score, votes_valid, entry_points, entry_vetoed):
    """The city preset's computed leaves and scored points, day by day, with plain arithmetic."""
    total = days = probes = failed = 0
    for _unit_id, _day, score, _passed, day_probes, day_failed in rows_by_unit:
        total += score
        days += 1
        probes += day_probes
        failed += day_failed
    mean = round(total / days, 2) if days else None
    ratio = failed / probes if probes else None
    links = sum(1 for first, fixed_after in own["broken_link_spans"] if fixed_after is None or first + fixed_after >= 0)
    on_time = own["interaction_on_time"] / own["interaction_answered"] if own["interaction_answered"] else None
    reply = own["interaction_published"] / own["interaction_accepted"] if own["interaction_accepted"] else None
    leaves = {
        "1.1": 0.0 if mean is None else round(50 * min(1, mean / 100), 2),
        "1.2": 20.0 if ratio is None else round(max(0.0, 20 - 4 * ratio * 100), 2),
        "1.3": max(0.0, 15.0 - links),
        "1.4": 15.0 if on_time is None else round(15 * on_time, 2),
        "2.1.2": max(0.0, 20.0 - 4 * own["guides_incomplete"]),
        "2.2.1": 15.0 if reply is None else round(15 * reply, 2),
        "2.2.2": max(0.0, 10.0 - 3 * own["corrections_open"] - 2 * own["corrections_late"]),
        "2.3.1": max(0.0, 10.0 - 2 * own["secrecy_released"]),
    }
    daily = leaves["1.1"] + leaves["1.2"] + leaves["1.3"] + leaves["1.4"]
    year_end = (
        entry_points["2.1.1"]
        + leaves["2.1.2"]
        + leaves["2.2.1"]
        + leaves["2.2.2"]
        + leaves["2.3.1"]
        + entry_points["2.3.2"]
        + entry_points["2.4"]
    )
    vote = 0.0
    if votes_score is not None and votes_valid >= 30:
        vote = 10 * (votes_score - 80) / 20 if votes_score >= 80 else -10 * (80 - votes_score) / 80
        vote = round(max(-10.0, min(10.0, vote)), 2)
    vetoed = (
        entry_vetoed
        or (ratio is not None and ratio > 0.05)
        or own["interaction_no_channel"] >= 1
        or own["interaction_unanswered_veto"] >= 1
    )
    return leaves, round(daily * 0.2 + year_end * 0.8, 2), vote, vetoed


def _time(callable_):
    started = time.perf_counter()
    result = callable_()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--votes", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2007)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    units = make_units(rng, args.units)
    rows = make_daily_rows(rng, units)
    counts = make_unit_counts(rng, units)
    records, answers, planted = make_votes(rng, units, args.votes)
    spec = preset_spec("city", year=YEAR)
    entries = make_entries(rng, spec, load_preset("city")["defects"], units)
    classes = {unit["id"]: unit["class"] for unit in units}
    print(
        f"{len(units)} synthetic units, {len(rows)} daily rows, {len(records)} votes with {len(planted)} planted anomalies (seed {args.seed}); {SCOPE}"
    )

    started = time.perf_counter()
    aggregate_s, facts = _time(lambda: aggregate(rows, counts, units))
    anomalies_s, report = _time(lambda: find_anomalies(records))
    flagged = report.flagged_ids
    figures = satisfaction(records, answers, flagged)
    for unit in units:
        own = figures.get(unit["id"], SatisfactionFigures())
        facts[unit["id"]].update(votes_score=own.score, votes_valid=own.valid_votes)
    assess_s, assessed = _time(lambda: assess_units(spec, facts_by_unit=facts, classes=classes, entries_by_unit=entries))
    total_s = time.perf_counter() - started

    # Every planted anomaly found (all its votes flagged by its rule), no ordinary vote flagged.
    found = sum(1 for rule, ids in planted.values() if ids <= report.flagged.get(rule, frozenset()))
    planted_ids = set().union(*(ids for _rule, ids in planted.values()))
    false_flags = len(flagged - planted_ids)

    # The naive baseline, per unit and day, on the same inputs.
    def baseline():
        rows_by_unit = defaultdict(list)
        for row in rows:
            rows_by_unit[row[0]].append(row)
        codes = {leaf.id: leaf.code for leaf in spec.leaves()}
        out = {}
        for unit in units:
            entry_points = {codes[leaf_id]: result.points for leaf_id, result in entries[unit["id"]].items()}
            entry_vetoed = any(result.vetoed for result in entries[unit["id"]].values())
            own_facts = facts[unit["id"]]
            out[unit["id"]] = naive_base(
                unit,
                rows_by_unit[unit["id"]],
                counts[unit["id"]],
                own_facts["votes_score"],
                own_facts["votes_valid"],
                entry_points,
                entry_vetoed,
            )
        return out

    naive_s, naive = _time(baseline)
    codes = {leaf.id: leaf.code for leaf in spec.leaves()}
    mismatches = 0
    for unit in units:
        totals, leaves, _rank = assessed[unit["id"]]
        naive_leaves, naive_base_points, naive_vote, naive_vetoed = naive[unit["id"]]
        engine_leaves = {codes[leaf_id]: result.points for leaf_id, result in leaves.items()}
        if (
            any(abs(engine_leaves[code] - value) > 0.011 for code, value in naive_leaves.items())
            or abs(totals.base - naive_base_points) > 0.02
            or abs(totals.vote - naive_vote) > 0.011
            or totals.vetoed != naive_vetoed
        ):
            mismatches += 1
    grades = defaultdict(int)
    for totals, _leaves, _rank in assessed.values():
        grades[totals.grade] += 1

    print(
        f"aggregate {aggregate_s:.3f} s, anomaly checks {anomalies_s:.3f} s, assessment {assess_s:.3f} s; total {total_s:.3f} s (target {TARGET_S} s)"
    )
    print(
        f"anomalies: {found} of {len(planted)} planted found; {false_flags} ordinary votes flagged; flagged by rule {report.summary()}"
    )
    print(
        f"naive per-unit-per-day baseline {naive_s:.3f} s (computed indicators and scored points only); engine/baseline {assess_s / naive_s:.2f}; mismatches {mismatches}"
    )
    print("grades: " + ", ".join(f"{grade} {count}" for grade, count in sorted(grades.items())))
    result = {
        "units": len(units),
        "daily_rows": len(rows),
        "votes": len(records),
        "seconds": round(total_s, 3),
        "aggregate_s": round(aggregate_s, 3),
        "anomalies_s": round(anomalies_s, 3),
        "assessment_s": round(assess_s, 3),
        "target_s": TARGET_S,
        "within_target": total_s < TARGET_S,
        "anomalies_expected": len(planted),
        "anomalies_found": found,
        "false_flags": false_flags,
        "flagged_votes": len(flagged),
        "baseline_s": round(naive_s, 3),
        "engine_to_baseline": round(assess_s / naive_s, 3) if naive_s else None,
        "baseline_mismatches": mismatches,
        "grades": dict(sorted(grades.items())),
        "scope": SCOPE,
    }
    print(json.dumps(result, ensure_ascii=False))
    ok = result["within_target"] and found == len(planted) and false_flags == 0 and mismatches == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
