"""The monthly report as an A4 PDF: charts, per-unit tables and the 第十一条 register.

Charts are drawn with ``reportlab.graphics``.  Chinese text uses the CID font
STSong-Light, which every PDF reader provides, so the file stays small and no
font file has to ship with the platform.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from statistics import mean
from typing import Any
from xml.sax.saxutils import escape

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

from .figures import (
    NO_DATA,
    NOT_OPEN,
    MonthlyReport,
    UnitMonthlyFigures,
    counted_units,
    figure_or_status,
    generated_text,
    report_title,
    rules_lines,
    type_labels,
    unit_lines,
)

__all__ = ["build_monthly_pdf"]

FONT = "STSong-Light"

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


def ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def base_styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" lets lines break between any two Chinese characters.
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=9, alignment=TA_CENTER, textColor=colors.grey),
        # keepWithNext: a heading never stays alone at the bottom of a page.
        "h1": ParagraphStyle("h1", parent=body, fontSize=13, leading=19, spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontSize=11, leading=16, spaceBefore=3 * mm, spaceAfter=1 * mm, keepWithNext=1),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        "veto": ParagraphStyle("veto", parent=body, fontSize=8.5, leading=11, textColor=VETO_COLOR),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    # Unit names and evidence are user data: escape before Paragraph parses markup.
    return Paragraph(escape(text), style)


def data_table(rows: list[list[Any]], *, widths: Sequence[float], highlight: Iterable[tuple[int, int]] = ()) -> Table:
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
    # Only units with a score of the month (无记录 and 未开通 have none, and are not drawn as 0).
    units = [unit for unit in units if not unit.status]
    if not units:
        return Drawing(CONTENT_WIDTH, 10 * mm)
    chart.data = [tuple(unit.score for unit in units)]
    _category_labels(chart, [unit.unit_name for unit in units])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.bars[0].fillColor = PASS_COLOR
    chart.bars[0].strokeColor = None
    for index, unit in enumerate(units):
        if unit.vetoed:
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
    chart.data = [tuple(unit.published_by_type.get(label, 0) for unit in units) for label in labels] or [tuple(0 for _ in units)]
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
    counted = counted_units(units)
    vetoed = [unit.unit_name for unit in units if unit.vetoed]
    opened = [unit for unit in units if unit.status != NOT_OPEN]
    average = f"平均得分 {mean(u.score for u in counted):.1f} 分" if counted else "无评分记录"
    text = (
        f"本月共统计 {len(units)} 个单位，发布信息 {sum(u.published_total for u in opened)} 条，"
        f"{average}；合格 {len(counted) - len(vetoed)} 个"
    )
    text += f"，单项否决 {len(vetoed)} 个（{'、'.join(vetoed)}）" if vetoed else "，无单项否决"
    others = [unit for unit in units if not unit.counted]
    if others:
        text += "；不参加评比 " + "、".join(f"{unit.unit_name}（{unit.veto_cell}）" for unit in others)
    return text + f"；第十一条登记 {len(report.cases)} 宗。"


def _overview_table(report: MonthlyReport, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [["单位", "发布信息数", "得分", "单项否决", "过期栏目", "空白栏目", "死链", "可用率"]]
    highlight = []
    for row, unit in enumerate(report.units, start=1):
        rows.append(
            [
                paragraph(unit.unit_name, styles["cell"]),
                unit.published_total if unit.status != NOT_OPEN else NOT_OPEN,
                figure_or_status(unit, unit.score),
                paragraph(unit.veto_cell, styles["cell"]),
                figure_or_status(unit, unit.stale_columns),
                figure_or_status(unit, unit.empty_columns),
                figure_or_status(unit, unit.broken_links),
                figure_or_status(unit, _ratio_text(unit.availability_ratio)),
            ]
        )
        if unit.vetoed:
            highlight.append((3, row))
    first = 42 * mm
    rest = (CONTENT_WIDTH - first) / 7
    return data_table(rows, widths=[first] + [rest] * 7, highlight=highlight)


def _unit_section(unit: UnitMonthlyFigures, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    figures = [
        ["得分", str(figure_or_status(unit, unit.score)), "是否单项否决", unit.veto_cell],
        [
            "过期栏目",
            str(figure_or_status(unit, unit.stale_columns)),
            "空白栏目",
            str(figure_or_status(unit, unit.empty_columns)),
        ],
        [
            "死链",
            str(figure_or_status(unit, unit.broken_links)),
            "首页可用率",
            str(figure_or_status(unit, _ratio_text(unit.availability_ratio))),
        ],
        ["本月发布信息", str(unit.published_total) if unit.status != NOT_OPEN else NOT_OPEN, "", ""],
    ]
    types = list(unit.published_by_type.items()) if unit.status != NOT_OPEN else []
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
    if unit.vetoed:
        style.append(("TEXTCOLOR", (3, 1), (3, 1), VETO_COLOR))
    table.setStyle(TableStyle(style))
    parts: list[Flowable] = [paragraph(f"{unit.unit_name}（{unit.unit_code}）", styles["h2"]), table, Spacer(1, 1.5 * mm)]
    for line in unit_lines(unit):
        parts.append(paragraph(line, styles["veto"] if line.startswith("单项否决") else styles["cell"]))
    return parts


def _cases_table(report: MonthlyReport, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [["序号", "单位", "条款", "事实依据", "首次发现", "最近发现"]]
    for index, case in enumerate(report.cases, start=1):
        rows.append(
            [
                str(index),
                paragraph(case.unit_name, styles["cell"]),
                paragraph(case.clause, styles["cell"]),
                paragraph(case.evidence, styles["cell"]),
                case.first_seen.isoformat(),
                case.last_seen.isoformat(),
            ]
        )
    widths = [10 * mm, 28 * mm, 38 * mm, 0.0, 20 * mm, 20 * mm]
    widths[3] = CONTENT_WIDTH - sum(widths)
    return data_table(rows, widths=widths)


def _interaction_table(report: MonthlyReport, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [
        ["单位", "留言数", "受理数", "答复数", "答复率", "按期办结率", "平均办理工作日", "满意率", "当前超期"]
    ]
    highlight = []
    for item in (row for row in report.interaction if row.kind == "合计"):
        rows.append(
            [
                paragraph(item.unit_name, styles["cell"]),
                item.received,
                item.accepted,
                item.published,
                _ratio_text(item.reply_rate),
                _ratio_text(item.on_time_rate),
                NO_DATA if item.average_working_days is None else f"{item.average_working_days:.1f}",
                _ratio_text(item.satisfaction_rate),
                item.overdue_now,
            ]
        )
        if item.veto:
            highlight.append((0, len(rows) - 1))
    first = 36 * mm
    rest = (CONTENT_WIDTH - first) / 8
    return data_table(rows, widths=[first] + [rest] * 8, highlight=highlight)


def _story(report: MonthlyReport) -> list[Flowable]:
    styles = base_styles()
    labels = type_labels(report.units)
    story: list[Flowable] = [
        paragraph(report_title(report), styles["title"]),
        paragraph(f"珠海市信息中心　生成时间：{generated_text(report.generated_at)}", styles["subtitle"]),
        Spacer(1, 4 * mm),
        paragraph("一、总体情况", styles["h1"]),
        paragraph(_summary_paragraph(report), styles["body"]),
        Spacer(1, 2 * mm),
    ]
    if report.units:
        story += [
            _overview_table(report, styles),
            paragraph("二、各单位得分", styles["h1"]),
            _score_chart(report.units),
            paragraph("三、各类栏目发布信息数", styles["h1"]),
            _published_chart(report.units, labels),
        ]
    story.append(paragraph("四、得分趋势（按周）", styles["h1"]))
    trend = _trend_chart(report)
    story.append(trend if trend is not None else paragraph("本期无趋势数据。", styles["body"]))
    sections = [_unit_section(unit, styles) for unit in report.units] or [[paragraph("无。", styles["body"])]]
    # The chapter heading joins the first section: keepWithNext cannot reach
    # into a KeepTogether, so it would otherwise be left alone on a page.
    sections[0].insert(0, paragraph("五、各单位明细", styles["h1"]))
    story += [KeepTogether(section) for section in sections]
    story.append(paragraph("六、第十一条通报登记", styles["h1"]))
    story.append(_cases_table(report, styles) if report.cases else paragraph("本月无第十一条所列情形。", styles["body"]))
    if report.interaction:
        story.append(paragraph("七、互动交流（答复数只计已公开的答复）", styles["h1"]))
        story.append(_interaction_table(report, styles))
        story += [paragraph(f"{item.unit_name}：{item.veto}", styles["veto"]) for item in report.interaction if item.veto]
    story.append(Spacer(1, 4 * mm))
    story += [paragraph(line, styles["cell"]) for line in rules_lines(report.weights)]
    return story


def _render(
    story: Callable[[], list], *, title: str, subject: str, author: str, top_margin: float, total_pages: int | None
) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=top_margin,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        subject=subject,
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

    document.build(story(), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), document.page


def render_a4(
    story: Callable[[], list],
    *,
    title: str,
    subject: str,
    author: str = "珠海市政府网站群平台",
    top_margin: float = 18 * mm,
) -> bytes:
    """An A4 PDF of the platform's documents (reports, 通报): the CJK font, the title and 第 N 页 共 M 页 in the footer.

    Rendered twice: the first pass only counts the pages (the footer text does not change the
    layout). `story` builds the flowables anew for each pass (reportlab consumes them).
    """
    ensure_font()
    _, pages = _render(story, title=title, subject=subject, author=author, top_margin=top_margin, total_pages=None)
    pdf, pages_again = _render(story, title=title, subject=subject, author=author, top_margin=top_margin, total_pages=pages)
    if pages_again != pages:
        raise RuntimeError(f"PDF page count changed between passes: {pages} → {pages_again}")
    return pdf


def build_monthly_pdf(report: MonthlyReport) -> bytes:
    """The monthly report as an A4 PDF with charts, per-unit tables and the register."""
    return render_a4(lambda: _story(report), title=report_title(report), subject="政务信息维护情况统计报告", top_margin=16 * mm)
