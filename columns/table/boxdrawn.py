"""The 责任分解表 as box-drawn text, as 附件1 of 珠府办〔2007〕75号 publishes it.

Cells are drawn with │─├┤┼┌┬┐└┴┘; a cell that spans several rows is cut by
partial separators.  Anything that cannot be read unambiguously is refused
with the source line and character column.

Free of Django.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .catalogue import known_unit_names, seed_unit_names, unknown_unit_reason
from .rows import (
    COLUMN_NAMES,
    LINE_BREAK,
    VALUE_FIELDS,
    RequirementRow,
    TableFormatError,
    check_categories,
    check_text,
    find_nul,
    make_row,
    normalise_cell_text,
)

__all__ = ["parse_text"]

_CATEGORY_COLUMN = COLUMN_NAMES.index("政务公开类别")
_COLUMN_COUNT = len(COLUMN_NAMES)

# Box-drawing characters of the published table.  Only these four may separate
# cells inside a table line; the others belong to the top and bottom borders.
_CELL_BOUNDARIES = frozenset("│├┤┼")
_HORIZONTAL = "─"
_BOX_CHARS = frozenset("│─├┤┼┌┬┐└┴┘")
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、\s*(?P<name>\S.*?)\s*$")

# Junction expected between two cells, keyed by (left cell is a separator,
# right cell is a separator); the table edges count as non-separators.
_JUNCTIONS: dict[tuple[bool, bool], str] = {
    (False, False): "│",
    (False, True): "├",
    (True, False): "┤",
    (True, True): "┼",
}


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
    for index, (cell, width) in enumerate(zip(cells, widths, strict=False)):
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
    for column, (text, expected) in enumerate(zip(texts, COLUMN_NAMES, strict=False)):
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
        for column, (field, value) in enumerate(zip(VALUE_FIELDS, values, strict=True)):
            origin = group[covering[column].first]
            check_text(value, field=field, line=origin.number, column=origin.starts[column])
        for span in spans[_CATEGORY_COLUMN]:
            if span.overlaps(row_span):
                origin = group[span.first]
                check_text(
                    _span_text(group, _CATEGORY_COLUMN, span),
                    field="category",
                    line=origin.number,
                    column=origin.starts[_CATEGORY_COLUMN],
                )
        check_categories(categories, line=start.number, column=start.starts[_CATEGORY_COLUMN])
        rows.append(make_row(unit=unit, values=values, categories=tuple(categories), line=start.number))
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


def parse_text(text: str, *, known_units: Collection[str] | None = None) -> list[RequirementRow]:
    """Rows of every box-drawn table in ``text``, each under its unit heading.

    A heading is a line such as ``二、市发展改革局`` directly followed (blank
    lines aside) by a table; other text is ignored, so numbered headings in a
    regulation body do no harm.  A table without its own heading continues the
    unit of the previous table, as happens when a table is split across pages.
    """
    units = known_unit_names(known_units)
    # Headings that must have a table: the given names, else the seed catalogue's
    # (other numbered headings of a regulation are ordinary text).
    headed = units if units is not None else seed_unit_names()
    text = text.removeprefix("\ufeff")
    nul = find_nul(text)
    if nul is not None:
        raise TableFormatError(line=nul[0], column=nul[1], reason="文本含有空字符（NUL），无法保存")
    lines = LINE_BREAK.split(text)
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
                if units is not None and pending.name not in units:
                    raise TableFormatError(line=pending.line, column=pending.column, reason=unknown_unit_reason(pending.name))
                check_text(pending.name, field="unit", line=pending.line, column=pending.column)
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
            if pending is not None and pending.name in headed:
                raise TableFormatError(
                    line=pending.line, column=pending.column, reason=f"单位「{pending.name}」的标题之后没有表格"
                )
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
    if pending is not None and pending.name in headed:
        raise TableFormatError(line=pending.line, column=pending.column, reason=f"单位「{pending.name}」的标题之后没有表格")
    return rows
