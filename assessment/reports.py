"""The PDF 通报 of a year's assessment results (reportlab only, no Django), like oversight/reports/pdf.py.

Chinese text uses the CID font STSong-Light, which every PDF reader provides.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from oversight.reports.pdf import FONT, render_a4

from .results import ResultRow, YearResults, points_text

__all__ = ["build_results_pdf", "bulletin_title"]

CONTENT_WIDTH = A4[0] - 36 * mm
FAIL_COLOR = colors.HexColor("#C00000")
HEAD_COLOR = colors.HexColor("#1F4E79")


def bulletin_title(results: YearResults) -> str:
    return f"关于{results.year}年度全市政府网站政务信息维护管理考评结果的通报"


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=5 * mm
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontSize=12, leading=19, firstLineIndent=0, spaceBefore=4 * mm, spaceAfter=2 * mm, keepWithNext=1
        ),
        "body": body,
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, firstLineIndent=0),
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_RIGHT, firstLineIndent=0),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _class_table(rows: tuple[ResultRow, ...], styles: dict[str, ParagraphStyle]) -> Table:
    data: list[list[Any]] = [["名次", "单位", "总分", "计分指标", "加分", "公众评价", "等次"]]
    fails = []
    for index, row in enumerate(rows, start=1):
        data.append(
            [
                str(row.rank or "—"),
                _p(row.unit_name, styles["cell"]),
                points_text(row.total),
                points_text(row.base),
                points_text(row.bonus),
                ("+" if row.vote > 0 else "") + points_text(row.vote),
                row.grade + ("（单项否决）" if row.vetoed else ""),
            ]
        )
        if row.grade == "不合格":
            fails.append(index)
    widths = [12 * mm, 0.0, 16 * mm, 18 * mm, 14 * mm, 18 * mm, 28 * mm]
    widths[1] = CONTENT_WIDTH - sum(widths)
    table = Table(data, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#A6A6A6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (5, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F2F2")]),
    ]
    for row in fails:
        style.append(("TEXTCOLOR", (6, row), (6, row), FAIL_COLOR))
    table.setStyle(TableStyle(style))
    return table


def _summary(results: YearResults) -> str:
    counts = results.grade_counts()
    rows = results.rows
    text = (
        f"根据《珠海市政府门户网站政务信息维护管理办法》（珠府办〔2007〕75号）第九条，市政务公开领导小组依据全年日常监测数据，"
        f"并参考网上公众投票情况，对 {len(rows)} 个单位{results.year}年度政务信息维护管理工作进行了考核。"
        f"其中优秀 {counts['优秀']} 个、良好 {counts['良好']} 个、合格 {counts['合格']} 个、不合格 {counts['不合格']} 个。"
    )
    if results.vote_cap:
        text += f"公众投票只作为加减分项计入，最多加减 {points_text(results.vote_cap)} 分。"
    return text


def _story(results: YearResults) -> list:
    styles = _styles()
    story: list = [
        _p(bulletin_title(results), styles["title"]),
        _p("各有关单位：", styles["plain"]),
        _p(_summary(results), styles["body"]),
    ]
    story.append(
        _p(
            f"等次标准：{points_text(results.excellent_score)} 分及以上为优秀，{points_text(results.good_score)} 分及以上为良好，"
            f"{points_text(results.pass_score)} 分及以上为合格；触发单项否决或低于 {points_text(results.pass_score)} 分的为不合格。",
            styles["body"],
        )
    )
    numerals = "一二三四五六七八九十"
    for index, (name, rows) in enumerate(results.classes):
        story.append(_p(f"{numerals[index % 10]}、{name}（{len(rows)} 个单位）", styles["h1"]))
        story.append(_class_table(rows, styles))
    fails = [row for row in results.rows if row.grade == "不合格"]
    story.append(_p(f"{numerals[len(results.classes) % 10]}、有关要求", styles["h1"]))
    if fails:
        for row in fails:
            reasons = "；".join(row.veto_reasons) if row.vetoed else f"总分低于 {points_text(results.pass_score)} 分"
            story.append(_p(f"{row.unit_name}：{reasons}。", styles["body"]))
        story.append(
            _p("考评不合格的单位应在一个月内整改，并将整改情况报市信息中心；造成严重影响的，依照第十一条处理。", styles["body"])
        )
    else:
        story.append(_p("本年度无考评不合格的单位。请各单位对照扣分情况继续做好政务信息维护管理工作。", styles["body"]))
    if results.approved_at is not None:
        story.append(
            _p(
                f"本通报经市政务公开领导小组于 {results.approved_at:%Y年%m月%d日} 审定（{results.approval_opinion or '同意公布'}）。",
                styles["body"],
            )
        )
    story += [Spacer(1, 10 * mm), _p("珠海市政务公开领导小组办公室", styles["sign"])]
    when = results.published_at or results.generated_at
    story.append(_p(f"{when:%Y年%m月%d日}", styles["sign"]))
    return story


def build_results_pdf(results: YearResults) -> bytes:
    """The 通报 as an A4 PDF (oversight.reports.pdf.render_a4: 第 N 页 共 M 页 in the footer)."""
    return render_a4(lambda: _story(results), title=bulletin_title(results), subject="政府网站年度考评结果通报")
