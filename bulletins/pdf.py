"""A published 通报 as an A4 PDF (reportlab), with the CJK font handling of the monthly report.

Pure Python: the service passes plain rows; nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from oversight.reports.pdf import CONTENT_WIDTH, base_styles, data_table, paragraph, render_a4

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
    return [paragraph(line.strip(), style) for line in text.splitlines() if line.strip()]


def _story(document: BulletinDocument) -> list:
    styles = base_styles()
    body = ParagraphStyle("bulletin-body", parent=styles["body"], fontSize=11, leading=19, firstLineIndent=22)
    right = ParagraphStyle("bulletin-right", parent=styles["body"], fontSize=11, leading=19, alignment=TA_RIGHT)
    story: list = [paragraph(document.title, styles["title"])]
    if document.number:
        story.append(paragraph(document.number, styles["subtitle"]))
    story.append(Spacer(1, 4 * mm))
    story += _paragraphs(document.body, body)
    story.append(paragraph("一、通报情形", styles["h1"]))
    if document.cases:
        rows: list[list] = [["序号", "单位", "月份", "条款及事实依据", "起止日期", "影响认定"]]
        for index, case in enumerate(document.cases, start=1):
            rows.append(
                [
                    str(index),
                    paragraph(case.unit_name, styles["cell"]),
                    paragraph(case.period, styles["cell"]),
                    paragraph(f"{case.clause}：{case.evidence}", styles["cell"]),
                    paragraph(f"{case.first_day:%Y-%m-%d} 至 {case.last_day:%Y-%m-%d}", styles["cell"]),
                    paragraph(case.judgement, styles["cell"]),
                ]
            )
        widths = [10 * mm, 26 * mm, 18 * mm, 0.0, 24 * mm, 40 * mm]
        widths[3] = CONTENT_WIDTH - sum(widths)
        story.append(data_table(rows, widths=widths))
    else:
        story.append(paragraph("无。", styles["body"]))
    story.append(paragraph("二、单位说明", styles["h1"]))
    for case in document.cases:
        answer = case.answer or "（未在答复期限内提交说明）"
        story.append(paragraph(f"{case.unit_name}（{case.period}，{case.clause}）：{answer}", styles["body"]))
        story.append(Spacer(1, 1.5 * mm))
    if not document.cases:
        story.append(paragraph("无。", styles["body"]))
    story += [
        Spacer(1, 10 * mm),
        paragraph(ISSUER, right),
        paragraph(f"{document.published_on.year}年{document.published_on.month}月{document.published_on.day}日", right),
    ]
    if document.approved_by:
        story.append(paragraph(f"审批：{document.approved_by}", right))
    return story


def build_bulletin_pdf(document: BulletinDocument) -> bytes:
    return render_a4(lambda: _story(document), title=document.title, subject="政府网站维护管理情况通报", author=ISSUER)
