"""Monthly maintenance report of the site cluster: an XLSX workbook and a PDF.

The information centre sends these to the units and to the 政务公开领导小组
every month: how much each unit published per column type, its freshness
score (see :mod:`oversight.freshness`), whether a single-item veto applies,
and the register of cases under 第十一条 of the 2007 maintenance measures.

Pure Python (openpyxl + reportlab, no Django); the caller collects the
figures.  Charts are drawn with ``reportlab.graphics``.  Chinese text in the
PDF uses the CID font STSong-Light, which every PDF reader provides, so the
file stays small and no font file has to ship with the platform.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .freshness import SHANGHAI, FreshnessScore, ScoringWeights, UnitState

__all__ = [
    "CLAUSE_INTERACTION",
    "CLAUSE_MAINTENANCE",
    "CLAUSE_UNREACHABLE",
    "Article11Case",
    "MonthlyReport",
    "UnitMonthlyFigures",
    "build_monthly_pdf",
    "build_monthly_xlsx",
    "report_title",
]

# 第十一条 of the 2007 measures, as the register quotes it.
CLAUSE_MAINTENANCE = "第十一条（一）未按规定及时进行政务信息维护管理"
CLAUSE_UNREACHABLE = "第十一条（三）非客观原因造成网页无法打开"
CLAUSE_INTERACTION = "第十一条（四）互动性栏目未及时处理"

FONT = "STSong-Light"
NO_DATA = "无数据"


@dataclass(frozen=True)
class UnitMonthlyFigures:
    unit_code: str
    unit_name: str
    # Chinese column-type label → items published this month, in display order.
    published_by_type: dict[str, int]
    score: int
    passed: bool
    stale_columns: int
    empty_columns: int
    broken_links: int
    # Success ratio of the homepage probes (0..1); None without monitoring data.
    availability_ratio: float | None
    deductions: tuple[str, ...]
    # Veto reasons (单项否决); empty when passed.  Defaulted so that callers
    # that only know ``passed`` can still build figures.
    vetoes: tuple[str, ...] = ()

    @property
    def published_total(self) -> int:
        return sum(self.published_by_type.values())

    @classmethod
    def from_score(
        cls, *, unit: UnitState, score: FreshnessScore, published_by_type: Mapping[str, int]
    ) -> UnitMonthlyFigures:
        """Figures for one unit from its state and its :func:`~oversight.freshness.score_unit` result."""
        failure = unit.availability_failure_ratio
        return cls(
            unit_code=unit.unit_code,
            unit_name=unit.unit_name,
            published_by_type=dict(published_by_type),
            score=score.score,
            passed=score.passed,
            stale_columns=score.stale_count,
            empty_columns=score.empty_count,
            broken_links=unit.broken_links,
            availability_ratio=None if failure is None else 1.0 - failure,
            deductions=tuple(f"扣 {d.points} 分：{d.reason}" for d in score.deductions),
            vetoes=score.vetoes,
        )


@dataclass(frozen=True)
class Article11Case:
    unit_name: str
    clause: str
    evidence: str
    first_seen: date
    last_seen: date

    @property
    def duration_days(self) -> int:
        # Both ends count: a case seen on one day lasted one day.
        return (self.last_seen - self.first_seen).days + 1


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    generated_at: datetime
    units: tuple[UnitMonthlyFigures, ...]
    cases: tuple[Article11Case, ...]
    # unit_code → [(week, score)], oldest first.
    trend: dict[str, list[tuple[date, int]]]
    # Only used to explain the rules in the report; must be the weights the
    # scores were computed with.
    weights: ScoringWeights = ScoringWeights()


def report_title(report: MonthlyReport) -> str:
    return f"珠海市政府网站群 {report.year}年{report.month}月 政务信息维护情况统计报告"


def _type_labels(units: Iterable[UnitMonthlyFigures]) -> list[str]:
    """Column-type labels in first-seen order, so the caller controls the order."""
    labels: dict[str, None] = {}
    for unit in units:
        for label in unit.published_by_type:
            labels.setdefault(label, None)
    return list(labels)


def _generated_text(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI) if moment.tzinfo is not None else moment
    return local.strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def _veto_text(passed: bool) -> str:
    return "否" if passed else "是"


def _rules_lines(weights: ScoringWeights) -> list[str]:
    return [
        "评分规则：满分 100 分，按下列情形扣分，最低 0 分；任一单项否决情形出现即为不合格，与得分无关。",
        f"动态要闻类栏目超过更新期限每个扣 {weights.stale_dynamic} 分；通知公告及政策文件类每个扣 {weights.stale_policy} 分；"
        f"规划计划及人事类每个扣 {weights.stale_plan} 分；静态信息类超过核查期限每个扣 {weights.stale_static} 分。",
        f"空白栏目每个扣 {weights.empty_column} 分；首页动态信息 {weights.homepage_warning_days} 天未更新扣 "
        f"{weights.homepage_stale} 分；无法打开的链接每个扣 {weights.broken_link} 分，最多扣 {weights.broken_links_cap} 分；"
        f"首页近 7 天访问失败率超过 {weights.availability_warning_ratio:.0%} 扣 {weights.availability_warning} 分。",
        f"单项否决：动态要闻类及政策文件类栏目超过更新期限 ≥{weights.veto_stale_dynamic_or_policy} 个；"
        f"超过更新期限的栏目 ≥{weights.veto_stale_any} 个；空白栏目 ≥{weights.veto_empty} 个；"
        f"首页 {weights.homepage_veto_days} 天未更新；首页近 7 天访问失败率超过 {weights.availability_veto_ratio:.0%}。",
    ]


# --------------------------------------------------------------------- XLSX

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
    passed = sum(unit.passed for unit in report.units)
    _write_title(
        sheet,
        text=report_title(report),
        subtitle=f"生成时间：{_generated_text(report.generated_at)}；共 {len(report.units)} 个单位，"
        f"合格 {passed} 个，单项否决 {len(report.units) - passed} 个",
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
        values: list[Any] = [unit.unit_name, unit.published_total]
        values += [unit.published_by_type.get(label, 0) for label in labels]
        values += [
            unit.score,
            _veto_text(unit.passed),
            unit.stale_columns,
            unit.empty_columns,
            unit.broken_links,
            unit.availability_ratio if unit.availability_ratio is not None else NO_DATA,
        ]
        _write_row(sheet, row, values, formats=formats)
        if not unit.passed:
            sheet.cell(row=row, column=veto_col).fill = _VETO_FILL
            sheet.cell(row=row, column=veto_col).font = Font(bold=True, color="C00000")
    if report.units:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{row}"
        ratios = [unit.availability_ratio for unit in report.units if unit.availability_ratio is not None]
        total: list[Any] = ["合计／平均", sum(unit.published_total for unit in report.units)]
        total += [sum(unit.published_by_type.get(label, 0) for unit in report.units) for label in labels]
        total += [
            round(mean(unit.score for unit in report.units), 1),
            f"否决 {len(report.units) - passed} 个",
            sum(unit.stale_columns for unit in report.units),
            sum(unit.empty_columns for unit in report.units),
            sum(unit.broken_links for unit in report.units),
            mean(ratios) if ratios else NO_DATA,
        ]
        total_row = row + 1
        _write_row(sheet, total_row, total, formats={**formats, score_col: "0.0"})
        for cell in sheet[total_row]:
            cell.fill = _TOTAL_FILL
            cell.font = Font(bold=True)
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
        _write_row(sheet, row, ["全部单位", label, count, count / grand_total if grand_total else 0.0], formats={4: PERCENT_FORMAT})
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
        lines = [f"单项否决：{veto}" for veto in unit.vetoes] + list(unit.deductions)
        for line in lines or ["无扣分"]:
            row += 1
            _write_row(sheet, row, [unit.unit_name, unit.score, _veto_text(unit.passed), line])
            sheet.cell(row=row, column=4).alignment = _WRAP
            if line.startswith("单项否决"):
                sheet.cell(row=row, column=4).font = Font(color="C00000")
    row += 1
    for line in _rules_lines(report.weights):
        row += 1
        sheet.cell(row=row, column=1, value=line).alignment = _WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 45
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, first_row=1, wrap_width={1: 16, 4: 80})


def build_monthly_xlsx(report: MonthlyReport) -> bytes:
    """The monthly workbook: 汇总, 栏目类型明细, 第十一条通报登记, 扣分说明."""
    labels = _type_labels(report.units)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _summary_sheet(summary, report, labels)
    _types_sheet(workbook.create_sheet("栏目类型明细"), report, labels)
    _cases_sheet(workbook.create_sheet("第十一条通报登记"), report)
    _deductions_sheet(workbook.create_sheet("扣分说明"), report)
    workbook.properties.title = report_title(report)
    workbook.properties.creator = "珠海市政府网站群平台"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------- PDF

# Distinguishable on screen and in grey print.
PALETTE = [
    colors.HexColor(value)
    for value in ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF")
]
PASS_COLOR = colors.HexColor("#2E75B6")
VETO_COLOR = colors.HexColor("#C00000")
CONTENT_WIDTH = A4[0] - 36 * mm
LEGEND_COLUMN_WIDTH = 95.0
LEGEND_ROW_HEIGHT = 11.0
# Room under bar charts for slanted unit names.
CHART_BOTTOM = 26 * mm


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" lets lines break between any two Chinese characters.
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=9, alignment=TA_CENTER, textColor=colors.grey),
        # keepWithNext: a heading never stays alone at the bottom of a page.
        "h1": ParagraphStyle(
            "h1", parent=body, fontSize=13, leading=19, spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontSize=11, leading=16, spaceBefore=3 * mm, spaceAfter=1 * mm, keepWithNext=1
        ),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        "veto": ParagraphStyle("veto", parent=body, fontSize=8.5, leading=11, textColor=VETO_COLOR),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Unit names and evidence are user data: escape before Paragraph parses markup.
    return Paragraph(escape(text), style)


def _table(rows: list[list[Any]], *, widths: Sequence[float], highlight: Iterable[tuple[int, int]] = ()) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#A6A6A6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F2F2")]),
    ]
    for column, row in highlight:
        style.append(("TEXTCOLOR", (column, row), (column, row), VETO_COLOR))
    table.setStyle(TableStyle(style))
    return table


def _ratio_text(ratio: float | None) -> str:
    return f"{ratio:.2%}" if ratio is not None else NO_DATA


def _nice_max(value: float) -> int:
    """The smallest round axis maximum ≥ ``value`` that divides into 5 whole steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 3, 4, 5, 6, 8):
            if magnitude * factor * 5 >= value:
                return magnitude * factor * 5
        magnitude *= 10


def _legend(pairs: Sequence[tuple[Any, str]], *, x: float, top: float) -> tuple[Legend, float]:
    """A legend laid out in as many rows as needed to fit the page width; returns it and its height."""
    columns = max(1, int((CONTENT_WIDTH - x) // LEGEND_COLUMN_WIDTH))
    rows = max(1, -(-len(pairs) // columns))
    legend = Legend()
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = rows
    legend.deltay = LEGEND_ROW_HEIGHT
    legend.deltax = LEGEND_COLUMN_WIDTH
    # Fixed column pitch instead of text-based widths, so columns line up.
    legend.autoXPadding = 0
    legend.x, legend.y = x, top
    legend.colorNamePairs = list(pairs)
    return legend, rows * LEGEND_ROW_HEIGHT


def _category_labels(chart: VerticalBarChart, names: Sequence[str]) -> None:
    axis = chart.categoryAxis
    axis.categoryNames = list(names)
    axis.labels.fontName = FONT
    # Long Chinese unit names would overlap side by side; slant them.
    axis.labels.fontSize = 8 if len(names) <= 12 else 6
    axis.labels.angle = 30 if len(names) <= 12 else 50
    axis.labels.boxAnchor = "ne"
    axis.labels.dx = 4
    axis.labels.dy = -2


def _score_chart(units: Sequence[UnitMonthlyFigures]) -> Drawing:
    legend_pairs = [(PASS_COLOR, "合格"), (VETO_COLOR, "单项否决")]
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, CHART_BOTTOM
    chart.width, chart.height = CONTENT_WIDTH - 16 * mm, 45 * mm
    chart.data = [tuple(unit.score for unit in units)]
    _category_labels(chart, [unit.unit_name for unit in units])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.bars[0].fillColor = PASS_COLOR
    chart.bars[0].strokeColor = None
    for index, unit in enumerate(units):
        if not unit.passed:
            chart.bars[(0, index)].fillColor = VETO_COLOR
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    return _with_legend(chart, legend_pairs)


def _published_chart(units: Sequence[UnitMonthlyFigures], labels: Sequence[str]) -> Drawing:
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, CHART_BOTTOM
    chart.width, chart.height = CONTENT_WIDTH - 18 * mm, 45 * mm
    # One series per column type, stacked per unit.
    chart.data = [tuple(unit.published_by_type.get(label, 0) for unit in units) for label in labels] or [
        tuple(0 for _ in units)
    ]
    chart.categoryAxis.style = "stacked"
    _category_labels(chart, [unit.unit_name for unit in units])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max((unit.published_total for unit in units), default=0))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax // 5
    chart.valueAxis.labels.fontName = FONT
    for index in range(len(labels)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = colors.white
        chart.bars[index].strokeWidth = 0.3
    return _with_legend(chart, [(PALETTE[i % len(PALETTE)], label) for i, label in enumerate(labels)])


def _with_legend(chart: VerticalBarChart | LinePlot, pairs: Sequence[tuple[Any, str]], *, note: str = "") -> Drawing:
    """A drawing holding ``chart`` with its legend above it, tall enough for both."""
    chart_top = chart.y + chart.height
    legend_height = 0.0
    legend = None
    if pairs:
        # Legend.y is the top of the legend; leave room for the bar labels above the chart.
        legend, legend_height = _legend(pairs, x=chart.x, top=0.0)
    height = chart_top + 6 * mm + legend_height
    drawing = Drawing(CONTENT_WIDTH, height)
    drawing.add(chart)
    if legend is not None:
        legend.y = height - LEGEND_ROW_HEIGHT / 2
        drawing.add(legend)
    if note:
        drawing.add(String(chart.x + chart.width, 2, note, fontName=FONT, fontSize=7, textAnchor="end"))
    return drawing


def _trend_chart(report: MonthlyReport) -> Drawing | None:
    names = {unit.unit_code: unit.unit_name for unit in report.units}
    series = [(code, points) for code, points in report.trend.items() if points]
    if not series:
        return None
    days = sorted({point_date for _, points in series for point_date, _ in points})
    first, last = days[0].toordinal(), days[-1].toordinal()
    plot = LinePlot()
    plot.x, plot.y = 12 * mm, 12 * mm
    plot.width, plot.height = CONTENT_WIDTH - 18 * mm, 50 * mm
    plot.data = [[(point_date.toordinal(), score) for point_date, score in sorted(points)] for _, points in series]
    # Pad the x range so a single week still has a drawable axis.
    plot.xValueAxis.valueMin = first - 3
    plot.xValueAxis.valueMax = last + 3
    plot.xValueAxis.valueSteps = [day.toordinal() for day in days]
    plot.xValueAxis.labelTextFormat = lambda ordinal: date.fromordinal(int(ordinal)).strftime("%m-%d")
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 20
    plot.yValueAxis.labels.fontName = FONT
    for index in range(len(series)):
        line_color = PALETTE[index % len(PALETTE)]
        plot.lines[index].strokeColor = line_color
        plot.lines[index].strokeWidth = 1.2
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=line_color, strokeColor=line_color)
    pairs = [(PALETTE[i % len(PALETTE)], names.get(code, code)) for i, (code, _) in enumerate(series)]
    return _with_legend(plot, pairs, note="横轴：周（月-日）")


def _summary_paragraph(report: MonthlyReport) -> str:
    units = report.units
    if not units:
        return "本月无参与统计的单位。"
    vetoed = [unit.unit_name for unit in units if not unit.passed]
    text = (
        f"本月共统计 {len(units)} 个单位，发布信息 {sum(u.published_total for u in units)} 条，"
        f"平均得分 {mean(u.score for u in units):.1f} 分；合格 {len(units) - len(vetoed)} 个"
    )
    text += f"，单项否决 {len(vetoed)} 个（{'、'.join(vetoed)}）" if vetoed else "，无单项否决"
    return text + f"；第十一条登记 {len(report.cases)} 宗。"


def _overview_table(report: MonthlyReport, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [["单位", "发布信息数", "得分", "单项否决", "过期栏目", "空白栏目", "死链", "可用率"]]
    highlight = []
    for row, unit in enumerate(report.units, start=1):
        rows.append(
            [
                _p(unit.unit_name, styles["cell"]),
                unit.published_total,
                unit.score,
                _veto_text(unit.passed),
                unit.stale_columns,
                unit.empty_columns,
                unit.broken_links,
                _ratio_text(unit.availability_ratio),
            ]
        )
        if not unit.passed:
            highlight.append((3, row))
    first = 42 * mm
    rest = (CONTENT_WIDTH - first) / 7
    return _table(rows, widths=[first] + [rest] * 7, highlight=highlight)


def _unit_section(unit: UnitMonthlyFigures, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    figures = [
        ["得分", str(unit.score), "是否单项否决", _veto_text(unit.passed)],
        ["过期栏目", str(unit.stale_columns), "空白栏目", str(unit.empty_columns)],
        ["死链", str(unit.broken_links), "首页可用率", _ratio_text(unit.availability_ratio)],
        ["本月发布信息", str(unit.published_total), "", ""],
    ]
    types = list(unit.published_by_type.items())
    for start in range(0, len(types), 2):
        pair = types[start : start + 2]
        row: list[str] = []
        for label, count in pair:
            row += [label, str(count)]
        figures.append(row + [""] * (4 - len(row)))
    quarter = CONTENT_WIDTH / 4
    table = Table([["项目", "数值", "项目", "数值"], *figures], colWidths=[quarter] * 4)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#DDEBF7")),
        ("BACKGROUND", (2, 1), (2, -1), colors.HexColor("#DDEBF7")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#A6A6A6")),
    ]
    if not unit.passed:
        style.append(("TEXTCOLOR", (3, 1), (3, 1), VETO_COLOR))
    table.setStyle(TableStyle(style))
    parts: list[Flowable] = [_p(f"{unit.unit_name}（{unit.unit_code}）", styles["h2"]), table, Spacer(1, 1.5 * mm)]
    parts += [_p(f"单项否决：{veto}", styles["veto"]) for veto in unit.vetoes]
    parts += [_p(line, styles["cell"]) for line in unit.deductions] or [_p("本月无扣分。", styles["cell"])]
    return parts


def _cases_table(report: MonthlyReport, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [["序号", "单位", "条款", "事实依据", "首次发现", "最近发现"]]
    for index, case in enumerate(report.cases, start=1):
        rows.append(
            [
                str(index),
                _p(case.unit_name, styles["cell"]),
                _p(case.clause, styles["cell"]),
                _p(case.evidence, styles["cell"]),
                case.first_seen.isoformat(),
                case.last_seen.isoformat(),
            ]
        )
    widths = [10 * mm, 28 * mm, 38 * mm, 0.0, 20 * mm, 20 * mm]
    widths[3] = CONTENT_WIDTH - sum(widths)
    return _table(rows, widths=widths)


def _story(report: MonthlyReport) -> list[Flowable]:
    styles = _styles()
    labels = _type_labels(report.units)
    story: list[Flowable] = [
        _p(report_title(report), styles["title"]),
        _p(f"珠海市信息中心　生成时间：{_generated_text(report.generated_at)}", styles["subtitle"]),
        Spacer(1, 4 * mm),
        _p("一、总体情况", styles["h1"]),
        _p(_summary_paragraph(report), styles["body"]),
        Spacer(1, 2 * mm),
    ]
    if report.units:
        story += [
            _overview_table(report, styles),
            _p("二、各单位得分", styles["h1"]),
            _score_chart(report.units),
            _p("三、各类栏目发布信息数", styles["h1"]),
            _published_chart(report.units, labels),
        ]
    story.append(_p("四、得分趋势（按周）", styles["h1"]))
    trend = _trend_chart(report)
    story.append(trend if trend is not None else _p("本期无趋势数据。", styles["body"]))
    sections = [_unit_section(unit, styles) for unit in report.units] or [[_p("无。", styles["body"])]]
    # The chapter heading joins the first section: keepWithNext cannot reach
    # into a KeepTogether, so it would otherwise be left alone on a page.
    sections[0].insert(0, _p("五、各单位明细", styles["h1"]))
    story += [KeepTogether(section) for section in sections]
    story.append(_p("六、第十一条通报登记", styles["h1"]))
    story.append(_cases_table(report, styles) if report.cases else _p("本月无第十一条所列情形。", styles["body"]))
    story.append(Spacer(1, 4 * mm))
    story += [_p(line, styles["cell"]) for line in _rules_lines(report.weights)]
    return story


def _render(report: MonthlyReport, *, total_pages: int | None) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    title = report_title(report)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="珠海市政府网站群平台",
        subject="政务信息维护情况统计报告",
    )

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        page = canvas.getPageNumber()
        text = f"第 {page} 页 共 {total_pages} 页" if total_pages else f"第 {page} 页"
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, text)
        canvas.drawString(18 * mm, 10 * mm, title)
        canvas.restoreState()

    document.build(_story(report), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), document.page


def build_monthly_pdf(report: MonthlyReport) -> bytes:
    """The monthly report as an A4 PDF with charts, per-unit tables and the register.

    Rendered twice: the first pass only counts the pages so the footer can say
    "第 N 页 共 M 页" (the footer text does not change the layout).
    """
    _ensure_font()
    _, pages = _render(report, total_pages=None)
    pdf, pages_again = _render(report, total_pages=pages)
    if pages_again != pages:
        raise RuntimeError(f"PDF page count changed between passes: {pages} → {pages_again}")
    return pdf
