"""Rows of the 责任分解表: the row every format is read into, its errors, and the
text rules all formats share (cell text, categories, the page type of a row).

Free of Django.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CODE_COLUMN",
    "COLUMN_NAMES",
    "MAX_LENGTHS",
    "SPREADSHEET_HEADER",
    "UNIT_CODE",
    "UNIT_COLUMN",
    "RequirementRow",
    "TableFormatError",
    "check_categories",
    "check_text",
    "decode_bytes",
    "find_nul",
    "infer_page_type",
    "make_row",
    "normalise_cell_text",
    "split_categories",
]

COLUMN_NAMES: tuple[str, ...] = ("一级栏目", "二级栏目", "三级栏目", "具体内容", "保障方式", "政务公开类别")
UNIT_COLUMN = "单位"
SPREADSHEET_HEADER: tuple[str, ...] = (UNIT_COLUMN, *COLUMN_NAMES)
# Optional second column of a spreadsheet: the unit's code (its sub-site's host name).
CODE_COLUMN = "单位代码"
UNIT_CODE = re.compile(r"^[a-z][a-z0-9]{1,19}$")

# The longest text each field the import writes may hold: the ``max_length`` of
# the model field it is stored in (tenants.Unit.name/code, columns.ColumnRequirement,
# sitepages.ColumnPage.disclosure_categories; tests/test_table_parsing.py checks
# they agree).  A longer cell is refused here, with its line and column, instead
# of failing the real import in the database.
MAX_LENGTHS: dict[str, int] = {
    "unit": 60,
    "unit_code": 20,
    "level1": 60,
    "level2": 60,
    "level3": 80,
    "guarantee": 40,
    "category": 80,
    "categories": 255,
}
_FIELD_LABELS = {
    "unit": UNIT_COLUMN,
    "unit_code": CODE_COLUMN,
    "level1": "一级栏目",
    "level2": "二级栏目",
    "level3": "三级栏目",
    "content": "具体内容",
    "guarantee": "保障方式",
    "category": "政务公开类别",
    "categories": "政务公开类别（合计）",
}
VALUE_FIELDS: tuple[str, ...] = ("level1", "level2", "level3", "content", "guarantee")

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE_RUN = re.compile(r"\s+")

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
    # From the optional 单位代码 column; empty when the table has none.
    unit_code: str = ""

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


# --------------------------------------------------------------------------
# Text helpers shared by all formats


def check_text(text: str, *, field: str, line: int, column: int) -> None:
    """Refuse text the database cannot store: a NUL character, or more than the field holds."""
    label = _FIELD_LABELS[field]
    if "\x00" in text:
        raise TableFormatError(line=line, column=column, reason=f"{label}含有空字符（NUL），无法保存")
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        raise TableFormatError(line=line, column=column, reason=f"{label}过长：{len(text)}个字符，最多{limit}个")


def check_categories(categories: Sequence[str], *, line: int, column: int) -> None:
    for category in categories:
        check_text(category, field="category", line=line, column=column)
    # Column pages keep them joined by 、 (sitepages.ColumnPage.disclosure_categories).
    check_text("、".join(categories), field="categories", line=line, column=column)


def find_nul(text: str) -> tuple[int, int] | None:
    """1-based line and column of the first NUL character of ``text``, if any."""
    index = text.find("\x00")
    if index < 0:
        return None
    before = text[:index]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return len(LINE_BREAK.findall(before)) + 1, index - line_start + 1


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
    parts = LINE_BREAK.split(cell) if "\n" in cell or "\r" in cell else _split_outside_brackets(cell, _CATEGORY_SEPARATORS)
    categories: list[str] = []
    for part in parts:
        category = normalise_cell_text(part)
        if category and category not in categories:
            categories.append(category)
    return tuple(categories)


def decode_bytes(data: bytes) -> str:
    """Text of a .txt or .csv file: UTF-8 (with or without BOM), else GB18030."""
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
    """The kind of page a column needs, one of the keys of
    :data:`columns.types.COLUMN_TYPES`.

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


def make_row(
    *,
    unit: str,
    values: Sequence[str],
    categories: tuple[str, ...],
    line: int,
    unit_code: str = "",
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
        page_type=infer_page_type(level1=level1, level2=level2, level3=level3, content=content, categories=categories),
        line=line,
        unit_code=unit_code,
    )
