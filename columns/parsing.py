"""Read and write the 责任分解表 (responsibility table) of the municipal portal.

The information centre publishes the table as box-drawn text inside a
regulation (附件1 of 珠府办〔2007〕75号); units send it back as CSV or XLSX
spreadsheets.  Every format is turned into the same ``RequirementRow`` list,
and anything that cannot be read unambiguously is refused with a
``TableFormatError`` naming the source line and column, because a silently
misread table would create or retire the wrong columns on a unit's site.

This module is deliberately free of Django so that it can be tested and used
by command-line tools without a database.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from govplatform.exports import escape_formula, unescape_formula
from moderation.secrecy.spreadsheet import DEFAULT_LIMITS as DEFAULT_XLSX_LIMITS
from moderation.secrecy.spreadsheet import SpreadsheetError, SpreadsheetLimits, SpreadsheetTooLarge, open_workbook
from moderation.secrecy.spreadsheet import Workbook as XlsxWorkbook

__all__ = [
    "COLUMN_NAMES",
    "PAGE_TYPES",
    "SPREADSHEET_HEADER",
    "UNIT_TYPES",
    "RequirementRow",
    "TableFormatError",
    "UnitInfo",
    "infer_page_type",
    "load_unit_catalogue",
    "normalise_cell_text",
    "parse_csv",
    "parse_file",
    "parse_text",
    "parse_xlsx",
    "rows_to_csv",
    "rows_to_xlsx",
    "split_categories",
]

COLUMN_NAMES: tuple[str, ...] = ("一级栏目", "二级栏目", "三级栏目", "具体内容", "保障方式", "政务公开类别")
UNIT_COLUMN = "单位"
SPREADSHEET_HEADER: tuple[str, ...] = (UNIT_COLUMN, *COLUMN_NAMES)

UNIT_TYPES: tuple[str, ...] = ("office", "department", "agency", "district")

PAGE_TYPES: dict[str, str] = {
    "leader": "领导之窗",
    "org_directory": "机构目录",
    "unit_profile": "机构概况",
    "gov_document": "政府文件",
    "normative_document": "规范性文件",
    "gazette": "政府公报",
    "work_report": "政府工作报告",
    "disclosure_catalogue": "政府信息公开目录",
    "notice": "公告公示",
    "news": "工作动态",
    "service_guide": "办事指南",
    "plan": "规划计划",
    "phone_directory": "便民电话",
    "overview": "概览",
    "interaction": "互动交流",
}

_UNITS_FILE = Path(__file__).resolve().parent / "data" / "units.json"

_CATEGORY_COLUMN = COLUMN_NAMES.index("政务公开类别")
_COLUMN_COUNT = len(COLUMN_NAMES)

# Box-drawing characters of the published table.  Only these four may separate
# cells inside a table line; the others belong to the top and bottom borders.
_CELL_BOUNDARIES = frozenset("│├┤┼")
_HORIZONTAL = "─"
_BOX_CHARS = frozenset("│─├┤┼┌┬┐└┴┘")
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、\s*(?P<name>\S.*?)\s*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE_RUN = re.compile(r"\s+")

# Junction expected between two cells, keyed by (left cell is a separator,
# right cell is a separator); the table edges count as non-separators.
_JUNCTIONS: dict[tuple[bool, bool], str] = {
    (False, False): "│",
    (False, True): "├",
    (True, False): "┤",
    (True, True): "┼",
}

_CATEGORY_SEPARATORS = "；;、"
_OPENING_BRACKETS = "(（[［【〔《"
_CLOSING_BRACKETS = ")）]］】〕》"


class TableFormatError(ValueError):
    """The table cannot be read unambiguously.

    ``line`` and ``column`` are 1-based.  For box-drawn text they are the
    source line and character column; for spreadsheets the row (the header is
    row 1) and the spreadsheet column.  ``column`` is 0 when no single column
    is to blame.
    """

    def __init__(self, *, line: int, column: int, reason: str) -> None:
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        if self.column > 0:
            return f"第{self.line}行第{self.column}列：{self.reason}"
        return f"第{self.line}行：{self.reason}"

    def __str__(self) -> str:
        return self._message()


@dataclass(frozen=True)
class RequirementRow:
    """One required column (栏目) of one unit."""

    unit: str
    level1: str
    level2: str
    level3: str
    content: str
    guarantee: str
    categories: tuple[str, ...]
    page_type: str
    line: int

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "level1": self.level1,
            "level2": self.level2,
            "level3": self.level3,
            "content": self.content,
            "guarantee": self.guarantee,
            "categories": list(self.categories),
            "page_type": self.page_type,
        }


@dataclass(frozen=True)
class UnitInfo:
    """A municipal unit the platform knows, from ``columns/data/units.json``."""

    name: str
    full_name: str
    code: str
    unit_type: str


# --------------------------------------------------------------------------
# Unit catalogue


_UNIT_CODE = re.compile(r"^[a-z]{2,10}$")


@lru_cache(maxsize=1)
def _catalogue_entries() -> tuple[UnitInfo, ...]:
    entries = json.loads(_UNITS_FILE.read_text(encoding="utf-8"))
    units: list[UnitInfo] = []
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    for entry in entries:
        unit = UnitInfo(
            name=entry["name"],
            full_name=entry["full_name"],
            code=entry["code"],
            unit_type=entry["unit_type"],
        )
        if unit.name in seen_names:
            raise ValueError(f"单位名录中单位名称重复：{unit.name}")
        if unit.code in seen_codes or not _UNIT_CODE.match(unit.code):
            raise ValueError(f"单位名录中单位代码重复或不合规：{unit.code}")
        if unit.unit_type not in UNIT_TYPES:
            raise ValueError(f"单位名录中单位类型无效：{unit.name}（{unit.unit_type}）")
        seen_names.add(unit.name)
        seen_codes.add(unit.code)
        units.append(unit)
    return tuple(units)


def load_unit_catalogue() -> dict[str, UnitInfo]:
    """Known units keyed by their short name (as used in the table headings)."""
    # A fresh dict each call: callers may mutate it, the cached tuple must not change.
    return {unit.name: unit for unit in _catalogue_entries()}


def _known_unit_names(known_units: Collection[str] | None) -> frozenset[str]:
    if known_units is None:
        return frozenset(unit.name for unit in _catalogue_entries())
    return frozenset(known_units)


# --------------------------------------------------------------------------
# Text helpers shared by all formats


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def normalise_cell_text(text: str) -> str:
    """Join wrapped cell text: drop whitespace except one space between ASCII words.

    The published table pads and wraps CJK text arbitrarily (``陈 英(副市 长)``),
    so whitespace carries no meaning there; between two ASCII letters or digits
    it separates words and is kept as a single space.
    """
    text = text.strip()

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1]
        after = text[match.end()]
        return " " if _is_ascii_alnum(before) and _is_ascii_alnum(after) else ""

    return _WHITESPACE_RUN.sub(replace, text)


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    # 行政审批(含行政许可、非行政许可审批事项) is one category: a 、 inside brackets
    # enumerates within the category and must not split it.
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPENING_BRACKETS:
            depth += 1
        elif char in _CLOSING_BRACKETS:
            depth = max(depth - 1, 0)
        elif char in separators and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def split_categories(cell: str) -> tuple[str, ...]:
    """Split a spreadsheet 政务公开类别 cell into categories.

    Line breaks are the strongest separator: when a cell has any, only they
    split, so a category may itself contain ；/;/、.  Otherwise ；, ; and 、
    outside brackets split.  Empty and repeated categories are dropped.
    """
    if "\n" in cell or "\r" in cell:
        parts = _LINE_BREAK.split(cell)
    else:
        parts = _split_outside_brackets(cell, _CATEGORY_SEPARATORS)
    categories: list[str] = []
    for part in parts:
        category = normalise_cell_text(part)
        if category and category not in categories:
            categories.append(category)
    return tuple(categories)


def _join_categories(categories: Sequence[str]) -> str:
    joined = "\n".join(categories)
    if len(categories) == 1 and split_categories(joined) != tuple(categories):
        # A lone category containing ；/;/、 would be split on reading; a line
        # break makes the reader split on line breaks only.
        joined += "\n"
    return joined


# --------------------------------------------------------------------------
# Page types


# (page type, fields searched, keywords); the first rule with a keyword in one
# of its fields wins.  Specific kinds come before generic ones: a 组织机构 row
# whose content is 办事指南 is a service guide, a 法规公文 row about 规范性文件
# is not a 政府文件 column.
_PAGE_TYPE_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("leader", ("level2", "level3"), ("市长之窗", "领导之窗")),
    ("disclosure_catalogue", ("level2", "level3"), ("公开目录",)),
    ("gazette", ("level2", "level3"), ("公报",)),
    ("work_report", ("level2", "level3"), ("工作报告",)),
    ("service_guide", ("level2", "level3", "content"), ("办事指南", "表格下载")),
    ("normative_document", ("level2", "level3", "content"), ("规范性文件", "地方法规")),
    ("gov_document", ("level2", "level3", "content"), ("政府文件", "政府令", "法规公文")),
    ("org_directory", ("level2", "level3", "content"), ("组成部门", "直属机构", "机构目录")),
    ("unit_profile", ("level2", "level3", "content"), ("本部门机构", "机构概况", "组织机构")),
    ("notice", ("level2", "level3"), ("公告", "公示")),
    ("news", ("level2", "level3"), ("动态", "新闻", "要闻", "关注")),
    ("plan", ("level2", "level3"), ("规划", "计划")),
    ("phone_directory", ("level2", "level3"), ("电话",)),
    ("interaction", ("level2", "level3"), ("互动", "咨询", "信箱", "投诉", "留言")),
    ("overview", ("level2", "level3", "content"), ("概览", "概况", "基本情况")),
)

# When the column names say nothing, the disclosure category still hints at
# what the column publishes.
_CATEGORY_PAGE_TYPES: tuple[tuple[str, str], ...] = (
    ("政府领导", "leader"),
    ("规范性文件", "normative_document"),
    ("政府文件", "gov_document"),
    ("行政审批", "service_guide"),
    ("政府机构", "org_directory"),
    ("机构职能", "unit_profile"),
    ("政务公开", "disclosure_catalogue"),
    ("工作动态", "news"),
)


def infer_page_type(*, level1: str, level2: str, level3: str, content: str, categories: Sequence[str]) -> str:
    """The kind of page a column needs, one of the keys of ``PAGE_TYPES``.

    ``level1`` (信息服务, 企业频道 …) names a portal channel, not a kind of
    page, so it is accepted for completeness but not searched.
    """
    fields = {"level2": level2, "level3": level3, "content": content}
    for page_type, searched, keywords in _PAGE_TYPE_RULES:
        if any(keyword in fields[name] for name in searched for keyword in keywords):
            return page_type
    for category in categories:
        for keyword, page_type in _CATEGORY_PAGE_TYPES:
            if keyword in category:
                return page_type
    # Unrecognised columns are static text about the unit; an overview page
    # holds them until the information centre assigns something better.
    return "overview"


def _make_row(
    *,
    unit: str,
    values: Sequence[str],
    categories: tuple[str, ...],
    line: int,
) -> RequirementRow:
    level1, level2, level3, content, guarantee = values
    return RequirementRow(
        unit=unit,
        level1=level1,
        level2=level2,
        level3=level3,
        content=content,
        guarantee=guarantee,
        categories=categories,
        page_type=infer_page_type(
            level1=level1, level2=level2, level3=level3, content=content, categories=categories
        ),
        line=line,
    )


# --------------------------------------------------------------------------
# Box-drawn text


@dataclass(frozen=True)
class _TableLine:
    number: int
    cells: tuple[str, ...]
    # 1-based source column of each cell's first character.
    starts: tuple[int, ...]
    separators: tuple[bool, ...]


@dataclass(frozen=True)
class _Span:
    """Inclusive range of line indexes within a row group."""

    first: int
    last: int

    def contains(self, other: _Span) -> bool:
        return self.first <= other.first and other.last <= self.last

    def overlaps(self, other: _Span) -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass(frozen=True)
class _Heading:
    name: str
    line: int
    column: int


def _misaligned(*, line: int, column: int, detail: str) -> TableFormatError:
    return TableFormatError(line=line, column=column, reason=f"边框未对齐：{detail}")


def _border_widths(text: str, *, number: int, corners: str) -> list[int]:
    """Column widths of a top (┌┬┐) or bottom (└┴┘) border line."""
    left, junction, right = corners
    offset = len(text) - len(text.lstrip())
    stripped = text.strip()
    if not stripped.startswith(left):
        raise _misaligned(line=number, column=offset + 1, detail=f"边框线应以「{left}」开头")
    if len(stripped) < 3 or not stripped.endswith(right):
        raise _misaligned(line=number, column=offset + len(stripped), detail=f"边框线应以「{right}」结尾")
    widths: list[int] = []
    width = 0
    for index, char in enumerate(stripped[1:-1], start=offset + 2):
        if char == _HORIZONTAL:
            width += 1
        elif char == junction and width > 0:
            widths.append(width)
            width = 0
        else:
            raise _misaligned(line=number, column=index, detail=f"边框线中不应出现「{char}」")
    if width == 0:
        raise _misaligned(line=number, column=offset + len(stripped), detail=f"「{right}」前缺少横线")
    widths.append(width)
    return widths


def _split_table_line(text: str, *, number: int, widths: Sequence[int]) -> _TableLine:
    for index, char in enumerate(text):
        if char in _BOX_CHARS and char not in _CELL_BOUNDARIES and char != _HORIZONTAL:
            raise _misaligned(line=number, column=index + 1, detail=f"表格行中不应出现「{char}」")
    positions = [index for index, char in enumerate(text) if char in _CELL_BOUNDARIES]
    tail = text[positions[-1] + 1 :]
    cell_count = len(positions) - 1 + (1 if tail.strip() else 0)
    if cell_count != len(widths):
        # Too many cells: point at the first surplus cell; too few: at the
        # boundary where the line ended early.
        column = positions[len(widths)] + 2 if cell_count > len(widths) else positions[-1] + 1
        raise TableFormatError(
            line=number,
            column=column,
            reason=f"表格行的单元格数为{cell_count}，应为{len(widths)}",
        )
    cells = tuple(text[start + 1 : end] for start, end in pairwise(positions))
    separators: list[bool] = []
    for index, (cell, width) in enumerate(zip(cells, widths)):
        if _HORIZONTAL not in cell:
            separators.append(False)
            continue
        if cell.strip(_HORIZONTAL):
            raise _misaligned(line=number, column=positions[index] + 2, detail=f"第{index + 1}栏的分隔线中混有其他字符")
        if len(cell) != width:
            raise _misaligned(
                line=number,
                column=positions[index] + 2,
                detail=f"第{index + 1}栏的分隔线长为{len(cell)}，表格顶边为{width}",
            )
        separators.append(True)
    edges = [False, *separators, False]
    for index, position in enumerate(positions):
        expected = _JUNCTIONS[(edges[index], edges[index + 1])]
        if text[position] != expected:
            raise _misaligned(
                line=number,
                column=position + 1,
                detail=f"此处应为「{expected}」，实为「{text[position]}」",
            )
    return _TableLine(
        number=number,
        cells=cells,
        starts=tuple(position + 2 for position in positions[:-1]),
        separators=tuple(separators),
    )


def _column_spans(group: Sequence[_TableLine], column: int) -> list[_Span]:
    """Line ranges of the sub-cells of one column, cut by its partial separators."""
    cuts = [index for index, line in enumerate(group) if line.separators[column]]
    spans: list[_Span] = []
    for before, after in pairwise([-1, *cuts, len(group)]):
        if after - before < 2:
            # Two separators with nothing between them (or a partial one right
            # next to a full row separator) draw a cell of no height.
            at = group[after] if after < len(group) else group[before]
            raise _misaligned(
                line=at.number,
                column=at.starts[column],
                detail=f"第{column + 1}栏的分隔线之间没有内容行",
            )
        spans.append(_Span(first=before + 1, last=after - 1))
    return spans


def _span_text(group: Sequence[_TableLine], column: int, span: _Span) -> str:
    return normalise_cell_text("\n".join(group[index].cells[column] for index in range(span.first, span.last + 1)))


def _is_header_group(group: Sequence[_TableLine]) -> bool:
    whole = _Span(first=0, last=len(group) - 1)
    texts = [_span_text(group, column, whole) for column in range(_COLUMN_COUNT)]
    if texts[0] != COLUMN_NAMES[0]:
        return False
    for column, (text, expected) in enumerate(zip(texts, COLUMN_NAMES)):
        # Separator lines inside a header would be joined into the text, which
        # then fails this comparison: a header must be one plain row.
        if text != expected:
            raise TableFormatError(
                line=group[0].number,
                column=group[0].starts[column],
                reason=f"表头第{column + 1}栏应为「{expected}」，实为「{text}」",
            )
    return True


def _rows_from_group(group: Sequence[_TableLine], *, unit: str) -> list[RequirementRow]:
    """Expand one row group (between full separators) into requirement rows.

    Each partial separator outside the 政务公开类别 column starts a new output
    row; a cell that no separator cuts spans all rows beside it (the eight
    leaders share one 具体内容 cell).  Sub-cells of the 政务公开类别 column are
    gathered as the categories of every row they overlap, so a category cell
    cut into two beside one uncut row gives that row two categories.
    """
    spans = [_column_spans(group, column) for column in range(_COLUMN_COUNT)]
    cuts = sorted(
        {
            index
            for column in range(_COLUMN_COUNT)
            if column != _CATEGORY_COLUMN
            for index, line in enumerate(group)
            if line.separators[column]
        }
    )
    rows: list[RequirementRow] = []
    for before, after in pairwise([-1, *cuts, len(group)]):
        if after - before < 2:
            # Cuts in different columns on adjacent lines: no line belongs to
            # this row alone; the cells on either side are covered by their
            # neighbours.
            continue
        row_span = _Span(first=before + 1, last=after - 1)
        # Every cut of these columns is a row boundary, so exactly one
        # sub-cell of each contains the row.
        covering = {
            column: next(span for span in spans[column] if span.contains(row_span))
            for column in range(_COLUMN_COUNT)
            if column != _CATEGORY_COLUMN
        }
        values = [_span_text(group, column, span) for column, span in covering.items()]
        categories: list[str] = []
        for span in spans[_CATEGORY_COLUMN]:
            if span.overlaps(row_span):
                category = _span_text(group, _CATEGORY_COLUMN, span)
                if category and category not in categories:
                    categories.append(category)
        if not any(values) and not categories:
            continue
        start = group[row_span.first]
        if not values[0]:
            origin = group[covering[0].first]
            raise TableFormatError(line=origin.number, column=origin.starts[0], reason="一级栏目为空")
        if not categories:
            raise TableFormatError(
                line=start.number,
                column=start.starts[_CATEGORY_COLUMN],
                reason="政务公开类别为空",
            )
        rows.append(_make_row(unit=unit, values=values, categories=tuple(categories), line=start.number))
    return rows


def _unclosed(*, top: int, column: int, detail: str) -> TableFormatError:
    return TableFormatError(line=top, column=column, reason=f"表格未闭合：{detail}之前缺少底边（└…┘）")


def _read_table(lines: Sequence[str], *, start: int, unit: str) -> tuple[list[RequirementRow], int]:
    """Parse the table whose top border is ``lines[start]``; return its rows and the next index."""
    top_number = start + 1
    top_column = len(lines[start]) - len(lines[start].lstrip()) + 1
    widths = _border_widths(lines[start], number=top_number, corners="┌┬┐")
    if len(widths) != _COLUMN_COUNT:
        raise TableFormatError(
            line=top_number,
            column=top_column,
            reason=f"表格有{len(widths)}栏，应为{_COLUMN_COUNT}栏（{'、'.join(COLUMN_NAMES)}）",
        )
    groups: list[list[_TableLine]] = []
    current: list[_TableLine] = []
    for index in range(start + 1, len(lines)):
        text = lines[index]
        number = index + 1
        stripped = text.strip()
        if not stripped:
            continue
        head = stripped[0]
        if head == "└":
            bottom = _border_widths(text, number=number, corners="└┴┘")
            if bottom != widths:
                raise _misaligned(
                    line=number,
                    column=len(text) - len(text.lstrip()) + 1,
                    detail=f"底边各栏宽度为{bottom}，顶边为{widths}",
                )
            if not current:
                raise _misaligned(line=number, column=0, detail="底边之前缺少内容行")
            groups.append(current)
            return _rows_from_groups(groups, unit=unit), index + 1
        if head in "│├":
            table_line = _split_table_line(text, number=number, widths=widths)
            if all(table_line.separators):
                if not current:
                    raise _misaligned(line=number, column=0, detail="整行分隔线之前缺少内容行")
                groups.append(current)
                current = []
            else:
                current.append(table_line)
            continue
        if head == "┌":
            raise _unclosed(top=top_number, column=top_column, detail=f"第{number}行开始新表格")
        if _HEADING.match(text):
            raise _unclosed(top=top_number, column=top_column, detail=f"第{number}行出现单位标题")
        if head in _BOX_CHARS:
            raise _misaligned(line=number, column=len(text) - len(text.lstrip()) + 1, detail=f"表格行不能以「{head}」开头")
        raise _unclosed(top=top_number, column=top_column, detail=f"第{number}行出现表格外文字")
    raise _unclosed(top=top_number, column=top_column, detail="文件结束")


def _rows_from_groups(groups: Sequence[Sequence[_TableLine]], *, unit: str) -> list[RequirementRow]:
    rows: list[RequirementRow] = []
    for position, group in enumerate(groups):
        if position == 0 and _is_header_group(group):
            continue
        rows.extend(_rows_from_group(group, unit=unit))
    return rows


def _unknown_unit(name: str) -> str:
    return f"未知单位「{name}」：不在单位名录中"


def parse_text(text: str, *, known_units: Collection[str] | None = None) -> list[RequirementRow]:
    """Rows of every box-drawn table in ``text``, each under its unit heading.

    A heading is a line such as ``二、市发展改革局`` directly followed (blank
    lines aside) by a table; other text is ignored, so numbered headings in a
    regulation body do no harm.  A table without its own heading continues the
    unit of the previous table, as happens when a table is split across pages.
    """
    units = _known_unit_names(known_units)
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    rows: list[RequirementRow] = []
    pending: _Heading | None = None
    unit: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        stripped = line.strip()
        if stripped.startswith("┌"):
            if pending is not None:
                if pending.name not in units:
                    raise TableFormatError(line=pending.line, column=pending.column, reason=_unknown_unit(pending.name))
                unit = pending.name
                pending = None
            elif unit is None:
                raise TableFormatError(
                    line=number,
                    column=len(line) - len(line.lstrip()) + 1,
                    reason="表格之前缺少单位标题（如“一、市府办公室”）",
                )
            table_rows, index = _read_table(lines, start=index, unit=unit)
            rows.extend(table_rows)
            continue
        match = _HEADING.match(line)
        if match is not None:
            if pending is not None and pending.name in units:
                raise TableFormatError(line=pending.line, column=pending.column, reason=f"单位「{pending.name}」的标题之后没有表格")
            pending = _Heading(
                name=normalise_cell_text(match.group("name")),
                line=number,
                column=match.start("name") + 1,
            )
        elif stripped and stripped[0] in _BOX_CHARS:
            raise TableFormatError(
                line=number,
                column=len(line) - len(line.lstrip()) + 1,
                reason="表格线出现在表格之外：缺少顶边（┌…┐）或底边位置有误",
            )
        index += 1
    if pending is not None and pending.name in units:
        raise TableFormatError(line=pending.line, column=pending.column, reason=f"单位「{pending.name}」的标题之后没有表格")
    return rows


# --------------------------------------------------------------------------
# Spreadsheets (CSV and XLSX share one row reader)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        # Excel on Chinese Windows saves CSV in the ANSI code page (GBK), which
        # GB18030 contains.
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise TableFormatError(
                line=data[: utf8_error.start].count(b"\n") + 1,
                column=0,
                reason="无法识别文件编码：应为UTF-8或GB18030（GBK）",
            ) from utf8_error


def _rows_from_records(
    records: Iterable[tuple[int, Sequence[str]]],
    *,
    known_units: Collection[str] | None,
) -> list[RequirementRow]:
    units = _known_unit_names(known_units)
    rows: list[RequirementRow] = []
    header_seen = False
    for number, raw_cells in records:
        cells = [cell for cell in raw_cells]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        if not header_seen:
            _check_header(cells, number=number)
            header_seen = True
            continue
        if len(cells) > len(SPREADSHEET_HEADER):
            raise TableFormatError(
                line=number,
                column=len(SPREADSHEET_HEADER) + 1,
                reason=f"该行有{len(cells)}列，应为{len(SPREADSHEET_HEADER)}列",
            )
        cells += [""] * (len(SPREADSHEET_HEADER) - len(cells))
        cells = [unescape_formula(cell) for cell in cells]
        unit = normalise_cell_text(cells[0])
        values = [normalise_cell_text(cell) for cell in cells[1:-1]]
        categories = split_categories(cells[-1])
        if not unit:
            raise TableFormatError(line=number, column=1, reason="单位为空")
        if unit not in units:
            raise TableFormatError(line=number, column=1, reason=_unknown_unit(unit))
        if not values[0]:
            raise TableFormatError(line=number, column=2, reason="一级栏目为空")
        if not categories:
            raise TableFormatError(line=number, column=len(SPREADSHEET_HEADER), reason="政务公开类别为空")
        rows.append(_make_row(unit=unit, values=values, categories=categories, line=number))
    if not header_seen:
        raise TableFormatError(line=1, column=0, reason=f"缺少表头：应为{'、'.join(SPREADSHEET_HEADER)}")
    return rows


def _check_header(cells: Sequence[str], *, number: int) -> None:
    names = [normalise_cell_text(cell.removeprefix("\ufeff")) for cell in cells]
    for column, expected in enumerate(SPREADSHEET_HEADER, start=1):
        actual = names[column - 1] if column <= len(names) else ""
        if actual != expected:
            raise TableFormatError(
                line=number,
                column=column,
                reason=f"表头第{column}列应为「{expected}」，实为「{actual or '空'}」",
            )
    if len(names) > len(SPREADSHEET_HEADER):
        raise TableFormatError(
            line=number,
            column=len(SPREADSHEET_HEADER) + 1,
            reason=f"表头有多余的列「{names[len(SPREADSHEET_HEADER)]}」",
        )


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise TableFormatError(line=number, column=0, reason=f"CSV格式错误（{error}）") from error
        yield number, cells


def parse_csv(data: str | bytes, *, known_units: Collection[str] | None = None) -> list[RequirementRow]:
    """Rows of a CSV table with the header 单位,一级栏目,…,政务公开类别.

    ``line`` of each row is its record number, the header being 1.
    """
    text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    return _rows_from_records(_csv_records(text), known_units=known_units)


def _xlsx_refusal(error: SpreadsheetError) -> TableFormatError:
    if isinstance(error, SpreadsheetTooLarge):
        return TableFormatError(
            line=max(error.row, 1),
            column=0,
            reason=f"{error.reason}，超出导入的限度；责任分解表只需{len(SPREADSHEET_HEADER)}列，请删除多余的行列后另存再导入",
        )
    return TableFormatError(
        line=max(error.row, 1), column=0, reason=f"无法读取XLSX文件：文件已损坏或不是Excel工作簿（{error.reason}）"
    )


def _xlsx_records(workbook: XlsxWorkbook) -> Iterator[tuple[int, list[str]]]:
    if not workbook.sheets:
        raise TableFormatError(line=1, column=0, reason="无法读取XLSX文件：工作簿中没有工作表")
    for number, cells in workbook.rows(workbook.sheets[0]):
        # Cells come sparse (column, text): nothing is padded to a declared width.
        dense = [""] * cells[-1][0]
        for column, text in cells:
            dense[column - 1] = text
        yield number, dense


def parse_xlsx(
    data: bytes, *, known_units: Collection[str] | None = None, limits: SpreadsheetLimits = DEFAULT_XLSX_LIMITS
) -> list[RequirementRow]:
    """Rows of the first sheet of an XLSX workbook, laid out as for ``parse_csv``.

    The sheet is streamed row by row: the header is checked before anything
    else is read, and a workbook over ``limits`` (declared range, cells, text,
    time) is refused with the sheet and row where reading stopped, instead of
    costing minutes of CPU.
    """
    try:
        workbook = open_workbook(data=data, limits=limits)
    except SpreadsheetError as error:
        raise _xlsx_refusal(error) from error
    try:
        with workbook:
            return _rows_from_records(_xlsx_records(workbook), known_units=known_units)
    except SpreadsheetError as error:
        raise _xlsx_refusal(error) from error


def parse_file(path: str | Path, *, known_units: Collection[str] | None = None) -> list[RequirementRow]:
    """Parse a .txt (box-drawn), .csv or .xlsx file, chosen by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return parse_text(_decode(path.read_bytes()), known_units=known_units)
    if suffix == ".csv":
        return parse_csv(path.read_bytes(), known_units=known_units)
    if suffix == ".xlsx":
        return parse_xlsx(path.read_bytes(), known_units=known_units)
    raise ValueError(f"不支持的文件类型「{path.suffix or '无扩展名'}」：应为.txt、.csv或.xlsx")


def _spreadsheet_cells(row: RequirementRow) -> list[str]:
    return [
        row.unit,
        row.level1,
        row.level2,
        row.level3,
        row.content,
        row.guarantee,
        _join_categories(row.categories),
    ]


def rows_to_csv(rows: Iterable[RequirementRow]) -> str:
    """The rows as CSV text that ``parse_csv`` reads back.

    Encode with ``utf-8-sig`` when serving it: Excel needs the BOM to
    recognise UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SPREADSHEET_HEADER)
    for row in rows:
        writer.writerow([escape_formula(cell) for cell in _spreadsheet_cells(row)])
    return buffer.getvalue()


_XLSX_COLUMN_WIDTHS = (14, 12, 14, 20, 50, 12, 30)


def rows_to_xlsx(rows: Iterable[RequirementRow]) -> bytes:
    """The rows as an XLSX workbook that ``parse_xlsx`` reads back."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "责任分解表"
    sheet.append(list(SPREADSHEET_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(_spreadsheet_cells(row), start=1):
            if not value:
                continue
            cell = sheet.cell(row=number, column=column)
            cell.value = value
            # openpyxl stores a string starting with "=" as a formula; the
            # table is text, so force the string type.
            cell.data_type = "s"
            cell.alignment = wrap
    for column, width in enumerate(_XLSX_COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
