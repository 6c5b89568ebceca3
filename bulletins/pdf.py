"""A published 通报 as an A4 PDF (reportlab), with the CJK font handling of the monthly report.

Pure Python: the service passes plain rows; nothing here reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from oversight.reports.pdf import CONTENT_WIDTH, FONT, _ensure_font, _p, _styles, _table

ISSUER = "珠海市政务公开领导小组"


@dataclass(frozen=True)
class CaseRow:
    unit_name: str
    period: str
    clause: str
    evidence: str
    first_day: date
    last_day: date
    judgement: str
    answer: str


@dataclass(frozen=True)
class BulletinDocument:
    title: str
    number: str
    body: str
    published_on: date
    approved_by: str
    cases: Sequence[CaseRow]


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [_p(line.strip(), style) for line in text.splitlines() if line.strip()]


def _story(document: BulletinDocument) -> list:
    styles = _styles()
    body = ParagraphStyle("bulletin-body", parent=styles["body"], fontSize=11, leading=19, firstLineIndent=22)
    right = ParagraphStyle("bulletin-right", parent=styles["body"], fontSize=11, leading=19, alignment=TA_RIGHT)
    story: list = [_p(document.title, styles["title"])]
    if document.number:
        story.append(_p(document.number, styles["subtitle"]))
    story.append(Spacer(1, 4 * mm))
    story += _paragraphs(document.body, body)
    story.append(_p("一、通报情形", styles["h1"]))
    if document.cases:
        rows: list[list] = [["序号", "单位", "月份", "条款及事实依据", "起止日期", "影响认定"]]
        for index, case in enumerate(document.cases, start=1):
            rows.append(
                [
                    str(index),
                    _p(case.unit_name, styles["cell"]),
                    _p(case.period, styles["cell"]),
                    _p(f"{case.clause}：{case.evidence}", styles["cell"]),
                    _p(f"{case.first_day:%Y-%m-%d} 至 {case.last_day:%Y-%m-%d}", styles["cell"]),
                    _p(case.judgement, styles["cell"]),
                ]
            )
        widths = [10 * mm, 26 * mm, 18 * mm, 0.0, 24 * mm, 40 * mm]
        widths[3] = CONTENT_WIDTH - sum(widths)
        story.append(_table(rows, widths=widths))
    else:
        story.append(_p("无。", styles["body"]))
    story.append(_p("二、单位说明", styles["h1"]))
    for case in document.cases:
        answer = case.answer or "（未在答复期限内提交说明）"
        story.append(_p(f"{case.unit_name}（{case.period}，{case.clause}）：{answer}", styles["body"]))
        story.append(Spacer(1, 1.5 * mm))
    if not document.cases:
        story.append(_p("无。", styles["body"]))
    story += [
        Spacer(1, 10 * mm),
        _p(ISSUER, right),
        _p(f"{document.published_on.year}年{document.published_on.month}月{document.published_on.day}日", right),
    ]
    if document.approved_by:
        story.append(_p(f"审批：{document.approved_by}", right))
    return story


def build_bulletin_pdf(document: BulletinDocument) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=document.title,
        author=ISSUER,
        subject="政府网站维护管理情况通报",
    )

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.drawString(18 * mm, 10 * mm, document.title)
        canvas.restoreState()

    template.build(_story(document), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
