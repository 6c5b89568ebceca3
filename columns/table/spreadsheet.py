"""The 责任分解表 as a spreadsheet: CSV and XLSX, read and written.

Both formats share one row reader with the header 单位,一级栏目,…,政务公开类别;
``line`` of a row is its spreadsheet row, the header being 1.  XLSX is read by
the capped streaming reader the secrecy review also uses
(:mod:`moderation.secrecy.spreadsheet`), so a workbook blown up to millions of
cells is refused instead of costing minutes of CPU.  What is written reads back
to the same rows, and cells that a spreadsheet program would run as formulas
are neutralised (:mod:`govplatform.exports`).

Free of Django.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from govplatform.exports import escape_formula, unescape_formula
from moderation.secrecy.spreadsheet import DEFAULT_LIMITS as DEFAULT_XLSX_LIMITS
from moderation.secrecy.spreadsheet import SpreadsheetError, SpreadsheetLimits, SpreadsheetTooLarge, open_workbook
from moderation.secrecy.spreadsheet import Workbook as XlsxWorkbook

from .catalogue import known_unit_names, unknown_unit_reason
from .rows import (
    CODE_COLUMN,
    SPREADSHEET_HEADER,
    UNIT_CODE,
    UNIT_COLUMN,
    VALUE_FIELDS,
    RequirementRow,
    TableFormatError,
    check_categories,
    check_text,
    decode_bytes,
    make_row,
    normalise_cell_text,
    split_categories,
)

__all__ = ["parse_csv", "parse_xlsx", "rows_to_csv", "rows_to_xlsx"]


def _rows_from_records(
    records: Iterable[tuple[int, Sequence[str]]],
    *,
    known_units: Collection[str] | None,
) -> list[RequirementRow]:
    units = known_unit_names(known_units)
    rows: list[RequirementRow] = []
    header: tuple[str, ...] | None = None
    codes: dict[str, tuple[str, int]] = {}
    for number, raw_cells in records:
        cells = [cell for cell in raw_cells]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = _check_header(cells, number=number)
            continue
        width = len(header)
        if len(cells) > width:
            raise TableFormatError(line=number, column=width + 1, reason=f"该行有{len(cells)}列，应为{width}列")
        cells += [""] * (width - len(cells))
        cells = [unescape_formula(cell) for cell in cells]
        for column, cell in enumerate(cells, start=1):
            check_text(cell, field="content", line=number, column=column)
        has_code = header[1] == CODE_COLUMN
        unit_code = normalise_cell_text(cells.pop(1)) if has_code else ""
        # Spreadsheet column of each field, for the error messages.
        shift = 1 if has_code else 0
        unit = normalise_cell_text(cells[0])
        values = [normalise_cell_text(cell) for cell in cells[1:-1]]
        categories = split_categories(cells[-1])
        if not unit:
            raise TableFormatError(line=number, column=1, reason="单位为空")
        if units is not None and unit not in units:
            raise TableFormatError(line=number, column=1, reason=unknown_unit_reason(unit))
        check_text(unit, field="unit", line=number, column=1)
        if unit_code:
            _check_code(unit, unit_code, codes=codes, line=number)
        elif has_code and unit in codes:
            unit_code = codes[unit][0]
        for offset, (field, value) in enumerate(zip(VALUE_FIELDS, values, strict=True), start=2 + shift):
            check_text(value, field=field, line=number, column=offset)
        if not values[0]:
            raise TableFormatError(line=number, column=2 + shift, reason="一级栏目为空")
        if not categories:
            raise TableFormatError(line=number, column=width, reason="政务公开类别为空")
        check_categories(categories, line=number, column=width)
        rows.append(make_row(unit=unit, values=values, categories=categories, line=number, unit_code=unit_code))
    if header is None:
        raise TableFormatError(line=1, column=0, reason=f"缺少表头：应为{'、'.join(SPREADSHEET_HEADER)}")
    if codes:
        # A unit whose code was given on one row only carries it on every row.
        rows = [row if row.unit_code or row.unit not in codes else replace(row, unit_code=codes[row.unit][0]) for row in rows]
    return rows


def _check_code(unit: str, code: str, *, codes: dict[str, tuple[str, int]], line: int) -> None:
    check_text(code, field="unit_code", line=line, column=2)
    if not UNIT_CODE.match(code):
        raise TableFormatError(line=line, column=2, reason=f"单位代码「{code}」不合规：须为2–20位小写字母或数字，以字母开头")
    known = codes.setdefault(unit, (code, line))
    if known[0] != code:
        raise TableFormatError(
            line=line, column=2, reason=f"单位「{unit}」的单位代码「{code}」与第{known[1]}行的「{known[0]}」不一致"
        )
    for other, (other_code, other_line) in codes.items():
        if other != unit and other_code == code:
            raise TableFormatError(line=line, column=2, reason=f"单位代码「{code}」已在第{other_line}行用于单位「{other}」")


def _check_header(cells: Sequence[str], *, number: int) -> tuple[str, ...]:
    """The header's layout: SPREADSHEET_HEADER, or it with 单位代码 as the second column."""
    names = [normalise_cell_text(cell.removeprefix("\ufeff")) for cell in cells]
    expected_header = (
        (UNIT_COLUMN, CODE_COLUMN, *SPREADSHEET_HEADER[1:]) if len(names) > 1 and names[1] == CODE_COLUMN else SPREADSHEET_HEADER
    )
    for column, expected in enumerate(expected_header, start=1):
        actual = names[column - 1] if column <= len(names) else ""
        if actual != expected:
            raise TableFormatError(
                line=number,
                column=column,
                reason=f"表头第{column}列应为「{expected}」，实为「{actual or '空'}」",
            )
    if len(names) > len(expected_header):
        raise TableFormatError(
            line=number,
            column=len(expected_header) + 1,
            reason=f"表头有多余的列「{names[len(expected_header)]}」",
        )
    return expected_header


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
    text = decode_bytes(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
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


def _join_categories(categories: Sequence[str]) -> str:
    joined = "\n".join(categories)
    if len(categories) == 1 and split_categories(joined) != tuple(categories):
        # A lone category containing ；/;/、 would be split on reading; a line
        # break makes the reader split on line breaks only.
        joined += "\n"
    return joined


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
