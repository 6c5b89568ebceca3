"""The monthly report as an XLSX workbook: 汇总, 栏目类型明细, 第十一条通报登记, 扣分说明."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from statistics import mean
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .figures import (
    NO_DATA,
    NO_RECORD,
    NOT_OPEN,
    MonthlyReport,
    counted_units,
    figure_or_status,
    report_title,
    rules_lines,
    summary_text,
    type_labels,
    unit_lines,
)

__all__ = ["build_monthly_xlsx"]


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_VETO_FILL = PatternFill("solid", fgColor="F8CBAD")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"


def _display_width(value: Any) -> int:
    # Full-width (CJK) characters take two columns in Excel's default fonts.
    text = value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _write_header(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    sheet.row_dimensions[row].height = 30


def _write_row(sheet: Worksheet, row: int, values: Sequence[Any], *, formats: Mapping[int, str] | None = None) -> None:
    for index, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=index, value=value)
        cell.border = _BORDER
        if formats and index in formats and isinstance(value, int | float | date):
            cell.number_format = formats[index]


def _fit_columns(sheet: Worksheet, *, first_row: int, wrap_width: Mapping[int, int] | None = None) -> None:
    """Set widths from the content below ``first_row``; wrapped columns get a fixed width.

    Rows above ``first_row`` hold merged titles that would blow up column A.
    """
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _display_width(cell.value))
    for column, width in widths.items():
        if wrap_width and column in wrap_width:
            sheet.column_dimensions[get_column_letter(column)].width = wrap_width[column]
        else:
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 50)


def _write_title(sheet: Worksheet, *, text: str, subtitle: str, width: int) -> None:
    sheet.cell(row=1, column=1, value=text).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=subtitle).font = Font(size=10, color="595959")
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.row_dimensions[1].height = 24


def _summary_sheet(sheet: Worksheet, report: MonthlyReport, labels: list[str]) -> None:
    headers = ["单位", "发布信息数", *labels, "得分", "是否单项否决", "过期栏目", "空白栏目", "死链", "可用率"]
    counted = counted_units(report.units)
    vetoed = sum(unit.vetoed for unit in report.units)
    _write_title(
        sheet,
        text=report_title(report),
        subtitle=summary_text(report),
        width=len(headers),
    )
    header_row = 3
    _write_header(sheet, header_row, headers)
    score_col = 3 + len(labels)
    veto_col = score_col + 1
    ratio_col = len(headers)
    formats = {ratio_col: PERCENT_FORMAT}
    row = header_row
    for row, unit in enumerate(report.units, start=header_row + 1):
        opened = unit.status != NOT_OPEN
        values: list[Any] = [unit.unit_name, unit.published_total if opened else NOT_OPEN]
        values += [unit.published_by_type.get(label, 0) if opened else NOT_OPEN for label in labels]
        values += [
            figure_or_status(unit, unit.score),
            unit.veto_cell,
            figure_or_status(unit, unit.stale_columns),
            figure_or_status(unit, unit.empty_columns),
            figure_or_status(unit, unit.broken_links),
            figure_or_status(unit, unit.availability_ratio if unit.availability_ratio is not None else NO_DATA),
        ]
        _write_row(sheet, row, values, formats=formats)
        if unit.vetoed:
            sheet.cell(row=row, column=veto_col).fill = _VETO_FILL
            sheet.cell(row=row, column=veto_col).font = Font(bold=True, color="C00000")
    if report.units:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{row}"
        opened_units = [unit for unit in report.units if unit.status != NOT_OPEN]
        recorded = [unit for unit in report.units if not unit.status]
        ratios = [unit.availability_ratio for unit in recorded if unit.availability_ratio is not None]
        total: list[Any] = ["合计／平均", sum(unit.published_total for unit in opened_units)]
        total += [sum(unit.published_by_type.get(label, 0) for unit in opened_units) for label in labels]
        total += [
            round(mean(unit.score for unit in counted), 1) if counted else NO_RECORD,
            f"否决 {vetoed} 个",
            sum(unit.stale_columns for unit in recorded),
            sum(unit.empty_columns for unit in recorded),
            sum(unit.broken_links for unit in recorded),
            mean(ratios) if ratios else NO_DATA,
        ]
        total_row = row + 1
        _write_row(sheet, total_row, total, formats={**formats, score_col: "0.0"})
        for total_cell in sheet[total_row]:
            total_cell.fill = _TOTAL_FILL
            total_cell.font = Font(bold=True)
    # Keep the header and the unit names in view while scrolling.
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    _fit_columns(sheet, first_row=header_row)


def _types_sheet(sheet: Worksheet, report: MonthlyReport, labels: list[str]) -> None:
    _write_header(sheet, 1, ["单位", "栏目类型", "发布信息数", "占本单位发布比例"])
    row = 1
    for unit in report.units:
        total = unit.published_total
        for label, count in unit.published_by_type.items():
            row += 1
            _write_row(sheet, row, [unit.unit_name, label, count, count / total if total else 0.0], formats={4: PERCENT_FORMAT})
    grand_total = sum(unit.published_total for unit in report.units)
    for label in labels:
        row += 1
        count = sum(unit.published_by_type.get(label, 0) for unit in report.units)
        _write_row(
            sheet, row, ["全部单位", label, count, count / grand_total if grand_total else 0.0], formats={4: PERCENT_FORMAT}
        )
        for cell in sheet[row]:
            cell.fill = _TOTAL_FILL
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, first_row=1)


def _cases_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    _write_header(sheet, 1, ["序号", "单位", "条款", "事实依据", "首次发现", "最近发现", "持续天数"])
    for index, case in enumerate(report.cases, start=1):
        row = index + 1
        _write_row(
            sheet,
            row,
            [index, case.unit_name, case.clause, case.evidence, case.first_seen, case.last_seen, case.duration_days],
            formats={5: DATE_FORMAT, 6: DATE_FORMAT},
        )
        sheet.cell(row=row, column=4).alignment = _WRAP
    if not report.cases:
        sheet.cell(row=2, column=1, value="本月无第十一条所列情形")
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, first_row=1, wrap_width={4: 60})


def _deductions_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    _write_header(sheet, 1, ["单位", "得分", "是否单项否决", "说明"])
    row = 1
    for unit in report.units:
        lines = unit_lines(unit)
        for line in lines:
            row += 1
            _write_row(sheet, row, [unit.unit_name, figure_or_status(unit, unit.score), unit.veto_cell, line])
            sheet.cell(row=row, column=4).alignment = _WRAP
            if line.startswith("单项否决"):
                sheet.cell(row=row, column=4).font = Font(color="C00000")
    row += 1
    for line in rules_lines(report.weights):
        row += 1
        sheet.cell(row=row, column=1, value=line).alignment = _WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 45
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, first_row=1, wrap_width={1: 16, 4: 80})


def _interaction_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    headers = [
        "单位",
        "类型",
        "留言数",
        "受理数",
        "答复数",
        "答复率",
        "按期办结率",
        "平均办理工作日",
        "满意率",
        "当前超期",
        "互动回应差",
    ]
    _write_header(sheet, 1, headers)
    formats = {6: PERCENT_FORMAT, 7: PERCENT_FORMAT, 8: "0.0", 9: PERCENT_FORMAT}
    for row, item in enumerate(report.interaction, start=2):
        total = item.kind == "合计"
        values: list[Any] = [
            item.unit_name,
            item.kind,
            item.received,
            item.accepted,
            item.published,
            *(
                NO_DATA if value is None else value
                for value in (item.reply_rate, item.on_time_rate, item.average_working_days, item.satisfaction_rate)
            ),
            item.overdue_now if total else "",
            item.veto if total else "",
        ]
        _write_row(sheet, row, values, formats=formats)
        if total:
            for cell in sheet[row]:
                cell.fill = _TOTAL_FILL
        if item.veto:
            sheet.cell(row=row, column=11).font = Font(color="C00000")
            sheet.cell(row=row, column=11).alignment = _WRAP
    if not report.interaction:
        sheet.cell(row=2, column=1, value=NO_DATA)
    sheet.freeze_panes = "C2"
    _fit_columns(sheet, first_row=1, wrap_width={11: 60})


def build_monthly_xlsx(report: MonthlyReport) -> bytes:
    """The monthly workbook: 汇总, 栏目类型明细, 第十一条通报登记, 扣分说明 (and 互动交流 when collected)."""
    labels = type_labels(report.units)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _summary_sheet(summary, report, labels)
    _types_sheet(workbook.create_sheet("栏目类型明细"), report, labels)
    _cases_sheet(workbook.create_sheet("第十一条通报登记"), report)
    _deductions_sheet(workbook.create_sheet("扣分说明"), report)
    if report.interaction:
        _interaction_sheet(workbook.create_sheet("互动交流"), report)
    workbook.properties.title = report_title(report)
    workbook.properties.creator = "珠海市政府网站群平台"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
