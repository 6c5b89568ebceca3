"""Read and write the 责任分解表 (responsibility table) of the municipal portal.

The information centre publishes the table as box-drawn text inside a
regulation (附件1 of 珠府办〔2007〕75号); units send it back as CSV or XLSX
spreadsheets.  Every format is turned into the same ``RequirementRow`` list,
and anything that cannot be read unambiguously is refused with a
``TableFormatError`` naming the source line and column, because a silently
misread table would create or retire the wrong columns on a unit's site.

- ``rows``: the row, its errors, cell text and categories, the page type of a row;
- ``boxdrawn``: the published box-drawn text;
- ``spreadsheet``: CSV and XLSX, read and written;
- ``catalogue``: the units the platform knows and the shipped source document.

Deliberately free of Django so that it can be tested and used by command-line
tools without a database.  The column types a row may have are
:data:`columns.types.COLUMN_TYPES`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from .boxdrawn import parse_text
from .catalogue import UNIT_TYPES, UnitInfo, load_unit_catalogue, source_document_path
from .rows import (
    COLUMN_NAMES,
    SPREADSHEET_HEADER,
    RequirementRow,
    TableFormatError,
    decode_bytes,
    infer_page_type,
    normalise_cell_text,
    split_categories,
)
from .spreadsheet import parse_csv, parse_xlsx, rows_to_csv, rows_to_xlsx

__all__ = [
    "COLUMN_NAMES",
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
    "source_document_path",
    "split_categories",
]


def parse_file(path: str | Path, *, known_units: Collection[str] | None = None) -> list[RequirementRow]:
    """Parse a .txt (box-drawn), .csv or .xlsx file, chosen by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return parse_text(decode_bytes(path.read_bytes()), known_units=known_units)
    if suffix == ".csv":
        return parse_csv(path.read_bytes(), known_units=known_units)
    if suffix == ".xlsx":
        return parse_xlsx(path.read_bytes(), known_units=known_units)
    raise ValueError(f"不支持的文件类型「{path.suffix or '无扩展名'}」：应为.txt、.csv或.xlsx")
