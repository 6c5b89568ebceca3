"""The row catalogue of a national template, read from a JSON file, and the values its rows accept.

A catalogue file (annualreport/catalogues/<version>.json) holds:

    {"version": "2018", "title": "政府网站工作年度报表", "basis": "…（国办函〔2018〕12号）",
     "first_year": 2017, "deadline": {"month": 1, "day": 31}, "note": "…",
     "rows": [{"key": "page_views", "section": "网站基本信息", "label": "网站总访问量", "measure": "次",
               "type": "integer", "source": "visits.views"},
              {"key": "registered_users", "section": "办事服务", "label": "注册用户数", "measure": "个",
               "type": "integer", "manual": true}, …]}

Each row has a `key` (unique), `section`, optional `group` (sub-heading), `label`, optional `measure`
(unit of measure), `type` (integer, decimal, text, yes_no, choice, multi_choice; `choices` for the last
two and for a computed choice), and either a `source` naming a figure the platform computes
(annualreport.figures.SOURCES, with optional `params`) or `"manual": true`. Optional: `required`
(default true), `supplement` (a row the platform adds to the national template), `help`.
"""

from __future__ import annotations

import hashlib
import json
import re
from calendar import monthrange
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .figures import check_source
from .models import ValueType

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
TEXT_LIMIT = 200
YES_NO = ("是", "否")
MULTI_SEPARATOR = "、"


@dataclass(frozen=True)
class RowSpec:
    key: str
    section: str
    group: str
    label: str
    measure: str
    value_type: str
    choices: tuple[str, ...]
    source: str
    params: dict
    required: bool
    supplement: bool
    help_text: str


@dataclass(frozen=True)
class CatalogueSpec:
    version: str
    title: str
    basis: str
    first_year: int
    deadline_month: int
    deadline_day: int
    note: str
    rows: tuple[RowSpec, ...]
    checksum: str


def checksum(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _text(data: dict, name: str, errors: list[str], where: str, *, required: bool = True, limit: int = 120) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        errors.append(f"{where}“{name}”须为文字")
        return ""
    value = value.strip()
    if required and not value:
        errors.append(f"{where}缺少“{name}”")
    if len(value) > limit:
        errors.append(f"{where}“{name}”不能超过 {limit} 个字")
    return value


def _row(index: int, data, errors: list[str]) -> RowSpec | None:
    where = f"第 {index} 行："
    if not isinstance(data, dict):
        errors.append(f"{where}须为对象")
        return None
    key = data.get("key", "")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors.append(f"{where}代码“{key}”须以小写字母开头，只含小写字母、数字和下划线，最长 50 位")
    where = f"第 {index} 行（{key}）："
    section = _text(data, "section", errors, where, limit=60)
    group = _text(data, "group", errors, where, required=False, limit=60)
    label = _text(data, "label", errors, where)
    measure = _text(data, "measure", errors, where, required=False, limit=10)
    help_text = _text(data, "help", errors, where, required=False, limit=300)
    value_type = data.get("type")
    if value_type not in ValueType.values:
        errors.append(f"{where}取值类型“{value_type}”须为以下之一：{'、'.join(ValueType.values)}")
    choices = data.get("choices", [])
    if value_type in (ValueType.CHOICE, ValueType.MULTI_CHOICE):
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
            errors.append(f"{where}单选或多选项目须列出可选项（choices）")
            choices = []
    elif choices:
        errors.append(f"{where}只有单选或多选项目可以列出可选项")
    source = data.get("source", "")
    manual = data.get("manual", False)
    params = data.get("params", {})
    if bool(source) == bool(manual):
        errors.append(f"{where}须写明平台统计来源（source）或标明手工填写（manual），二者只能有一个")
    elif source:
        if not isinstance(source, str):
            errors.append(f"{where}source 须为文字")
        else:
            errors.extend(f"{where}{message}" for message in check_source(source, params))
    elif params:
        errors.append(f"{where}手工填写的项目没有统计参数")
    for flag in ("required", "supplement", "manual"):
        if flag in data and not isinstance(data[flag], bool):
            errors.append(f"{where}“{flag}”须为 true 或 false")
    unknown = set(data) - {
        "key", "section", "group", "label", "measure", "type", "choices", "source", "params", "manual",
        "required", "supplement", "help",
    }  # fmt: skip
    if unknown:
        errors.append(f"{where}未知的字段：{'、'.join(sorted(unknown))}")
    return RowSpec(
        key=key if isinstance(key, str) else "",
        section=section,
        group=group,
        label=label,
        measure=measure,
        value_type=value_type if isinstance(value_type, str) else "",
        choices=tuple(c.strip() for c in choices if isinstance(c, str)),
        source=source if isinstance(source, str) else "",
        params=params if isinstance(params, dict) else {},
        required=data.get("required", True) is not False,
        supplement=data.get("supplement", False) is True,
        help_text=help_text,
    )


def parse(data) -> CatalogueSpec:
    """Validate a catalogue (the parsed JSON); a ValidationError lists every problem, in Chinese."""
    if not isinstance(data, dict):
        raise ValidationError("报表目录须为 JSON 对象")
    errors: list[str] = []
    version = _text(data, "version", errors, "目录：", limit=20)
    title = _text(data, "title", errors, "目录：")
    basis = _text(data, "basis", errors, "目录：", required=False, limit=300)
    note = _text(data, "note", errors, "目录：", required=False, limit=2000)
    first_year = data.get("first_year")
    if not isinstance(first_year, int) or isinstance(first_year, bool) or not 2000 <= first_year <= 2100:
        errors.append("目录：适用起始年度（first_year）须为 2000 至 2100 之间的年份")
        first_year = 0
    deadline = data.get("deadline", {"month": 1, "day": 31})
    month, day = (deadline.get("month"), deadline.get("day")) if isinstance(deadline, dict) else (None, None)
    if not (isinstance(month, int) and isinstance(day, int) and 1 <= month <= 12 and 1 <= day <= monthrange(2001, month)[1]):
        errors.append('目录：发布截止日期（deadline）须写成 {"month": 1, "day": 31}')
        month, day = 1, 31
    rows_data = data.get("rows")
    rows: list[RowSpec] = []
    if not isinstance(rows_data, list) or not rows_data:
        errors.append("目录：没有任何报表项目（rows）")
    else:
        for index, row_data in enumerate(rows_data, start=1):
            row = _row(index, row_data, errors)
            if row is not None:
                rows.append(row)
        seen: set[str] = set()
        for row in rows:
            if row.key in seen:
                errors.append(f"代码“{row.key}”重复")
            seen.add(row.key)
    if errors:
        raise ValidationError(errors)
    return CatalogueSpec(
        version=version,
        title=title,
        basis=basis,
        first_year=first_year,
        deadline_month=month,
        deadline_day=day,
        note=note,
        rows=tuple(rows),
        checksum=checksum(data),
    )


def read(text: str) -> CatalogueSpec:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"报表目录不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
    return parse(data)


# --- values ----------------------------------------------------------------------------------


def clean_value(row, raw) -> str:
    """The stored form of what was entered for `row` (a CatalogueRow or RowSpec); "" when nothing was.

    A ValidationError says, in Chinese, what the row accepts."""
    label = row.label if not row.group or row.group == row.label else f"{row.group}：{row.label}"
    if row.value_type == ValueType.MULTI_CHOICE:
        if isinstance(raw, (list, tuple)):
            parts = [str(part).strip() for part in raw if str(part).strip()]
        else:
            parts = [part.strip() for part in ("" if raw is None else str(raw)).split(MULTI_SEPARATOR) if part.strip()]
        unknown = [part for part in parts if part not in row.choices]
        if unknown:
            raise ValidationError(f"「{label}」只能选择：{'、'.join(row.choices)}")
        return MULTI_SEPARATOR.join(choice for choice in row.choices if choice in parts)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    value = "" if raw is None else str(raw).strip()
    if not value:
        return ""
    if row.value_type == ValueType.INTEGER:
        digits = value.replace(",", "").replace("，", "").replace(" ", "")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
            raise ValidationError(f"「{label}」须填写不小于 0 的整数")
        return str(int(digits))
    if row.value_type == ValueType.DECIMAL:
        try:
            number = Decimal(value.replace(",", ""))
            valid = number.is_finite() and 0 <= number < 10**12 and number == number.quantize(Decimal("0.01"))
        except InvalidOperation:
            valid = False
        if not valid:
            raise ValidationError(f"「{label}」须填写不小于 0 的数字，最多两位小数")
        return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    if row.value_type == ValueType.YES_NO:
        if value not in YES_NO:
            raise ValidationError(f"「{label}」须选择“是”或“否”")
        return value
    if row.value_type == ValueType.CHOICE:
        if value not in row.choices:
            raise ValidationError(f"「{label}」只能选择：{'、'.join(row.choices)}")
        return value
    if len(value) > TEXT_LIMIT:
        raise ValidationError(f"「{label}」不能超过 {TEXT_LIMIT} 个字")
    return value
