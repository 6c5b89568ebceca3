"""Bounded reading of XLSX workbooks, for the 保密审查 and the 责任分解表 import.

openpyxl trusts a sheet's declared dimension: in read-only mode it pads every
row to the declared width and yields every missing row up to the declared
last one, so a 1.5 KB file declaring ``A1:XFD1048576`` with one cell in its last
row costs minutes of CPU. This reader streams the sheet XML itself, yields
only the cells that are there, and stops with SpreadsheetTooLarge when a
workbook is over the caps of SpreadsheetLimits (declared range, cells, text,
time) — the callers then hand the file to a person or refuse it with a message
saying what and where.

Pure Python (lxml and zipfile), no Django: both callers are Django-free.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import IO

from lxml import etree

__all__ = [
    "DEFAULT_LIMITS",
    "Sheet",
    "SpreadsheetError",
    "SpreadsheetLimits",
    "SpreadsheetTooLarge",
    "SpreadsheetUnreadable",
    "Workbook",
    "open_workbook",
]

# Excel's own grid: 16,384 columns (XFD) by 1,048,576 rows.
MAX_COLUMN = 16_384
MAX_ROW = 1_048_576


@dataclass(frozen=True)
class SpreadsheetLimits:
    """What one workbook may cost. A real 政务 attachment (a list of some ten
    thousand people, a budget table) stays far below every one of them."""

    # Cells read (every <c> element, empty or not), over all sheets; the
    # entries of the shared-string table count against the same cap.
    max_cells: int = 500_000
    # Area of a sheet's declared <dimension>: only a crafted or broken file
    # declares more (whole columns A:J of a sheet are some 10 million cells).
    max_declared_cells: int = 12_000_000
    # Characters of cell text, over all sheets.
    max_chars: int = 20_000_000
    # Wall-clock seconds for the whole workbook.
    max_seconds: float = 10.0
    # Declared uncompressed size of the zip members read.
    max_unpacked_bytes: int = 256 * 1024 * 1024


DEFAULT_LIMITS = SpreadsheetLimits()


class SpreadsheetError(ValueError):
    """Base of what this reader raises; ``reason`` is a Chinese sentence."""

    def __init__(self, reason: str, *, sheet: str = "", row: int = 0) -> None:
        self.reason = reason
        self.sheet = sheet
        self.row = row
        super().__init__(reason)


class SpreadsheetTooLarge(SpreadsheetError):
    """Over one of the caps: ``reason`` says which and where (sheet and row)."""


class SpreadsheetUnreadable(SpreadsheetError):
    """Not a readable workbook: damaged zip, missing parts, malformed XML."""


@dataclass(frozen=True)
class Sheet:
    name: str
    path: str
    hidden: bool


# What zipfile and zlib raise for damaged members, and lxml for damaged XML.
_DAMAGE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    etree.XMLSyntaxError,
)
_REL_TYPE_WORKSHEET = "/worksheet"
_REL_TYPE_SHARED_STRINGS = "/sharedStrings"
_REL_TYPE_OFFICE_DOCUMENT = "/officeDocument"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_RANGE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?")
# Check the clock after this many cells (and at every row).
_CLOCK_EVERY = 512
# The workbook part and relationships are parsed whole: a real one is a few kilobytes.
MAX_STRUCTURE_BYTES = 16 * 1024 * 1024


def _local(tag: object) -> str:
    # Transitional and Strict OOXML use different namespaces for the same
    # elements; comments and processing instructions have non-string tags.
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _attribute(element: etree._Element, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return None


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def _parser() -> etree.XMLParser:
    # No entity expansion, no network, no unlimited text nodes.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _iterparse(stream: IO[bytes]) -> Iterator[tuple[str, etree._Element]]:
    return etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _text_of(element: etree._Element) -> str:
    """Text of a shared or inline string: its runs, without the phonetic guide (rPh)."""
    parts: list[str] = []
    for node in element.iter():
        if _local(node.tag) == "t":
            parent = node.getparent()
            if parent is not None and _local(parent.tag) == "rPh":
                continue
            parts.append(node.text or "")
    return "".join(parts)


def _number_text(value: str) -> str:
    """A numeric cell as a reader sees it: 13812345678, not 1.3812345678E10."""
    stripped = value.strip()
    if stripped.isascii() and stripped.removeprefix("-").isdigit():
        return stripped
    try:
        number = float(stripped)
    except ValueError:
        return value
    if number.is_integer() and abs(number) < 1e17:
        return str(int(number))
    return str(number)


def _clear(element: etree._Element) -> None:
    """Free what iterparse built for ``element`` and its earlier siblings."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Budget:
    def __init__(self, limits: SpreadsheetLimits) -> None:
        self.limits = limits
        self.cells = 0
        self.chars = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def check_clock(self, *, sheet: str, row: int) -> None:
        if time.monotonic() >= self.deadline:
            where = f"工作表「{sheet}」第{row}行" if sheet else "共享字符串表"
            raise SpreadsheetTooLarge(
                f"读取到{where}时已用时超过 {self.limits.max_seconds:g} 秒，超过读取时限", sheet=sheet, row=row
            )

    def charge(self, *, chars: int, sheet: str, row: int) -> None:
        self.cells += 1
        self.chars += chars
        where = f"工作表「{sheet}」第{row}行" if sheet else "共享字符串表"
        if self.cells > self.limits.max_cells:
            raise SpreadsheetTooLarge(
                f"读取到{where}时单元格已超过 {self.limits.max_cells:,} 个，超过读取上限", sheet=sheet, row=row
            )
        if self.chars > self.limits.max_chars:
            raise SpreadsheetTooLarge(
                f"读取到{where}时文字已超过 {self.limits.max_chars:,} 字，超过读取上限", sheet=sheet, row=row
            )
        if self.cells % _CLOCK_EVERY == 0:
            self.check_clock(sheet=sheet, row=row)


class Workbook:
    """An opened workbook; use open_workbook() and read it with rows()."""

    def __init__(self, *, data: bytes, limits: SpreadsheetLimits) -> None:
        self._limits = limits
        self._budget = _Budget(limits)
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
        except _DAMAGE as exc:
            raise SpreadsheetUnreadable("文件不是有效的 XLSX 工作簿（无法作为 zip 打开）") from exc
        # Whatever stops the reading of the structure, the archive is closed; once it is read,
        # closing is the caller's (close() or the with block).
        with ExitStack() as on_failure:
            on_failure.callback(self._archive.close)
            self._check_unpacked_size()
            self._workbook_path = self._office_document_path()
            self._relationships = self._read_relationships(self._workbook_path)
            self.sheets: list[Sheet] = self._read_sheets()
            on_failure.pop_all()
        self._strings: list[str] | None = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._archive.close()

    # --- structure -------------------------------------------------------------

    def _check_unpacked_size(self) -> None:
        unpacked = sum(member.file_size for member in self._archive.infolist())
        if unpacked > self._limits.max_unpacked_bytes:
            raise SpreadsheetTooLarge(
                f"文件解压后达 {unpacked // (1024 * 1024):,} MB，超过读取上限 {self._limits.max_unpacked_bytes // (1024 * 1024):,} MB"
            )

    def _xml(self, path: str) -> etree._Element:
        """A small structural part (workbook, relationships), parsed whole; sheets are streamed."""
        try:
            size = self._archive.getinfo(path).file_size
        except KeyError as exc:
            raise SpreadsheetUnreadable(f"工作簿缺少部件 {path}") from exc
        if size > MAX_STRUCTURE_BYTES:
            raise SpreadsheetTooLarge(f"工作簿部件 {path} 解压后达 {size // (1024 * 1024):,} MB，超过读取上限")
        try:
            return etree.fromstring(self._archive.read(path), _parser())
        except _DAMAGE as exc:
            raise SpreadsheetUnreadable(f"工作簿部件 {path} 已损坏（{type(exc).__name__}）") from exc

    def _read_relationships(self, part_path: str) -> dict[str, tuple[str, str]]:
        """Id → (type, target path inside the archive) of a part's relationships."""
        folder, name = posixpath.split(part_path)
        rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels_path not in self._archive.NameToInfo:
            return {}
        relationships: dict[str, tuple[str, str]] = {}
        for element in self._xml(rels_path):
            if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
                continue
            target = element.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            relationships[element.get("Id") or ""] = (element.get("Type") or "", path)
        return relationships

    def _office_document_path(self) -> str:
        for rel_type, path in self._read_relationships("").values():
            if rel_type.endswith(_REL_TYPE_OFFICE_DOCUMENT):
                return path
        return "xl/workbook.xml"

    def _read_sheets(self) -> list[Sheet]:
        root = self._xml(self._workbook_path)
        if _local(root.tag) != "workbook":
            # A Word document renamed to .xlsx would otherwise read as an empty workbook.
            raise SpreadsheetUnreadable(f"{self._workbook_path} 不是 Excel 工作簿")
        sheets: list[Sheet] = []
        for element in root.iter():
            if _local(element.tag) != "sheet":
                continue
            rel_type, path = self._relationships.get(_attribute(element, "id") or "", ("", ""))
            if not rel_type.endswith(_REL_TYPE_WORKSHEET):
                continue  # chart sheets and dialog sheets have no cells
            hidden = element.get("state") in ("hidden", "veryHidden")
            sheets.append(Sheet(name=element.get("name") or "", path=path, hidden=hidden))
        return sheets

    def _open(self, path: str) -> IO[bytes]:
        try:
            return self._archive.open(path)
        except KeyError as exc:
            raise SpreadsheetUnreadable(f"工作簿缺少部件 {path}") from exc
        except _DAMAGE as exc:
            raise SpreadsheetUnreadable(f"工作簿部件 {path} 已损坏（{type(exc).__name__}）") from exc

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        path = next(
            (path for rel_type, path in self._relationships.values() if rel_type.endswith(_REL_TYPE_SHARED_STRINGS)),
            None,
        )
        if path is not None and path in self._archive.NameToInfo:
            with self._open(path) as stream:
                try:
                    for event, element in _iterparse(stream):
                        if event == "end" and _local(element.tag) == "si":
                            text = _text_of(element)
                            self._budget.charge(chars=len(text), sheet="", row=0)
                            strings.append(text)
                            _clear(element)
                except _DAMAGE as exc:
                    raise SpreadsheetUnreadable(f"共享字符串表已损坏（{type(exc).__name__}）") from exc
        self._strings = strings
        return strings

    # --- cells -------------------------------------------------------------------

    def _check_dimension(self, ref: str, *, sheet: str) -> None:
        match = _RANGE.fullmatch(ref.replace("$", "").strip())
        if match is None:
            return  # not trusted anyway: only the cells that are there are read
        first_column, first_row = _column_number(match[1]), int(match[2])
        last_column, last_row = (_column_number(match[3]), int(match[4])) if match[3] else (first_column, first_row)
        area = (abs(last_row - first_row) + 1) * (abs(last_column - first_column) + 1)
        if area > self._limits.max_declared_cells:
            raise SpreadsheetTooLarge(
                f"工作表「{sheet}」声明的范围 {ref}（{area:,} 个单元格）超过上限 {self._limits.max_declared_cells:,} 个单元格",
                sheet=sheet,
                row=1,
            )

    def _cell_text(self, cell: etree._Element, strings: list[str], *, sheet: str, row: int) -> str:
        kind = cell.get("t") or "n"
        value: str | None = None
        inline: etree._Element | None = None
        for child in cell:
            local = _local(child.tag)
            if local == "v":
                value = child.text or ""
            elif local == "is":
                inline = child
        if kind == "inlineStr":
            return _text_of(inline) if inline is not None else ""
        if value is None:
            return ""  # a formula without a cached result, or a styled empty cell
        if kind == "s":
            try:
                return strings[int(value)]
            except (ValueError, IndexError) as exc:
                raise SpreadsheetUnreadable(
                    f"工作表「{sheet}」第{row}行引用了不存在的共享字符串（{value[:20]}）", sheet=sheet, row=row
                ) from exc
        if kind == "b":
            return "TRUE" if value.strip() == "1" else "FALSE"
        if kind in ("str", "e", "d"):
            return value
        return _number_text(value)

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list[tuple[int, str]]]]:
        """(row number, [(column number, text), …]) of every row with a non-empty cell, in sheet order.

        Nothing is padded: empty cells and missing rows cost nothing.
        """
        strings = self._shared_strings()
        budget = self._budget
        name = sheet.name
        row_number = 0
        next_column = 1
        cells: list[tuple[int, str]] = []
        with self._open(sheet.path) as stream:
            try:
                for event, element in _iterparse(stream):
                    local = _local(element.tag)
                    if event == "start":
                        if local == "row":
                            declared = element.get("r")
                            row_number = int(declared) if declared and declared.isdigit() else row_number + 1
                            if not 1 <= row_number <= MAX_ROW:
                                raise SpreadsheetUnreadable(f"工作表「{name}」的行号 {declared} 超出 Excel 的范围", sheet=name)
                            next_column = 1
                            cells = []
                            budget.check_clock(sheet=name, row=row_number)
                        elif local == "dimension":
                            self._check_dimension(element.get("ref") or "", sheet=name)
                        continue
                    if local == "c":
                        column = next_column
                        ref = element.get("r")
                        if ref:
                            match = _CELL_REF.fullmatch(ref.replace("$", ""))
                            if match is None or _column_number(match[1]) > MAX_COLUMN:
                                raise SpreadsheetUnreadable(
                                    f"工作表「{name}」第{row_number}行的单元格位置 {ref[:20]} 无效", sheet=name, row=row_number
                                )
                            column = _column_number(match[1])
                        next_column = column + 1
                        text = self._cell_text(element, strings, sheet=name, row=row_number)
                        budget.charge(chars=len(text), sheet=name, row=row_number)
                        if text:
                            cells.append((column, text))
                        _clear(element)
                    elif local == "row":
                        if cells:
                            cells.sort(key=lambda cell: cell[0])
                            yield row_number, cells
                        cells = []
                        _clear(element)
                    elif local == "sheetData":
                        return  # what follows (merged cells, print settings …) holds no cell text
            except _DAMAGE as exc:
                raise SpreadsheetUnreadable(
                    f"工作表「{name}」已损坏（{type(exc).__name__}）", sheet=name, row=row_number
                ) from exc


def open_workbook(*, data: bytes, limits: SpreadsheetLimits = DEFAULT_LIMITS) -> Workbook:
    """Open an XLSX workbook for bounded reading; close it (or use ``with``) when done."""
    return Workbook(data=data, limits=limits)
