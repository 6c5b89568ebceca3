"""What the platform ships with the table: the catalogue of municipal units
(``columns/data/units.json``) and the source document whose 附件1 is the table
as the information centre published it.

Free of Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "SOURCE_DOCUMENT",
    "UNITS_FILE",
    "UNIT_TYPES",
    "UnitInfo",
    "catalogue_entry",
    "known_unit_names",
    "load_unit_catalogue",
    "seed_unit_names",
    "source_document_path",
    "unknown_unit_reason",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
UNITS_FILE = DATA_DIR / "units.json"
# 珠府办〔2007〕75号 as published, with the responsibility table as 附件1.
SOURCE_DOCUMENT = DATA_DIR / "zhuhai-portal-maintenance-measures-2007.txt"

UNIT_TYPES: tuple[str, ...] = ("office", "department", "agency", "district")


@dataclass(frozen=True)
class UnitInfo:
    """A municipal unit the platform knows, from ``columns/data/units.json``."""

    name: str
    full_name: str
    code: str
    unit_type: str
    # Other names of the same unit (today's name of a bureau renamed since 2007).
    aliases: tuple[str, ...] = ()


_UNIT_CODE = re.compile(r"^[a-z]{2,10}$")


@lru_cache(maxsize=1)
def _catalogue_entries() -> tuple[UnitInfo, ...]:
    entries = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    units: list[UnitInfo] = []
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    for entry in entries:
        unit = UnitInfo(
            name=entry["name"],
            full_name=entry["full_name"],
            code=entry["code"],
            unit_type=entry["unit_type"],
            aliases=tuple(entry.get("aliases", ())),
        )
        for name in (unit.name, *unit.aliases):
            if name in seen_names:
                raise ValueError(f"单位名录中单位名称重复：{name}")
            seen_names.add(name)
        if unit.code in seen_codes or not _UNIT_CODE.match(unit.code):
            raise ValueError(f"单位名录中单位代码重复或不合规：{unit.code}")
        if unit.unit_type not in UNIT_TYPES:
            raise ValueError(f"单位名录中单位类型无效：{unit.name}（{unit.unit_type}）")
        seen_codes.add(unit.code)
        units.append(unit)
    return tuple(units)


def load_unit_catalogue() -> dict[str, UnitInfo]:
    """The shipped seed units keyed by their short name (as used in the table headings).

    Optional seed data: the import reads the units registered in the database and
    uses an entry only to propose the code and full name of a unit it creates.
    """
    # A fresh dict each call: callers may mutate it, the cached tuple must not change.
    return {unit.name: unit for unit in _catalogue_entries()}


def catalogue_entry(name: str) -> UnitInfo | None:
    """The seed entry whose name or one of whose aliases is ``name``."""
    for unit in _catalogue_entries():
        if name == unit.name or name in unit.aliases:
            return unit
    return None


def seed_unit_names() -> frozenset[str]:
    """Every name (and alias) of the seed catalogue."""
    return frozenset(name for unit in _catalogue_entries() for name in (unit.name, *unit.aliases))


def known_unit_names(known_units: Collection[str] | None) -> frozenset[str] | None:
    """The unit names a parser accepts; None accepts every heading (the import then
    matches the names against the units registered in the database)."""
    if known_units is None:
        return None
    return frozenset(known_units)


def unknown_unit_reason(name: str) -> str:
    return f"未知单位「{name}」：不在单位名录中"


def source_document_path() -> Path:
    """The shipped source document (box-drawn text): ``parse_file`` reads its table."""
    return SOURCE_DOCUMENT
