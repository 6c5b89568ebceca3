"""The figures of the public vote, in pure Python (no Django): what the assessment and the bench read.

Each answer has a score: 满意 100, 基本满意 60, 不满意 0. A unit's score is the mean over its valid votes
(annulled votes are not valid and count in `annulled` only); None when it has no valid vote.
"""

from __future__ import annotations

from dataclasses import dataclass

SATISFIED = "satisfied"
BASIC = "basic"
UNSATISFIED = "unsatisfied"

ANSWER_LABELS = {SATISFIED: "满意", BASIC: "基本满意", UNSATISFIED: "不满意"}
ANSWER_SCORES = {SATISFIED: 100, BASIC: 60, UNSATISFIED: 0}


@dataclass(frozen=True, slots=True)
class SatisfactionFigures:
    """One unit's votes over a span of days."""

    valid_votes: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    annulled: int = 0

    @property
    def score(self) -> float | None:
        """0–100: the mean answer score over the valid votes; None without votes."""
        if not self.valid_votes:
            return None
        total = (
            ANSWER_SCORES[SATISFIED] * self.satisfied
            + ANSWER_SCORES[BASIC] * self.basically_satisfied
            + ANSWER_SCORES[UNSATISFIED] * self.unsatisfied
        )
        return total / self.valid_votes

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (满意 + 基本满意) / valid votes; None without votes."""
        if not self.valid_votes:
            return None
        return (self.satisfied + self.basically_satisfied) / self.valid_votes

    @classmethod
    def of(cls, *, satisfied: int = 0, basic: int = 0, unsatisfied: int = 0, annulled: int = 0) -> SatisfactionFigures:
        """From the counts of valid votes per answer (and the annulled ones)."""
        return cls(
            valid_votes=satisfied + basic + unsatisfied,
            satisfied=satisfied,
            basically_satisfied=basic,
            unsatisfied=unsatisfied,
            annulled=annulled,
        )

    def __add__(self, other: SatisfactionFigures) -> SatisfactionFigures:
        return SatisfactionFigures(
            valid_votes=self.valid_votes + other.valid_votes,
            satisfied=self.satisfied + other.satisfied,
            basically_satisfied=self.basically_satisfied + other.basically_satisfied,
            unsatisfied=self.unsatisfied + other.unsatisfied,
            annulled=self.annulled + other.annulled,
        )
