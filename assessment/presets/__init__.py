"""The shipped 考评方案 presets, as data (one JSON file each): read by services.create_scheme_from_preset."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
# key → label shown to the information centre.
PRESETS: dict[str, str] = {
    "city": "珠海市年度考评（年终考评 80% + 日常监测 20%，公众评价加减分）",
    "national_2019": "国家 2019 年政府网站检查指标（单项否决、扣分 100 分、加分 30 分）",
}


class UnknownPreset(KeyError):
    pass


@cache
def _load(key: str) -> str:
    return (HERE / f"{key}.json").read_text(encoding="utf-8")


def load_preset(key: str) -> dict:
    """A fresh copy of the preset `key` (callers may change it)."""
    if key not in PRESETS:
        raise UnknownPreset(key)
    return json.loads(_load(key))


def preset_spec(key: str, *, year: int):
    """The preset as the scoring engine reads it, without a database (ids numbered in tree order):
    what `bench.assessment` scores; the platform builds the same tree as rows (services)."""
    from ..scoring import IndicatorSpec, SchemeSpec

    data = load_preset(key)
    counter = [0]

    def build(node: dict, role: str) -> IndicatorSpec:
        counter[0] += 1
        own_id = counter[0]
        role = node.get("role", role)
        return IndicatorSpec(
            id=own_id,
            code=str(node["code"]),
            name=node["name"],
            role=role,
            kind=node.get("kind", "group"),
            max_points=float(node.get("max_points", 0)),
            rule=node.get("rule") or {},
            children=tuple(build(child, role) for child in node.get("children", [])),
        )

    return SchemeSpec(
        year=year,
        indicators=tuple(build(top, top.get("role", "score")) for top in data["indicators"]),
        pass_score=float(data["pass_score"]),
        good_score=float(data["good_score"]),
        excellent_score=float(data["excellent_score"]),
        bonus_threshold=None if data.get("bonus_threshold") is None else float(data["bonus_threshold"]),
        bonus_cap=None if data.get("bonus_cap") is None else float(data["bonus_cap"]),
        vote_cap_share=float(data.get("vote_cap_share", 0.1)),
    )
