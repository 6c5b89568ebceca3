"""The 责任分解表 parser: box-drawn attachment, CSV, XLSX and their refusals.

Pure Python: run with ``-p no:django``.  The expected rows below were read by
hand from ``columns/data/zhuhai-portal-maintenance-measures-2007.txt``.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from columns.table import (
    SPREADSHEET_HEADER,
    UNIT_TYPES,
    RequirementRow,
    TableFormatError,
    infer_page_type,
    load_unit_catalogue,
    normalise_cell_text,
    parse_csv,
    parse_file,
    parse_text,
    parse_xlsx,
    rows_to_csv,
    rows_to_xlsx,
    split_categories,
)
from columns.types import COLUMN_TYPES
from moderation.secrecy.spreadsheet import SpreadsheetLimits

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "columns" / "data" / "zhuhai-portal-maintenance-measures-2007.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

ATTACHMENT_TEXT = SOURCE.read_text(encoding="utf-8")
ATTACHMENT_LINES = ATTACHMENT_TEXT.split("\n")

GUARANTEE = "及时发布"
LEADER_CONTENT = (
    "详细介绍市政府领导姓名、岗位、电子邮件、工作分工、讲话、文论及重要活动信息。"
    "其中介绍市政府领导发表的重要讲话与文章,每则信息要求具有标题、作者、发布日期和正文。"
)
PROFILE_CONTENT = (
    "详细介绍本部门机构名称、地址、公开电话、监督电话、电子邮件、网址、主要职责;"
    "详细介绍本部门领导姓名、岗位、电子邮件、分管范围;"
    "详细介绍内设机构名称、负责人、电话、电子邮件、工作职责。"
)
NORMATIVE_CONTENT = "详细介绍部门的规范性文件,要求时效性强,并具有标题、文号、正文、发布机构、发布时间、主题词。"
NEWS_CONTENT = "详细介绍本部门重要动态信息,每条信息都具有完整的新闻要素,包括标题、作者、发布日期、正文、来源(图片)。"
DEPARTMENT_NOTICE_CONTENT = "本部门公开发布的公告或公示信息,每则信息要求具有标题、发布机构、发布日期和正文。"
APPROVAL = "行政审批(含行政许可、非行政许可审批事项)"
LEADERS = (
    ("钟世坚(市长)", 55),
    ("何宁卡(常务副市长)", 58),
    ("霍荣荫(常务副市长)", 61),
    ("陈洪辉(副市长)", 64),
    ("邓群芳(副市长)", 67),
    ("金展扬(副市长)", 70),
    ("陈英(副市长)", 73),
    ("赵建国(副市长)", 76),
)

# (line, unit, level1, level2, level3, content, categories, page_type); every
# row of the attachment is 及时发布.
EXPECTED: list[tuple[int, str, str, str, str, str, tuple[str, ...], str]] = [
    *[(line, "市府办公室", "信息服务", "市长之窗", name, LEADER_CONTENT, ("政府领导",), "leader") for name, line in LEADERS],
    (
        79,
        "市府办公室",
        "信息服务",
        "组织机构",
        "市政府",
        "市政府组成部门、直属机构名称及主要职能",
        ("政府机构",),
        "org_directory",
    ),
    (
        82,
        "市府办公室",
        "信息服务",
        "法规公文",
        "政府文件",
        "政府令、市政府文件、市政府办公室文件,要求时效性强,并具有标题、文号、正文、发布机构、发布时间、主题词。",
        ("政府文件",),
        "gov_document",
    ),
    (87, "市府办公室", "信息服务", "政府公报", "", "对外公开的政府简报,要求时效性强。", ("经济社会发展目标和规划",), "gazette"),
    (
        91,
        "市府办公室",
        "信息服务",
        "政府工作报告",
        "年度政府工作报告",
        "介绍政府年度工作完成情况及下一年度工作计划安排。",
        ("经济社会发展目标和规划",),
        "work_report",
    ),
    (
        95,
        "市府办公室",
        "信息服务",
        "政府信息公开目录",
        "市政府信息公开目录",
        "提供市政府信息公开的编制目录(指公开哪些信息)。",
        ("政务公开",),
        "disclosure_catalogue",
    ),
    (
        98,
        "市府办公室",
        "信息服务",
        "政府信息公开目录",
        "政府部门信息公开目录",
        "提供市政府部门信息公开的编制目录(指公开哪些信息)。",
        ("政务公开",),
        "disclosure_catalogue",
    ),
    (
        101,
        "市府办公室",
        "信息服务",
        "公告公示",
        "",
        "市政府公开发布的公告或公示信息,每则信息要求具有标题、发布机构、发布日期和正文。",
        ("政府重点工作", "市政府提交市人大及其常委会的报告"),
        "notice",
    ),
    (113, "市发展改革局", "信息服务", "组织机构", "市政府(市发展改革局)", PROFILE_CONTENT, ("机构职能类",), "unit_profile"),
    (119, "市发展改革局", "信息服务", "法规公文", "珠海地方法规", NORMATIVE_CONTENT, ("规范性文件类",), "normative_document"),
    (123, "市发展改革局", "信息服务", "组织机构", "市政府(市发展改革局)", "办事指南和表格下载。", (APPROVAL,), "service_guide"),
    (130, "市发展改革局", "信息服务", "珠海动态", "部门动态", NEWS_CONTENT, ("工作动态类",), "news"),
    (134, "市发展改革局", "信息服务", "公告公示", "", DEPARTMENT_NOTICE_CONTENT, ("工作动态类",), "notice"),
    (138, "市发展改革局", "信息服务", "规划计划", "发展规划", "国民经济发展规划。", ("工作动态类",), "plan"),
    (141, "市发展改革局", "公共服务", "便民电话", "政府公开电话", "", ("便民服务类",), "phone_directory"),
    (149, "市经贸局", "信息服务", "组织机构", "市政府(市经济贸易局)", PROFILE_CONTENT, ("机构职能类",), "unit_profile"),
    (156, "市经贸局", "信息服务", "法规公文", "珠海地方法规", NORMATIVE_CONTENT, ("规范性文件类",), "normative_document"),
    (160, "市经贸局", "信息服务", "组织机构", "市政府(市经济贸易局)", "办事指南和表格下载。", (APPROVAL,), "service_guide"),
    (165, "市经贸局", "信息服务", "组织机构", "市政府(市经济贸易局)", "办事指南和表格下载。", ("便民服务类",), "service_guide"),
    (169, "市经贸局", "信息服务", "珠海动态", "部门动态", NEWS_CONTENT, ("工作动态类",), "news"),
    (174, "市经贸局", "信息服务", "公告公示", "", DEPARTMENT_NOTICE_CONTENT, ("工作动态类",), "notice"),
    (178, "市经贸局", "印象珠海", "珠海概览", "经济发展", "最新基本情况(包括图片)。", ("工作动态类",), "overview"),
    (181, "市经贸局", "企业频道", "企业关注", "", "提供企业较为关注的动态信息(召开采购会、博览会…)。", ("工作动态类",), "news"),
    (184, "市经贸局", "企业频道", "最新公告", "", "最新政策出台信息。", ("工作动态类",), "notice"),
    (187, "市经贸局", "企业频道", "互动渠道", "", "提供与企业相关政策的咨询和查询。", ("便民服务类",), "interaction"),
]


def expected_rows() -> list[RequirementRow]:
    return [
        RequirementRow(
            unit=unit,
            level1=level1,
            level2=level2,
            level3=level3,
            content=content,
            guarantee=GUARANTEE,
            categories=categories,
            page_type=page_type,
            line=line,
        )
        for line, unit, level1, level2, level3, content, categories, page_type in EXPECTED
    ]


def without_lines(rows: list[RequirementRow]) -> list[RequirementRow]:
    return [dataclasses.replace(row, line=0) for row in rows]


def edited(replacements: dict[int, str]) -> str:
    """The source text with the given 1-based lines replaced."""
    lines = list(ATTACHMENT_LINES)
    for number, text in replacements.items():
        lines[number - 1] = text
    return "\n".join(lines)


def source_line(number: int) -> str:
    return ATTACHMENT_LINES[number - 1]


@pytest.fixture(scope="module")
def attachment_rows() -> list[RequirementRow]:
    return parse_text(ATTACHMENT_TEXT)


# --------------------------------------------------------------------------
# The attachment


def test_attachment_parses_to_exactly_the_hand_read_rows(attachment_rows: list[RequirementRow]) -> None:
    assert len(attachment_rows) == 32
    for actual, expected in zip(attachment_rows, expected_rows(), strict=True):
        assert actual == expected


def test_attachment_row_counts_per_unit(attachment_rows: list[RequirementRow]) -> None:
    counts: dict[str, int] = {}
    for row in attachment_rows:
        counts[row.unit] = counts.get(row.unit, 0) + 1
    assert counts == {"市府办公室": 15, "市发展改革局": 7, "市经贸局": 10}


def test_mayor_window_cell_spans_eight_leaders(attachment_rows: list[RequirementRow]) -> None:
    leaders = [row for row in attachment_rows if row.level2 == "市长之窗"]
    assert [row.level3 for row in leaders] == [name for name, _ in LEADERS]
    assert {row.content for row in leaders} == {LEADER_CONTENT}
    assert {row.categories for row in leaders} == {("政府领导",)}
    assert {row.page_type for row in leaders} == {"leader"}
    assert [row.line for row in leaders] == [line for _, line in LEADERS]


def test_disclosure_catalogue_group_splits_into_two_rows(attachment_rows: list[RequirementRow]) -> None:
    rows = [row for row in attachment_rows if row.level2 == "政府信息公开目录"]
    assert [(row.level3, row.content) for row in rows] == [
        ("市政府信息公开目录", "提供市政府信息公开的编制目录(指公开哪些信息)。"),
        ("政府部门信息公开目录", "提供市政府部门信息公开的编制目录(指公开哪些信息)。"),
    ]
    assert all(row.guarantee == GUARANTEE and row.categories == ("政务公开",) for row in rows)


def test_split_category_cell_gives_one_row_with_two_categories(attachment_rows: list[RequirementRow]) -> None:
    notices = [row for row in attachment_rows if row.unit == "市府办公室" and row.level2 == "公告公示"]
    assert len(notices) == 1
    assert notices[0].categories == ("政府重点工作", "市政府提交市人大及其常委会的报告")
    assert notices[0].as_json()["categories"] == ["政府重点工作", "市政府提交市人大及其常委会的报告"]


def test_wrapped_cells_are_joined_without_padding(attachment_rows: list[RequirementRow]) -> None:
    by_line = {row.line: row for row in attachment_rows}
    # 陈 英(副市 / 长) over two lines with padding inside the name.
    assert by_line[73].level3 == "陈英(副市长)"
    # 经济社会发展 / 目标 / 和规划 over three lines.
    assert by_line[87].categories == ("经济社会发展目标和规划",)
    # 行政审批 / (含行政 / 许可、非 / 行政许可 / 审批事项 / ) over six lines, and the
    # 、 inside the brackets does not split the category.
    assert by_line[123].categories == (APPROVAL,)
    assert by_line[160].categories == (APPROVAL,)
    assert by_line[113].level3 == "市政府(市发展改革局)"
    assert all(
        row.guarantee == "及时发布" and row.level1 in {"信息服务", "公共服务", "印象珠海", "企业频道"} for row in attachment_rows
    )
    assert not any(
        re.search(r"\s", value) for row in attachment_rows for value in row.as_json().values() if isinstance(value, str)
    )


def test_page_types_of_the_attachment(attachment_rows: list[RequirementRow]) -> None:
    assert [(row.level2, row.level3, row.page_type) for row in attachment_rows if row.unit == "市经贸局"] == [
        ("组织机构", "市政府(市经济贸易局)", "unit_profile"),
        ("法规公文", "珠海地方法规", "normative_document"),
        ("组织机构", "市政府(市经济贸易局)", "service_guide"),
        ("组织机构", "市政府(市经济贸易局)", "service_guide"),
        ("珠海动态", "部门动态", "news"),
        ("公告公示", "", "notice"),
        ("珠海概览", "经济发展", "overview"),
        ("企业关注", "", "news"),
        ("最新公告", "", "notice"),
        ("互动渠道", "", "interaction"),
    ]
    assert {row.page_type for row in attachment_rows} <= set(COLUMN_TYPES)


def test_as_json_has_exactly_the_documented_keys(attachment_rows: list[RequirementRow]) -> None:
    assert attachment_rows[0].as_json() == {
        "unit": "市府办公室",
        "level1": "信息服务",
        "level2": "市长之窗",
        "level3": "钟世坚(市长)",
        "content": LEADER_CONTENT,
        "guarantee": "及时发布",
        "categories": ["政府领导"],
        "page_type": "leader",
    }


def test_regulation_body_alone_yields_no_rows() -> None:
    body = "\n".join(ATTACHMENT_LINES[:49])
    assert "附件1" in body
    assert parse_text(body) == []


def test_parse_file_reads_the_source_and_gb18030_text(tmp_path: Path) -> None:
    assert parse_file(SOURCE) == expected_rows()
    gb_file = tmp_path / "table.txt"
    gb_file.write_bytes(ATTACHMENT_TEXT.encode("gb18030"))
    assert parse_file(gb_file) == expected_rows()


def test_crlf_and_bom_do_not_shift_lines() -> None:
    rows = parse_text("\ufeff" + ATTACHMENT_TEXT.replace("\n", "\r\n"))
    assert rows == expected_rows()


# --------------------------------------------------------------------------
# Generality of the row-group rule on small tables


HEADER_LINES = [
    "一、市府办公室",
    "┌──┬──┬──┬────┬──┬────┐",
    "│一级栏目│二级栏目│三级栏目│具体内容│保障方式│政务公开类别│",
    "├──┼──┼──┼────┼──┼────┤",
]


def test_category_split_aligned_with_rows_gives_each_row_its_category() -> None:
    text = "\n".join(
        [
            *HEADER_LINES,
            "│信息服务│规划计划│年度计划│年度工作计划。│及时发布│计划类│",
            "│ │ ├──┼────┤ ├────┤",
            "│ │ │专项规划│专项规划全文。│ │规划类│",
            "└──┴──┴──┴────┴──┴────┘",
        ]
    )
    rows = parse_text(text)
    assert [(row.level3, row.content, row.categories, row.line) for row in rows] == [
        ("年度计划", "年度工作计划。", ("计划类",), 5),
        ("专项规划", "专项规划全文。", ("规划类",), 7),
    ]
    assert {row.level2 for row in rows} == {"规划计划"}


def test_nested_spans_follow_the_finest_cut() -> None:
    # 二级栏目 is cut once, 三级栏目 twice: three rows, the first two sharing 栏目甲.
    text = "\n".join(
        [
            *HEADER_LINES,
            "│信息服务│栏目甲│子栏一│内容一│及时发布│类别甲│",
            "│ │ ├──┼────┤ │ │",
            "│ │ │子栏二│内容二│ │ │",
            "│ ├──┼──┼────┤ │ │",
            "│ │栏目乙│子栏三│内容三│ │ │",
            "└──┴──┴──┴────┴──┴────┘",
        ]
    )
    rows = parse_text(text)
    assert [(row.level2, row.level3, row.content) for row in rows] == [
        ("栏目甲", "子栏一", "内容一"),
        ("栏目甲", "子栏二", "内容二"),
        ("栏目乙", "子栏三", "内容三"),
    ]
    assert {row.categories for row in rows} == {("类别甲",)}


def test_table_without_heading_continues_previous_unit() -> None:
    continued = [
        "┌──┬──┬──┬────┬──┬────┐",
        "│企业频道│最新公告│ │最新政策出台信息。│及时发布│工作动态类│",
        "└──┴──┴──┴────┴──┴────┘",
    ]
    text = "\n".join([*HEADER_LINES, "│信息服务│公告公示│ │公告。│及时发布│工作动态类│", "└──┴──┴──┴────┴──┴────┘", *continued])
    rows = parse_text(text)
    assert [(row.unit, row.level2, row.line) for row in rows] == [("市府办公室", "公告公示", 5), ("市府办公室", "最新公告", 8)]


def test_known_units_argument_replaces_the_catalogue() -> None:
    text = "\n".join([*HEADER_LINES, "│信息服务│公告公示│ │公告。│及时发布│工作动态类│", "└──┴──┴──┴────┴──┴────┘"])
    assert len(parse_text(text, known_units={"市府办公室"})) == 1
    with pytest.raises(TableFormatError) as caught:
        parse_text(text, known_units={"市财政局"})
    assert (caught.value.line, caught.value.column) == (1, 3)
    with pytest.raises(TableFormatError) as caught:
        parse_text(ATTACHMENT_TEXT, known_units={"市府办公室", "市经贸局"})
    assert caught.value.line == 108
    assert "市发展改革局" in caught.value.reason


# --------------------------------------------------------------------------
# Malformed box-drawn text


def refusal(text: str) -> TableFormatError:
    with pytest.raises(TableFormatError) as caught:
        parse_text(text)
    return caught.value


def test_wrong_cell_count_names_line_and_message() -> None:
    # Line 56 with the 二级栏目 cell (and its │) gone.
    broken = "│ 务 │) │电子邮件、工作分工、讲话、文论│ 布 │ │"
    assert source_line(56) == "│ 务 │ │) │电子邮件、工作分工、讲话、文论│ 布 │ │"
    error = refusal(edited({56: broken}))
    assert error.line == 56
    assert error.column == len(broken)
    assert error.reason == "表格行的单元格数为5，应为6"
    assert str(error) == f"第56行第{error.column}列：表格行的单元格数为5，应为6"


def test_extra_cell_is_refused() -> None:
    error = refusal(edited({130: source_line(130) + "多余│"}))
    assert error.line == 130
    assert "单元格数为7，应为6" in error.reason
    assert error.column == len(source_line(130)) + 1


def test_text_after_last_border_counts_as_a_cell() -> None:
    error = refusal(edited({131: source_line(131) + "尾巴"}))
    assert (error.line, error.reason) == (131, "表格行的单元格数为7，应为6")


def test_unclosed_table_before_next_heading() -> None:
    error = refusal(edited({107: ""}))
    assert error.line == 51
    assert "第108行出现单位标题" in error.reason
    assert "未闭合" in str(error)


def test_unclosed_table_at_end_of_file() -> None:
    error = refusal(edited({189: ""}))
    assert error.line == 145
    assert "文件结束" in error.reason


def test_unclosed_table_followed_by_plain_text() -> None:
    error = refusal(edited({143: "注：本表由市信息中心负责解释。"}))
    assert error.line == 109
    assert "第143行出现表格外文字" in error.reason


def test_full_separator_of_wrong_width_is_misaligned() -> None:
    error = refusal(edited({78: source_line(78).replace("┼────┼", "┼───┼", 1)}))
    assert error.line == 78
    assert error.column == 6
    assert error.reason.startswith("边框未对齐")


def test_partial_separator_of_wrong_width_is_misaligned() -> None:
    error = refusal(edited({57: "│ │ ├─────┤及重要活动信息。其中介绍市政府│ │ │"}))
    assert (error.line, error.column) == (57, 6)
    assert "第3栏的分隔线长为5" in error.reason


def test_wrong_junction_is_misaligned() -> None:
    # 三级栏目 and 具体内容 are cut here, so they must meet at ┼, not │.
    error = refusal(edited({97: source_line(97).replace("┼", "│", 1)}))
    assert error.line == 97
    assert error.column == source_line(97).index("┼") + 1
    assert "应为「┼」" in error.reason


def test_bottom_border_must_match_top_border() -> None:
    broken = source_line(143).replace("└───┴───┴", "└────┴──┴", 1)
    assert broken != source_line(143)
    error = refusal(edited({143: broken}))
    assert error.line == 143
    assert "底边各栏宽度" in error.reason


def test_top_border_with_wrong_column_count() -> None:
    error = refusal(edited({109: "┌───┬───┬─────┬───────────────────┬───┐"}))
    assert error.line == 109
    assert error.reason == "表格有5栏，应为6栏（一级栏目、二级栏目、三级栏目、具体内容、保障方式、政务公开类别）"


def test_any_unit_heading_is_read_the_database_decides() -> None:
    # The parser does not whitelist units: the import matches the headings
    # against the units registered in the database (and creates new ones).
    rows = parse_text(edited({108: "二、市发展和改革局"}))
    assert "市发展和改革局" in {row.unit for row in rows}


def test_unknown_unit_heading_is_refused_when_the_names_are_given() -> None:
    with pytest.raises(TableFormatError) as caught:
        parse_text(edited({108: "二、市发展和改革局"}), known_units=set(load_unit_catalogue()))
    error = caught.value
    assert (error.line, error.column) == (108, 3)
    assert error.reason == "未知单位「市发展和改革局」：不在单位名录中"
    assert str(error) == "第108行第3列：未知单位「市发展和改革局」：不在单位名录中"


def test_table_before_any_heading_is_refused() -> None:
    error = refusal(edited({50: "说明：以下为市府办公室的分工"}))
    assert (error.line, error.column) == (51, 1)
    assert "缺少单位标题" in error.reason


def test_known_heading_without_table_is_refused() -> None:
    error = refusal(ATTACHMENT_TEXT + "\n四、市财政局\n（暂无）")
    assert error.line == 190
    assert "之后没有表格" in error.reason


def test_row_with_empty_level1_is_refused() -> None:
    error = refusal(edited({82: source_line(82).replace("信息服", "   ", 1), 83: source_line(83).replace("务", " ", 1)}))
    assert (error.line, error.column) == (82, 2)
    assert error.reason == "一级栏目为空"


def test_empty_category_is_refused() -> None:
    error = refusal(edited({138: source_line(138).replace("工作动态", "    "), 139: source_line(139).replace("类", " ")}))
    assert error.line == 138
    assert error.reason == "政务公开类别为空"


def test_table_line_outside_a_table_is_refused() -> None:
    error = refusal(ATTACHMENT_TEXT + "\n" + source_line(188))
    assert (error.line, error.column) == (190, 1)
    assert "表格之外" in error.reason


def test_header_with_wrong_name_is_refused() -> None:
    error = refusal(edited({110: source_line(110).replace("具体内容", "具体说明")}))
    assert error.line == 110
    assert error.reason == "表头第4栏应为「具体内容」，实为「具体说明」"


# --------------------------------------------------------------------------
# Spreadsheets


def test_csv_round_trip(attachment_rows: list[RequirementRow]) -> None:
    text = rows_to_csv(attachment_rows)
    assert text.splitlines()[0] == ",".join(SPREADSHEET_HEADER)
    again = parse_csv(text)
    assert without_lines(again) == without_lines(attachment_rows)
    # CSV lines are record numbers, header = 1, even with multi-line cells.
    assert [row.line for row in again] == list(range(2, 34))


def test_csv_round_trip_through_bytes(attachment_rows: list[RequirementRow]) -> None:
    text = rows_to_csv(attachment_rows)
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        assert without_lines(parse_csv(text.encode(encoding))) == without_lines(attachment_rows)


def test_xlsx_round_trip(attachment_rows: list[RequirementRow]) -> None:
    data = rows_to_xlsx(attachment_rows)
    assert data[:2] == b"PK"
    again = parse_xlsx(data)
    assert without_lines(again) == without_lines(attachment_rows)
    assert [row.line for row in again] == list(range(2, 34))


def test_parse_file_dispatches_on_extension(tmp_path: Path, attachment_rows: list[RequirementRow]) -> None:
    (tmp_path / "table.CSV").write_text(rows_to_csv(attachment_rows), encoding="utf-8-sig")
    (tmp_path / "table.xlsx").write_bytes(rows_to_xlsx(attachment_rows))
    assert without_lines(parse_file(tmp_path / "table.CSV")) == without_lines(attachment_rows)
    assert without_lines(parse_file(str(tmp_path / "table.xlsx"))) == without_lines(attachment_rows)
    with pytest.raises(ValueError, match="不支持的文件类型"):
        parse_file(tmp_path / "table.xls")


def test_gb18030_csv_fixture_reads() -> None:
    raw = (FIXTURES / "responsibility_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")  # the fixture holds a character GBK lacks
    rows = parse_csv(raw)
    assert [(row.unit, row.level2, row.categories, row.page_type, row.line) for row in rows] == [
        ("市经贸局", "企业关注", ("工作动态类",), "news", 2),
        ("市经贸局", "珠海概览", ("工作动态类", "便民服务类"), "overview", 3),
        ("市府办公室", "市长之窗", ("政府领导",), "leader", 4),
    ]
    assert "䶮" in rows[1].content
    assert rows[0].content == "提供企业较为关注的动态信息（召开采购会、博览会…）。"


def test_utf8_bom_csv_fixture_splits_categories() -> None:
    rows = parse_file(FIXTURES / "responsibility_utf8_bom.csv")
    assert [(row.unit, row.line) for row in rows] == [("市府办公室", 2), ("市发展改革局", 3), ("市经贸局", 5), ("市经贸局", 6)]
    assert rows[0].categories == ("政府重点工作", "市政府提交市人大及其常委会的报告")
    # 、 splits outside brackets only.
    assert rows[1].categories == (APPROVAL, "便民服务类")
    assert (rows[1].level3, rows[1].guarantee) == ("市政府(市发展改革局)", "及时发布")
    # A line break inside the quoted cell separates categories.
    assert rows[2].categories == ("便民服务类", "工作动态类")
    # Spaces survive only between ASCII letters or digits.
    assert (rows[3].level2, rows[3].content) == ("Web 2.0专栏", "介绍Web 2.0互动服务。")
    assert rows[3].categories == ("便民服务类", "工作动态类")


def test_formula_like_text_round_trips_and_is_neutralised() -> None:
    row = RequirementRow(
        unit="市经贸局",
        level1="企业频道",
        level2='=HYPERLINK("http://example.invalid")',
        level3="-",
        content="+86 756 1234567",
        guarantee="@及时发布",
        categories=("政府重点工作、计划",),
        page_type="overview",
        line=2,
    )
    text = rows_to_csv([row])
    assert "'=HYPERLINK" in text and "'-" in text
    assert parse_csv(text) == [row]
    assert parse_xlsx(rows_to_xlsx([row])) == [row]


def test_lone_category_with_separator_round_trips() -> None:
    row = RequirementRow(
        unit="市经贸局",
        level1="企业频道",
        level2="企业关注",
        level3="",
        content="",
        guarantee="",
        categories=("工作动态；便民服务",),
        page_type="news",
        line=2,
    )
    assert split_categories("工作动态；便民服务") == ("工作动态", "便民服务")
    assert parse_csv(rows_to_csv([row])) == [row]
    assert parse_xlsx(rows_to_xlsx([row])) == [row]


def csv_refusal(text: str | bytes) -> TableFormatError:
    with pytest.raises(TableFormatError) as caught:
        parse_csv(text)
    return caught.value


HEADER = ",".join(SPREADSHEET_HEADER)


def test_csv_unknown_unit_is_refused_when_the_names_are_given() -> None:
    text = f"{HEADER}\n市府办公室,信息服务,公告公示,,公告。,及时发布,政府重点工作\n市统筹局,信息服务,公告公示,,,,工作动态类\n"
    assert [row.unit for row in parse_csv(text)] == ["市府办公室", "市统筹局"]
    with pytest.raises(TableFormatError) as caught:
        parse_csv(text, known_units={"市府办公室"})
    error = caught.value
    assert (error.line, error.column) == (3, 1)
    assert str(error) == "第3行第1列：未知单位「市统筹局」：不在单位名录中"


def test_csv_empty_level1_and_categories_are_refused() -> None:
    error = csv_refusal(f"{HEADER}\n市府办公室, ,公告公示,,公告。,及时发布,政府重点工作\n")
    assert (error.line, error.column, error.reason) == (2, 2, "一级栏目为空")
    error = csv_refusal(f"{HEADER}\n市府办公室,信息服务,公告公示,,公告。,及时发布,；\n")
    assert (error.line, error.column, error.reason) == (2, 7, "政务公开类别为空")


def test_csv_header_and_width_are_checked() -> None:
    error = csv_refusal("单位,一级栏目,二级栏目,三级栏目,内容,保障方式,政务公开类别\n")
    assert (error.line, error.column) == (1, 5)
    assert error.reason == "表头第5列应为「具体内容」，实为「内容」"
    error = csv_refusal(f"{HEADER}\n市府办公室,信息服务,公告公示,,公告。,及时发布,政府重点工作,多余\n")
    assert (error.line, error.column, error.reason) == (2, 8, "该行有8列，应为7列")
    error = csv_refusal("")
    assert error.line == 1 and "缺少表头" in error.reason


def test_csv_undecodable_bytes_are_refused() -> None:
    # Neither UTF-8 nor GB18030: 0x80 alone is no lead byte in either.
    raw = f"{HEADER}\n".encode() + b"\x80\x80\n"
    error = csv_refusal(raw)
    assert error.line == 2
    assert "无法识别文件编码" in error.reason


def test_xlsx_garbage_is_refused() -> None:
    with pytest.raises(TableFormatError) as caught:
        parse_xlsx(b"not a workbook")
    assert caught.value.line == 1
    assert "XLSX" in caught.value.reason


def _rewritten_sheet(data: bytes, *, dimension: str | None, extra_rows: str = "", rows: str | None = None) -> bytes:
    """The workbook with its first sheet's <dimension> replaced, and its rows replaced by ``rows``
    or followed by ``extra_rows``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = re.sub(r"<dimension [^>]*/>", f'<dimension ref="{dimension}"/>' if dimension else "", payload.decode())
                if rows is not None:
                    xml = re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{rows}</sheetData>", xml, flags=re.S)
                payload = xml.replace("</sheetData>", extra_rows + "</sheetData>").encode()
            target.writestr(item, payload)
    return buffer.getvalue()


def _measured_refusal(data: bytes, **kwargs: object) -> tuple[float, int, TableFormatError]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TableFormatError) as caught:
            parse_xlsx(data, **kwargs)  # type: ignore[arg-type]
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak, caught.value


def test_xlsx_declaring_the_whole_sheet_is_refused_quickly(attachment_rows: list[RequirementRow]) -> None:
    # openpyxl pads every row to the declared width and yields every missing row up to the last one.
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = _rewritten_sheet(rows_to_xlsx(attachment_rows[:1]), dimension="A1:XFD1048576", extra_rows=far)
    elapsed, peak, error = _measured_refusal(data)
    assert elapsed < 2 and peak < 100 * 1024 * 1024, (elapsed, peak)
    assert "A1:XFD1048576" in error.reason and "责任分解表" in error.reason
    assert str(error).startswith("第1行：工作表「责任分解表」")


def test_xlsx_without_dimension_and_a_far_cell_is_read_without_padding(attachment_rows: list[RequirementRow]) -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = _rewritten_sheet(rows_to_xlsx(attachment_rows[:2]), dimension=None, extra_rows=far)
    started = time.perf_counter()
    with pytest.raises(TableFormatError) as caught:
        parse_xlsx(data)
    assert time.perf_counter() - started < 2
    assert (caught.value.line, caught.value.column) == (1048576, 8)
    assert caught.value.reason == "该行有16384列，应为7列"


def test_xlsx_header_is_checked_before_the_rest_is_read(attachment_rows: list[RequirementRow]) -> None:
    # A wrong header followed by more cells than the cap: the header is what is reported.
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'
    rows += "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, 400))
    data = _rewritten_sheet(rows_to_xlsx(attachment_rows), dimension=None, rows=rows)
    error = _measured_refusal(data, limits=SpreadsheetLimits(max_cells=50))[2]
    assert (error.line, error.column) == (1, 1) and error.reason == "表头第1列应为「单位」，实为「名称」"


def test_xlsx_over_the_cell_cap_is_refused_with_where(attachment_rows: list[RequirementRow]) -> None:
    data = rows_to_xlsx(attachment_rows)
    error = _measured_refusal(data, limits=SpreadsheetLimits(max_cells=50))[2]
    assert "50" in error.reason and "单元格" in error.reason and "责任分解表" in error.reason
    assert error.line > 1


def test_xlsx_over_the_time_cap_is_refused(attachment_rows: list[RequirementRow]) -> None:
    error = _measured_refusal(rows_to_xlsx(attachment_rows), limits=SpreadsheetLimits(max_seconds=0.0))[2]
    assert "秒" in error.reason


# --------------------------------------------------------------------------
# Helpers and catalogue


def test_normalise_cell_text() -> None:
    assert normalise_cell_text(" 陈 英(副市 \n长) ") == "陈英(副市长)"
    assert normalise_cell_text("经济社会发展\n 目标 \n 和规划") == "经济社会发展目标和规划"
    assert normalise_cell_text("ISO  9001 认证\u3000体系") == "ISO 9001认证体系"
    assert normalise_cell_text("   ") == ""


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"level2": "领导之窗", "level3": "张三(局长)", "content": ""}, "leader"),
        ({"level2": "组织机构", "level3": "", "content": "详细介绍本部门机构名称"}, "unit_profile"),
        ({"level2": "组织机构", "level3": "", "content": "办事指南和表格下载。"}, "service_guide"),
        ({"level2": "法规公文", "level3": "政府文件", "content": "政府令"}, "gov_document"),
        ({"level2": "便民电话", "level3": "", "content": ""}, "phone_directory"),
        ({"level2": "网上咨询", "level3": "", "content": ""}, "interaction"),
        ({"level2": "珠海概览", "level3": "自然地理", "content": "城市简介。"}, "overview"),
        ({"level2": "专题栏目", "level3": "", "content": "静态介绍。"}, "overview"),
    ],
)
def test_infer_page_type(fields: dict[str, str], expected: str) -> None:
    assert infer_page_type(level1="信息服务", categories=(), **fields) == expected


def test_infer_page_type_falls_back_to_category() -> None:
    assert (
        infer_page_type(level1="信息服务", level2="专题", level3="", content="", categories=("规范性文件类",))
        == "normative_document"
    )
    assert set(COLUMN_TYPES) == {
        "leader",
        "org_directory",
        "unit_profile",
        "gov_document",
        "normative_document",
        "gazette",
        "work_report",
        "disclosure_catalogue",
        "notice",
        "news",
        "service_guide",
        "plan",
        "phone_directory",
        "overview",
        "interaction",
    }
    assert COLUMN_TYPES["leader"].label == "领导之窗"


def test_unit_catalogue() -> None:
    catalogue = load_unit_catalogue()
    assert len(catalogue) >= 23
    assert catalogue["市府办公室"].full_name == "珠海市人民政府办公室"
    assert (catalogue["市府办公室"].code, catalogue["市府办公室"].unit_type) == ("szfb", "office")
    assert (catalogue["市发展改革局"].code, catalogue["市发展改革局"].full_name) == ("fgj", "珠海市发展和改革局")
    assert (catalogue["市经贸局"].code, catalogue["市经贸局"].full_name) == ("jmj", "珠海市经济贸易局")
    codes = [unit.code for unit in catalogue.values()]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z]{2,10}", code) for code in codes)
    assert {unit.unit_type for unit in catalogue.values()} <= set(UNIT_TYPES)
    assert all(name == unit.name for name, unit in catalogue.items())
    catalogue.pop("市府办公室")
    assert "市府办公室" in load_unit_catalogue()


# --------------------------------------------------------------------------
# The 单位代码 column, over-long cells and NUL characters


CODE_HEADER = "单位,单位代码,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别"


def test_csv_may_carry_a_code_column() -> None:
    rows = parse_csv(
        f"{CODE_HEADER}\n市统筹局,tcj,信息服务,公告公示,,公告。,及时发布,政府重点工作\n市统筹局,,信息服务,部门动态,,动态。,及时发布,工作动态\n"
    )
    assert [(row.unit, row.unit_code, row.level2) for row in rows] == [
        ("市统筹局", "tcj", "公告公示"),
        ("市统筹局", "tcj", "部门动态"),
    ]
    assert parse_csv(f"{HEADER}\n市统筹局,信息服务,公告公示,,公告。,及时发布,政府重点工作\n")[0].unit_code == ""


@pytest.mark.parametrize(
    "body, line, column, reason",
    [
        ("市统筹局,TCJ,信息服务,公告公示,,公告。,及时发布,类别\n", 2, 2, "单位代码「TCJ」不合规"),
        ("市统筹局,tcj,信息服务,公告公示,,公告。,及时发布,类别\n市统筹局,tj,信息服务,动态,,,,类别\n", 3, 2, "不一致"),
        ("市统筹局,tcj,信息服务,公告公示,,公告。,及时发布,类别\n市统计局,tcj,信息服务,动态,,,,类别\n", 3, 2, "已在第2行"),
    ],
)
def test_bad_codes_are_refused_with_line_and_column(body, line, column, reason) -> None:
    error = csv_refusal(f"{CODE_HEADER}\n{body}")
    assert (error.line, error.column) == (line, column)
    assert reason in error.reason


@pytest.mark.parametrize(
    "cells, column, reason",
    [
        (["市" + "统" * 60, "信息服务", "公告公示", "", "", "", "类别"], 1, "单位过长：61个字符，最多60个"),
        (["市统筹局", "信" * 61, "公告公示", "", "", "", "类别"], 2, "一级栏目过长"),
        (["市统筹局", "信息服务", "公" * 61, "", "", "", "类别"], 3, "二级栏目过长"),
        (["市统筹局", "信息服务", "公告", "三" * 81, "", "", "类别"], 4, "三级栏目过长"),
        (["市统筹局", "信息服务", "公告", "", "", "保" * 41, "类别"], 6, "保障方式过长"),
        (["市统筹局", "信息服务", "公告", "", "", "", "类" * 81], 7, "政务公开类别过长"),
        (["市统筹局", "信息服务", "公告", "", "", "", "；".join(["类别" + str(i) * 10 for i in range(30)])], 7, "合计"),
        (["市统筹局", "信息服务", "公告", "", "内容\x00", "", "类别"], 5, "空字符"),
    ],
)
def test_over_long_cells_and_nul_are_refused_in_csv_and_xlsx(cells, column, reason) -> None:
    import csv as csv_module

    buffer = io.StringIO()
    writer = csv_module.writer(buffer)
    writer.writerow(SPREADSHEET_HEADER)
    writer.writerow(cells)
    error = csv_refusal(buffer.getvalue())
    assert (error.line, error.column) == (2, column)
    assert reason in error.reason


def test_over_long_cell_and_nul_in_box_drawn_text() -> None:
    # Line 56 is a row of 市府办公室's table: 一级栏目 text at column 2.
    line = source_line(56)
    with pytest.raises(TableFormatError) as caught:
        parse_text(edited({108: "二、" + "市" * 61}))
    assert (caught.value.line, caught.value.column) == (108, 3)
    assert "单位过长" in caught.value.reason
    nul = line[:3] + "\x00" + line[4:]
    with pytest.raises(TableFormatError) as caught:
        parse_text(edited({56: nul}))
    assert (caught.value.line, caught.value.column) == (56, 4)
    assert "空字符" in caught.value.reason
