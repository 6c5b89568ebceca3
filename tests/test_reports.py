"""Tests for oversight.reports: the monthly XLSX and PDF, read back with openpyxl and pypdf.

Pure Python: no database, no Django.  The three units are scored with
oversight.freshness so the report numbers are checked end to end.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from columns.types import DEFAULT_POLICY_DAYS, ColumnKind
from oversight.freshness import ColumnState, UnitState, score_units
from oversight.reports import (
    CLAUSE_MAINTENANCE,
    CLAUSE_UNREACHABLE,
    Article11Case,
    MonthlyReport,
    UnitMonthlyFigures,
    build_monthly_pdf,
    build_monthly_xlsx,
    report_title,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 30, 10, 0, tzinfo=SH)
TITLE = "珠海市政府网站群 2025年6月 政务信息维护情况统计报告"


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def col(column_id: int, title: str, kind: ColumnKind, *, age: int | None, items: int = 4) -> ColumnState:
    return ColumnState(
        column_id=column_id,
        title=title,
        path=f"/c{column_id}/",
        kind=kind,
        policy_days=DEFAULT_POLICY_DAYS[kind],
        item_count=items,
        newest_publish=ago(age) if age is not None else None,
        last_confirmed=None,
    )


UNITS = (
    # Fresh everywhere; 0.1 % failed probes: score 100.
    UnitState(
        unit_code="ta",
        unit_name="测试甲局",
        columns=(col(1, "部门动态", ColumnKind.DYNAMIC, age=2), col(2, "政策文件", ColumnKind.POLICY, age=40)),
        homepage_newest_dynamic=ago(1),
        availability_failure_ratio=0.001,
    ),
    # One stale dynamic column (−5) and 4 broken links (−4): 91, passed.
    UnitState(
        unit_code="tb",
        unit_name="测试乙局",
        columns=(col(3, "部门动态", ColumnKind.DYNAMIC, age=21), col(4, "通知公告", ColumnKind.POLICY, age=10)),
        homepage_newest_dynamic=ago(3),
        broken_links=4,
    ),
    # Five empty columns (−25, veto), homepage 9 days (−10), 3 % failures (−10): 55, vetoed.
    UnitState(
        unit_code="tc",
        unit_name="测试丙局",
        columns=tuple(col(10 + i, f"空白{i}", ColumnKind.POLICY, age=None, items=0) for i in range(5)),
        homepage_newest_dynamic=ago(9),
        availability_failure_ratio=0.03,
    ),
)
PUBLISHED = {
    "ta": {"动态要闻": 12, "通知公告": 3, "政策文件": 1},
    "tb": {"动态要闻": 5, "政策文件": 2, "人事信息": 1},
    "tc": {"动态要闻": 0, "通知公告": 2},
}


@pytest.fixture(scope="module")
def report() -> MonthlyReport:
    scores = score_units(UNITS, now=NOW)
    figures = tuple(
        UnitMonthlyFigures.from_score(unit=unit, score=score, published_by_type=PUBLISHED[unit.unit_code])
        for unit, score in zip(UNITS, scores, strict=True)
    )
    weeks = [date(2025, 6, 2) + timedelta(days=7 * week) for week in range(5)]
    trend = {
        "ta": list(zip(weeks, [95, 97, 100, 100, 100], strict=True)),
        "tb": list(zip(weeks, [80, 85, 91, 88, 91], strict=True)),
        "tc": list(zip(weeks, [70, 62, 60, 58, 55], strict=True)),
    }
    cases = (
        Article11Case(
            "测试丙局", CLAUSE_MAINTENANCE, "空白栏目 5 个；首页动态信息已 9 天未更新", date(2025, 6, 9), date(2025, 6, 30)
        ),
        Article11Case("测试丙局", CLAUSE_UNREACHABLE, "首页近 7 天访问失败率 3.0%", date(2025, 6, 24), date(2025, 6, 26)),
    )
    return MonthlyReport(
        year=2025, month=6, generated_at=datetime(2025, 7, 1, 9, 0, tzinfo=SH), units=figures, cases=cases, trend=trend
    )


@pytest.fixture(scope="module")
def workbook(report: MonthlyReport):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(build_monthly_xlsx(report)))


@pytest.fixture(scope="module")
def pdf(report: MonthlyReport) -> bytes:
    return build_monthly_pdf(report)


def test_figures_from_scores(report: MonthlyReport) -> None:
    ta, tb, tc = report.units
    assert (ta.score, ta.passed, ta.availability_ratio, ta.deductions) == (100, True, pytest.approx(0.999), ())
    assert (tb.score, tb.passed, tb.stale_columns, tb.broken_links, tb.availability_ratio) == (91, True, 1, 4, None)
    assert tb.deductions == (
        "扣 5 分：栏目「部门动态」已 21 天未更新（要求 14 天）",
        "扣 4 分：存在 4 个无法打开的链接（每个扣 1 分，最多扣 20 分）",
    )
    assert (tc.score, tc.passed, tc.empty_columns, tc.availability_ratio) == (55, False, 5, pytest.approx(0.97))
    assert tc.vetoes == ("空白栏目 5 个（≥5 个）",)
    assert tc.published_total == 2
    assert report_title(report) == TITLE


def test_xlsx_sheets(workbook) -> None:  # type: ignore[no-untyped-def]
    assert workbook.sheetnames == ["汇总", "栏目类型明细", "第十一条通报登记", "扣分说明"]


def test_xlsx_summary_numbers(workbook) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook["汇总"]
    assert sheet["A1"].value == TITLE
    header = [cell.value for cell in sheet[3]]
    assert header == [
        "单位", "发布信息数", "动态要闻", "通知公告", "政策文件", "人事信息",
        "得分", "是否单项否决", "过期栏目", "空白栏目", "死链", "可用率",
    ]  # fmt: skip
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert rows[0] == ["测试甲局", 16, 12, 3, 1, 0, 100, "否", 0, 0, 0, pytest.approx(0.999)]
    assert rows[1] == ["测试乙局", 8, 5, 0, 2, 1, 91, "否", 1, 0, 4, "无数据"]
    assert rows[2] == ["测试丙局", 2, 0, 2, 0, 0, 55, "是", 0, 5, 0, pytest.approx(0.97)]
    assert rows[3] == ["合计／平均", 26, 17, 5, 3, 1, pytest.approx(82.0), "否决 1 个", 1, 5, 4, pytest.approx(0.9845)]
    assert sheet["L4"].number_format == "0.00%"
    assert sheet["L7"].number_format == "0.00%"
    # Styling: bold header on a fill, frozen header rows and unit column, fitted widths.
    assert sheet["A3"].font.bold and sheet["A3"].fill.fgColor.rgb.endswith("1F4E79")
    assert sheet["H6"].fill.fgColor.rgb.endswith("F8CBAD")  # the vetoed unit stands out
    assert sheet.freeze_panes == "B4"
    assert sheet.column_dimensions["A"].width >= 10
    assert sheet.auto_filter.ref == "A3:L6"


def test_xlsx_type_details(workbook) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook["栏目类型明细"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == ["测试甲局", "动态要闻", 12, pytest.approx(12 / 16)]
    assert ["测试乙局", "人事信息", 1, pytest.approx(1 / 8)] in rows
    assert ["测试丙局", "动态要闻", 0, 0] in rows
    assert rows[-4:] == [
        ["全部单位", "动态要闻", 17, pytest.approx(17 / 26)],
        ["全部单位", "通知公告", 5, pytest.approx(5 / 26)],
        ["全部单位", "政策文件", 3, pytest.approx(3 / 26)],
        ["全部单位", "人事信息", 1, pytest.approx(1 / 26)],
    ]
    assert len(rows) == 3 + 3 + 2 + 4
    assert sheet["D2"].number_format == "0.00%"
    assert sheet.freeze_panes == "A2"


def test_xlsx_article11_register(workbook) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook["第十一条通报登记"]
    assert [cell.value for cell in sheet[1]] == ["序号", "单位", "条款", "事实依据", "首次发现", "最近发现", "持续天数"]
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == [1, "测试丙局", CLAUSE_MAINTENANCE, "空白栏目 5 个；首页动态信息已 9 天未更新"]
    assert (first[4].date(), first[5].date(), first[6]) == (date(2025, 6, 9), date(2025, 6, 30), 22)
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert (sheet["C3"].value, sheet["G3"].value) == (CLAUSE_UNREACHABLE, 3)


def test_xlsx_deduction_explanations(workbook) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook["扣分说明"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value]
    assert rows[0] == ["测试甲局", 100, "否", "无扣分"]
    assert ["测试乙局", 91, "否", "扣 5 分：栏目「部门动态」已 21 天未更新（要求 14 天）"] in rows
    assert ["测试丙局", 55, "是", "单项否决：空白栏目 5 个（≥5 个）"] in rows
    tc_lines = [row[3] for row in rows if row[0] == "测试丙局"]
    assert len(tc_lines) == 1 + 5 + 1 + 1  # veto, 5 empty columns, homepage, availability
    assert any(str(row[0]).startswith("评分规则") for row in rows)


def test_pdf_is_a_multi_page_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert reader.metadata.title == TITLE
    # A4 portrait.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_text_has_title_units_scores_and_page_numbers(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    # pypdf maps STSong-Light (UniGB-UCS2-H) back to Unicode, so Chinese text is checkable.
    assert TITLE in pages[0]
    lines = pages[0].splitlines()
    row = lines.index("测试乙局")
    # The overview table: 单位, 发布信息数, 得分, 单项否决, 过期栏目, 空白栏目, 死链, 可用率.
    assert lines[row : row + 8] == ["测试乙局", "8", "91", "否", "1", "0", "4", "无数据"]
    assert "单项否决 1 个（测试丙局）" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in text
    everything = "\n".join(pages)
    assert "测试丙局（tc）" in everything
    assert "扣 5 分：栏目「部门动态」已 21 天未更新（要求 14 天）" in everything
    assert "六、第十一条通报登记" in everything
    assert "首页近 7 天访问失败率 3.0%" in everything
    # Chart axis labels and legends are text too.
    assert "06-16" in everything and "人事信息" in everything


def test_pdf_has_charts(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    everything = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("二、各单位得分", "三、各类栏目发布信息数", "四、得分趋势（按周）"):
        assert heading in everything
    # Bar charts are filled rectangles in the veto red and the pass blue.
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert b".752941 0 0 rg" in content  # #C00000
    assert b".180392 .458824 .713725 rg" in content  # #2E75B6


def test_empty_month_still_builds() -> None:
    empty = MonthlyReport(year=2025, month=2, generated_at=NOW, units=(), cases=(), trend={})
    workbook = load_workbook(io.BytesIO(build_monthly_xlsx(empty)))
    assert workbook["第十一条通报登记"]["A2"].value == "本月无第十一条所列情形"
    reader = PdfReader(io.BytesIO(build_monthly_pdf(empty)))
    text = reader.pages[0].extract_text()
    assert "珠海市政府网站群 2025年2月 政务信息维护情况统计报告" in text
    assert "本月无参与统计的单位。" in text


def test_many_units_paginate_the_pdf() -> None:
    units = tuple(
        UnitMonthlyFigures(
            unit_code=f"u{i}",
            unit_name=f"测试单位{i}",
            published_by_type={"动态要闻": i, "通知公告": 2 * i},
            score=100 - i,
            passed=i % 7 != 0,
            stale_columns=i % 3,
            empty_columns=0,
            broken_links=i,
            availability_ratio=0.99,
            deductions=(f"扣 {i} 分：存在 {i} 个无法打开的链接",),
        )
        for i in range(40)
    )
    report = MonthlyReport(2025, 6, NOW, units, (), {unit.unit_code: [(date(2025, 6, 2), unit.score)] for unit in units})
    reader = PdfReader(io.BytesIO(build_monthly_pdf(report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 8
    assert "测试单位39（u39）" in text
    assert f"共 {len(reader.pages)} 页" in text
