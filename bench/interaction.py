"""Benchmark: 互动交流 deadlines, the overdue list and one month's figures for a whole site cluster.

Usage (from the repository root)::

    .venv/bin/python -m bench.interaction [--units 100] [--messages 20000] [--seed 2007]

Builds seeded synthetic messages over the year before a fixed check time (1 December
2026): every kind, every state (待受理 … 已公开 / 不公开, 不予受理, 已转办, 已退回), some
answered late, some still open past their deadline, some rated. It then, timed:

* computes every message's deadline in working days on the shipped holiday calendar
  (workcalendar: 2025 and 2026 放假安排 with their 调休 working weekends), with the
  platform's per-kind defaults;
* finds every open message past its deadline (the overdue list) and the messages
  unanswered beyond 3 months (the 互动回应差 veto);
* computes one month's figures (November 2026) for every unit, by kind.

Its expected counts come from an independent naive reference (day-by-day calendar
walk, plain loops) and must equal what the engine finds. Scope: the engine only
(interaction.figures, workcalendar.calendar), as in the platform after the facts are
loaded; reading the cases from 100 schemas is not included. The last line printed is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

from interaction.figures import (
    KIND_LABELS,
    CaseFacts,
    add_months,
    month_figures,
    overdue_cases,
    unanswered_beyond_veto,
)
from workcalendar.calendar import WorkCalendar
from workcalendar.data import HOLIDAY_ROWS

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
MONTH = (2026, 11)
TARGET_S = 5.0
DEFAULT_DAYS = {"consult": 5, "suggestion": 10, "complaint": 15, "help": 5, "correction": 3}
KINDS = tuple(DEFAULT_DAYS)
# Share of each final state among the generated messages.
STATES = (
    ("published", 0.38),
    ("not_published", 0.08),
    ("answered", 0.08),
    ("review", 0.04),
    ("in_progress", 0.08),
    ("assigned", 0.05),
    ("accepted", 0.04),
    ("submitted", 0.05),
    ("refused", 0.08),
    ("transferred", 0.07),
    ("returned", 0.05),
)
ANSWERED = {"published", "not_published", "answered"}
OPEN = {"submitted", "accepted", "assigned", "in_progress", "review"}


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, dt_time(23, 59, 59), tzinfo=SHANGHAI)


# --- the naive reference (independent of the engine) ---------------------------------


class NaiveCalendar:
    def __init__(self, rows):
        self.holidays = {date.fromisoformat(d) for d, kind, _ in rows if kind == "holiday"}
        self.workdays = {date.fromisoformat(d) for d, kind, _ in rows if kind == "workday"}

    def working(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def add(self, start: date, days: int) -> date:
        day = start
        while days > 0:
            day += timedelta(days=1)
            days -= self.working(day)
        return day

    def between(self, start: date, end: date) -> int:
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.working(day)
        return count


def naive_month(messages, naive: NaiveCalendar, start: datetime, end: datetime) -> dict[str, int]:
    totals = dict.fromkeys(
        ("received", "accepted", "answered", "published", "on_time", "working_days_total", "rated", "satisfied"), 0
    )
    for m in messages:
        if not (start <= m["received_at"] < end) or m["status"] in ("transferred", "returned"):
            continue
        totals["received"] += 1
        if m["status"] in ("refused", "submitted"):
            continue
        totals["accepted"] += 1
        if m["status"] in ANSWERED:
            totals["answered"] += 1
            totals["published"] += m["status"] == "published"
            totals["on_time"] += m["answered_at"] <= m["naive_deadline"]
            totals["working_days_total"] += naive.between(local_date(m["received_at"]), local_date(m["answered_at"]))
            if m["rating"]:
                totals["rated"] += 1
                totals["satisfied"] += m["rating"] in ("satisfied", "basic")
    return totals


# --- synthetic messages ---------------------------------------------------------------


def generate(*, units: int, messages: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    states = [state for state, _ in STATES]
    weights = [weight for _, weight in STATES]
    year_ago = NOW - timedelta(days=365)
    rows = []
    for index in range(messages):
        status = rng.choices(states, weights)[0]
        kind = KINDS[index % len(KINDS)]
        received_at = year_ago + timedelta(seconds=rng.randrange(int((NOW - year_ago).total_seconds())))
        answered_at = None
        if status in ANSWERED:
            # Most within the deadline, some late (up to 30 days after it).
            delay = rng.choice((1, 2, 3, 4, 6, 9, 14, 25, 40))
            answered_at = min(received_at + timedelta(days=delay, hours=rng.randrange(8)), NOW - timedelta(minutes=1))
        rating = rng.choice(("", "", "satisfied", "basic", "unsatisfied")) if status in ANSWERED else ""
        rows.append(
            {
                "id": index + 1,
                "unit": index % units,
                "number": f"B{index:09d}",
                "kind": kind,
                "status": status,
                "received_at": received_at,
                "answered_at": answered_at,
                "rating": rating,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2007)
    args = parser.parse_args()

    messages = generate(units=args.units, messages=args.messages, seed=args.seed)
    month_start = datetime(*MONTH, 1, tzinfo=SHANGHAI)
    month_end = datetime(MONTH[0] + (MONTH[1] == 12), MONTH[1] % 12 + 1, 1, tzinfo=SHANGHAI)

    # Expected counts, naive and untimed.
    naive = NaiveCalendar(HOLIDAY_ROWS)
    for m in messages:
        m["naive_deadline"] = end_of_day(naive.add(local_date(m["received_at"]), DEFAULT_DAYS[m["kind"]]))
    overdue_expected = sum(1 for m in messages if m["status"] in OPEN and m["naive_deadline"] < NOW)
    veto_expected = sum(
        1
        for m in messages
        if m["status"] in OPEN and m["received_at"] >= add_months(NOW, -12) and add_months(m["received_at"], 3) < NOW
    )
    month_expected = naive_month(messages, naive, month_start, month_end)

    # The engine, timed.
    started = time.perf_counter()
    calendar = WorkCalendar.from_rows((date.fromisoformat(d), kind) for d, kind, _ in HOLIDAY_ROWS)
    by_unit: dict[int, list[CaseFacts]] = {}
    for m in messages:
        deadline = end_of_day(calendar.add_working_days(local_date(m["received_at"]), DEFAULT_DAYS[m["kind"]]))
        by_unit.setdefault(m["unit"], []).append(
            CaseFacts(
                id=m["id"],
                number=m["number"],
                kind=m["kind"],
                status=m["status"],
                received_at=m["received_at"],
                deadline=deadline,
                answered_at=m["answered_at"],
                rating=m["rating"],
            )
        )
    deadlines_s = time.perf_counter() - started
    overdue_found = veto_found = 0
    vetoed_units = 0
    month_found = dict.fromkeys(month_expected, 0)
    for facts in by_unit.values():
        overdue_found += len(overdue_cases(facts, now=NOW))
        unanswered = unanswered_beyond_veto(facts, now=NOW)
        veto_found += len(unanswered)
        vetoed_units += bool(unanswered)
        figures = month_figures(facts, start=month_start, end=month_end, calendar=calendar, local_date=local_date)
        for row in figures.values():
            for name in month_found:
                month_found[name] += getattr(row, name)
    seconds = time.perf_counter() - started
    deadlines_agree = all(
        fact.deadline == m["naive_deadline"]
        for m, fact in zip(
            sorted(messages, key=lambda m: m["id"]),
            sorted((f for fs in by_unit.values() for f in fs), key=lambda f: f.id),
            strict=True,
        )
    )
    counts_equal = (
        overdue_found == overdue_expected and veto_found == veto_expected and month_found == month_expected and deadlines_agree
    )
    states = {state: sum(1 for m in messages if m["status"] == state) for state, _ in STATES}
    print(f"{args.messages} messages in {args.units} units, states {states}")
    print(f"deadlines {deadlines_s:.3f} s; deadlines, overdue list, veto and {MONTH[0]}-{MONTH[1]:02d} figures {seconds:.3f} s")
    print(
        f"overdue: expected {overdue_expected}, found {overdue_found}; unanswered > 3 months: expected {veto_expected}, found {veto_found}"
    )
    print(f"month figures expected {month_expected}")
    print(f"month figures found    {month_found}")
    result = {
        "messages": args.messages,
        "units": args.units,
        "seconds": round(seconds, 3),
        "deadlines_s": round(deadlines_s, 3),
        "target_s": TARGET_S,
        "within_target": seconds < TARGET_S,
        "overdue_expected": overdue_expected,
        "overdue_found": overdue_found,
        "veto_expected": veto_expected,
        "veto_found": veto_found,
        "vetoed_units": vetoed_units,
        "month": f"{MONTH[0]}-{MONTH[1]:02d}",
        "month_received": month_found["received"],
        "month_published": month_found["published"],
        "deadlines_agree": deadlines_agree,
        "counts_equal": counts_equal,
        "kinds": list(KIND_LABELS.values()),
        "scope": "engine only (interaction.figures + workcalendar.calendar); loading cases from the schemas not included",
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0 if counts_equal and result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
