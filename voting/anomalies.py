"""Anomaly checks of the public vote, in pure Python (no Django, no database): plain records in, flags out.

The vote log and the benchmark call `find_anomalies` on every vote of a period at once; it is linear
in the number of votes (one sort per unit for the burst rule, dictionaries for the rest), about a
second for 200,000 votes.

Rules (each flags votes; a vote may carry several flags; nothing is annulled automatically):
- burst: at least `burst_min_votes` votes for one unit within `burst_window_seconds`. Every vote inside
  such a window is flagged; overlapping windows make one finding.
- shared_ip: at least `ip_min_numbers` distinct numbers voted from one address on one day.
- shared_network: at least `network_min_numbers` distinct numbers voted from one /24 (IPv6 /48)
  network on one day (addresses that rotate within a network).
- sequence: at least `sequence_min_run` distinct numbers of one block of 100 (same first nine digits)
  whose last two digits are consecutive, e.g. …00 to …07. Only the hash of the block and the two digits
  are known (see voting.identity): the number itself is never needed.

The defaults assume ordinary traffic: at most a few votes per unit per ten minutes, a household or small
office behind one address, numbers spread over the real numbering space. They are the `Thresholds`
dataclass, so a period with very different traffic can be checked with its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

BURST = "burst"
SHARED_IP = "shared_ip"
SHARED_NETWORK = "shared_network"
SEQUENCE = "sequence"
RULES = (BURST, SHARED_IP, SHARED_NETWORK, SEQUENCE)
RULE_LABELS = {
    BURST: "短时集中投票",
    SHARED_IP: "同一 IP 多个号码",
    SHARED_NETWORK: "同一网段多个号码",
    SEQUENCE: "连号投票",
}


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """What the checks need of one vote: hashes only (voting.identity), no personal data.

    `at` is the vote's time (aware or naive, consistently); its calendar day is `at.date()`, so pass
    local times. `ip` and `network` may be empty (no address known): such votes are skipped by the
    address rules.
    """

    id: int
    unit_id: int
    at: datetime
    identity: str
    block: str
    suffix: int
    ip: str = ""
    network: str = ""


@dataclass(frozen=True, slots=True)
class Thresholds:
    burst_window_seconds: int = 600
    burst_min_votes: int = 20
    ip_min_numbers: int = 5
    network_min_numbers: int = 30
    sequence_min_run: int = 5


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Finding:
    """One group of flagged votes: a burst, an address or network on a day, or a run in a block."""

    rule: str
    vote_ids: tuple[int, ...]
    numbers: int
    start: datetime
    end: datetime
    unit_id: int | None = None
    day: date | None = None
    suffixes: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        return RULE_LABELS[self.rule]

    @property
    def description(self) -> str:
        if self.rule == BURST:
            return f"{self.start:%m-%d %H:%M}–{self.end:%H:%M} 共 {len(self.vote_ids)} 票"
        if self.rule in (SHARED_IP, SHARED_NETWORK):
            return f"{self.day:%m-%d} {self.numbers} 个号码共 {len(self.vote_ids)} 票"
        low, high = self.suffixes or (0, 0)
        return f"同一号段尾号 {low:02d}–{high:02d} 连续 {self.numbers} 个号码共 {len(self.vote_ids)} 票"


@dataclass(frozen=True)
class AnomalyReport:
    checked: int
    thresholds: Thresholds
    flagged: dict[str, frozenset[int]]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def flagged_ids(self) -> frozenset[int]:
        result: set[int] = set()
        for ids in self.flagged.values():
            result |= ids
        return frozenset(result)

    def flags_by_vote(self) -> dict[int, tuple[str, ...]]:
        """Each flagged vote's rules, in the order of RULES."""
        result: dict[int, list[str]] = defaultdict(list)
        for rule in RULES:
            for vote_id in self.flagged.get(rule, ()):
                result[vote_id].append(rule)
        return {vote_id: tuple(rules) for vote_id, rules in result.items()}

    def summary(self) -> dict[str, int]:
        return {rule: len(self.flagged.get(rule, ())) for rule in RULES}


def find_anomalies(
    votes: Sequence[VoteRecord] | Iterable[VoteRecord], *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> AnomalyReport:
    records = votes if isinstance(votes, Sequence) else list(votes)
    days = [vote.at.date() for vote in records]
    findings: list[Finding] = []
    findings += _bursts(records, thresholds)
    findings += _shared(records, days, thresholds.ip_min_numbers, rule=SHARED_IP, attribute="ip")
    findings += _shared(records, days, thresholds.network_min_numbers, rule=SHARED_NETWORK, attribute="network")
    findings += _sequences(records, thresholds.sequence_min_run)
    flagged: dict[str, set[int]] = {rule: set() for rule in RULES}
    for finding in findings:
        flagged[finding.rule].update(finding.vote_ids)
    return AnomalyReport(
        checked=len(records),
        thresholds=thresholds,
        flagged={rule: frozenset(ids) for rule, ids in flagged.items()},
        findings=tuple(findings),
    )


def _bursts(records: Sequence[VoteRecord], thresholds: Thresholds) -> list[Finding]:
    window, minimum = thresholds.burst_window_seconds, thresholds.burst_min_votes
    by_unit: dict[int, list[tuple[float, VoteRecord]]] = defaultdict(list)
    for vote in records:
        by_unit[vote.unit_id].append((vote.at.timestamp(), vote))
    findings = []
    for unit_id, items in by_unit.items():
        if len(items) < minimum:
            continue
        items.sort(key=lambda item: item[0])
        times = [item[0] for item in items]
        segments: list[list[int]] = []  # [first index, last index] of merged windows
        left = 0
        for right, moment in enumerate(times):
            while moment - times[left] > window:
                left += 1
            if right - left + 1 >= minimum:
                if segments and left <= segments[-1][1] + 1:
                    segments[-1][1] = right
                else:
                    segments.append([left, right])
        for first, last in segments:
            group = [item[1] for item in items[first : last + 1]]
            findings.append(
                Finding(
                    rule=BURST,
                    vote_ids=tuple(vote.id for vote in group),
                    numbers=len({vote.identity for vote in group}),
                    start=group[0].at,
                    end=group[-1].at,
                    unit_id=unit_id,
                )
            )
    return findings


def _shared(records: Sequence[VoteRecord], days: list[date], minimum: int, *, rule: str, attribute: str) -> list[Finding]:
    # First count votes per (address, day), then gather only the groups that may reach the threshold.
    counts: dict[tuple[str, date], int] = {}
    keys = []
    for vote, day in zip(records, days, strict=True):
        address = getattr(vote, attribute)
        key = (address, day) if address else None
        keys.append(key)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    candidates = {key for key, count in counts.items() if count >= minimum}
    if not candidates:
        return []
    groups: dict[tuple[str, date], list[VoteRecord]] = defaultdict(list)
    for vote, key in zip(records, keys, strict=True):
        if key in candidates:
            groups[key].append(vote)
    findings = []
    for (_, day), group in groups.items():
        numbers = len({vote.identity for vote in group})
        if numbers < minimum:
            continue
        times = [vote.at for vote in group]
        findings.append(
            Finding(
                rule=rule,
                vote_ids=tuple(vote.id for vote in group),
                numbers=numbers,
                start=min(times),
                end=max(times),
                day=day,
            )
        )
    return findings


def _sequences(records: Sequence[VoteRecord], min_run: int) -> list[Finding]:
    # Votes per block bound the distinct numbers in it: only blocks with enough votes are gathered.
    counts: dict[str, int] = {}
    for vote in records:
        counts[vote.block] = counts.get(vote.block, 0) + 1
    candidates = {block for block, count in counts.items() if count >= min_run}
    blocks: dict[str, dict[int, list[VoteRecord]]] = defaultdict(lambda: defaultdict(list))
    for vote in records:
        if vote.block in candidates:
            blocks[vote.block][vote.suffix].append(vote)
    findings = []
    for suffixes in blocks.values():
        if len(suffixes) < min_run:
            continue
        ordered = sorted(suffixes)
        run_start = 0
        for index in range(1, len(ordered) + 1):
            if index < len(ordered) and ordered[index] == ordered[index - 1] + 1:
                continue
            run = ordered[run_start:index]
            if len(run) >= min_run:
                group = [vote for suffix in run for vote in suffixes[suffix]]
                times = [vote.at for vote in group]
                findings.append(
                    Finding(
                        rule=SEQUENCE,
                        vote_ids=tuple(vote.id for vote in group),
                        numbers=len(run),
                        start=min(times),
                        end=max(times),
                        suffixes=(run[0], run[-1]),
                    )
                )
            run_start = index
    return findings
