"""What the published results say, as plain data (no Django): the portal page and the PDF 通报 read these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ResultRow:
    unit_code: str
    unit_name: str
    class_name: str
    total: float
    base: float
    bonus: float
    vote: float
    grade: str
    rank: int | None
    class_size: int | None
    vetoed: bool
    veto_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class YearResults:
    year: int
    title: str
    description: str
    # (class name, rows ranked within the class)
    classes: tuple[tuple[str, tuple[ResultRow, ...]], ...]
    pass_score: float
    good_score: float
    excellent_score: float
    vote_cap: float
    approved_at: datetime | None
    approved_by: str
    approval_opinion: str
    published_at: datetime | None
    generated_at: datetime

    @property
    def rows(self) -> list[ResultRow]:
        return [row for _name, rows in self.classes for row in rows]

    def grade_counts(self) -> dict[str, int]:
        counts = {"优秀": 0, "良好": 0, "合格": 0, "不合格": 0}
        for row in self.rows:
            counts[row.grade] = counts.get(row.grade, 0) + 1
        return counts


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    indicator_id: int
    code: str
    name: str
    level: int
    kind: str
    kind_label: str
    role: str
    max_points: float
    points: float
    reasons: tuple[str, ...]
    vetoed: bool
    provisional: bool
    score_id: int | None
    contest_reason: str = ""
    contest_answer: str = ""
    contest_open: bool = False
    has_contest: bool = False

    @property
    def is_leaf(self) -> bool:
        return self.kind != "group"


def points_text(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
