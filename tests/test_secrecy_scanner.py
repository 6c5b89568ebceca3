"""Tests of the 保密审查 scanner (moderation.secrecy). Pure Python, no Django:

.venv/bin/python -m pytest -p no:django -p no:cacheprovider tests/test_secrecy_scanner.py -q
"""

from __future__ import annotations

import io
import json
import logging
import random
import zipfile

import pytest

from moderation.secrecy import (
    FINDING_LABELS,
    Finding,
    FindingKind,
    SecrecyScanner,
    UnsupportedDocument,
    _WordAutomaton,
    extract_document_text,
    is_valid_resident_id,
    luhn_valid,
)

# Reference numbers. Check digits were computed once and are asserted below
# with the functions under test as well as with published examples.
VALID_ID = "11010519491231002X"  # the example of GB 11643-1999
VALID_ID_DIGITS = "440402198503151234"
LEAP_DAY_ID = "44040420000229001X"
FEB_30_ID = "440402194902300016"  # correct check digit, impossible date
FUTURE_ID = "440402209912310014"  # correct check digit, born in 2099
ID_ALSO_PASSING_LUHN = "440402198503150207"
CARD_16 = "6228480012345671"
CARD_16_BAD = "6228480012345672"
CARD_19 = "6217001234567890122"
CARD_19_GROUPED = "6222 0204 0012 3456 784"


@pytest.fixture(scope="module")
def scanner() -> SecrecyScanner:
    return SecrecyScanner()


def kinds(findings: list[Finding]) -> list[FindingKind]:
    return [finding.kind for finding in findings]


def only(findings: list[Finding], kind: FindingKind) -> list[Finding]:
    return [finding for finding in findings if finding.kind == kind]


# ---------------------------------------------------------------------------
# Labels and data structures
# ---------------------------------------------------------------------------


def test_every_kind_has_a_chinese_label() -> None:
    assert set(FINDING_LABELS) == set(FindingKind)
    assert FINDING_LABELS[FindingKind.MARKING] == "密级标志"
    assert FINDING_LABELS[FindingKind.INTERNAL] == "内部信息标志"
    assert FINDING_LABELS[FindingKind.ID_NUMBER] == "居民身份证号"
    assert FINDING_LABELS[FindingKind.MOBILE] == "手机号码"
    assert FINDING_LABELS[FindingKind.BANK_CARD] == "银行卡号"
    assert FINDING_LABELS[FindingKind.SENSITIVE_WORD] == "敏感词"


def test_finding_as_dict_is_json_serialisable(scanner: SecrecyScanner) -> None:
    (finding,) = scanner.scan_text("机密★1年", field="标题")
    data = finding.as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["kind"] == "marking"
    assert data["label"] == "密级标志"
    assert data["field"] == "标题"
    assert (data["start"], data["end"], data["match"]) == (0, 5, "机密★1年")


def test_findings_are_immutable(scanner: SecrecyScanner) -> None:
    (finding,) = scanner.scan_text("机密★", field="正文")
    with pytest.raises(AttributeError):
        finding.start = 3  # type: ignore[misc]


def test_empty_text_has_no_findings(scanner: SecrecyScanner) -> None:
    assert scanner.scan_text("", field="正文") == []


# ---------------------------------------------------------------------------
# 密级标志
# ---------------------------------------------------------------------------


def test_marking_with_star_and_period(scanner: SecrecyScanner) -> None:
    text = "机密★1年\n关于做好防汛工作的通知"
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.MARKING
    assert (finding.start, finding.end, finding.match) == (0, 5, "机密★1年")
    assert finding.detail == "密级：机密；保密期限：1年"


@pytest.mark.parametrize(
    ("text", "match", "detail"),
    [
        ("秘密★长期", "秘密★长期", "密级：秘密；保密期限：长期"),
        ("绝密★", "绝密★", "密级：绝密"),
        ("绝密★启用前 2024年度考试试卷", "绝密★启用前", "密级：绝密；保密期限：启用前"),
        ("标注秘密☆6个月的文件", "秘密☆6个月", "密级：秘密；保密期限：6个月"),
        ("文件标注机密*2年", "机密*2年", "密级：机密；保密期限：2年"),
        ("机密★2030年12月31日前", "机密★2030年12月31日前", "密级：机密；保密期限：2030年12月31日前"),
        ("密级：秘密", "密级：秘密", "密级：秘密"),
        ("密级:机密 保密期限：3年", "密级:机密 保密期限：3年", "密级：机密；保密期限：3年"),
        ("本文件为秘密级，请妥善保管", "秘密级", "密级：秘密"),
        ("秘密\n关于做好值班工作的通知", "秘密", "密级：秘密"),
        ("份号 000123\n  机密  \n正文", "机密", "密级：机密"),
    ],
)
def test_marking_forms(scanner: SecrecyScanner, text: str, match: str, detail: str) -> None:
    markings = only(scanner.scan_text(text, field="正文"), FindingKind.MARKING)
    assert [(finding.match, finding.detail) for finding in markings] == [(match, detail)]
    assert text[markings[0].start : markings[0].end] == match


def test_marking_with_full_width_digits_and_asterisk(scanner: SecrecyScanner) -> None:
    text = "附件一：机密＊１０年"
    (finding,) = scanner.scan_text(text, field="正文")
    # The match is the original text; the detail is normalised.
    assert finding.match == "机密＊１０年"
    assert (finding.start, finding.end) == (4, 10)
    assert finding.detail == "密级：机密；保密期限：10年"


@pytest.mark.parametrize(
    "text",
    [
        "各单位要切实保守国家秘密，严防失泄密事件发生。",
        "依法保护企业商业秘密和个人隐私。",
        "提升信息系统的机密性、完整性和可用性。",
        "秘书长主持会议并讲话。",
        "国家秘密的密级分为绝密、机密、秘密三级。",
        "绝密级国家秘密是最重要的国家秘密，机密级以上文件不得擅自复制。",
        "涉密载体分为绝密级、机密级和秘密级。",
        "严禁在互联网上处理**商业秘密**。",
        "他说出了心中的秘密",
    ],
)
def test_ordinary_language_is_not_a_marking(scanner: SecrecyScanner, text: str) -> None:
    assert only(scanner.scan_text(text, field="正文"), FindingKind.MARKING) == []


def test_marking_overlapping_forms_are_reported_once(scanner: SecrecyScanner) -> None:
    # Context form and star form overlap; the reviewer needs one finding.
    findings = scanner.scan_text("密级：秘密★1年", field="正文")
    assert [(finding.match, finding.detail) for finding in findings] == [("密级：秘密★1年", "密级：秘密；保密期限：1年")]


# ---------------------------------------------------------------------------
# 内部信息标志
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["内部资料", "内部文件", "注意保存", "不得外传", "不宜公开", "内部传阅", "仅供内部参考"])
def test_internal_markings(scanner: SecrecyScanner, term: str) -> None:
    text = f"本材料{term}。"
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.INTERNAL
    assert (finding.start, finding.end, finding.match) == (3, 3 + len(term), term)


def test_internal_marking_pair_in_header(scanner: SecrecyScanner) -> None:
    findings = scanner.scan_text("内部资料　注意保存", field="正文")
    assert [(finding.kind, finding.match) for finding in findings] == [
        (FindingKind.INTERNAL, "内部资料"),
        (FindingKind.INTERNAL, "注意保存"),
    ]


def test_internal_lookalikes_do_not_hit(scanner: SecrecyScanner) -> None:
    text = "健全内部控制制度，加强内部审计，资料公开透明。"
    assert scanner.scan_text(text, field="正文") == []


# ---------------------------------------------------------------------------
# 居民身份证号
# ---------------------------------------------------------------------------


def test_check_digit_and_date_validation() -> None:
    assert is_valid_resident_id(VALID_ID)
    assert is_valid_resident_id(VALID_ID.lower())
    assert is_valid_resident_id(VALID_ID_DIGITS)
    assert is_valid_resident_id(LEAP_DAY_ID)
    assert is_valid_resident_id("110105 19491231 002X")
    assert not is_valid_resident_id("110105194912310021")  # wrong check digit
    assert not is_valid_resident_id(FEB_30_ID)
    assert not is_valid_resident_id(FUTURE_ID)
    assert not is_valid_resident_id("99010519491231002X")  # no such province
    assert not is_valid_resident_id(VALID_ID[:-1])
    assert not is_valid_resident_id("")


def test_id_number_is_found_with_offsets(scanner: SecrecyScanner) -> None:
    text = f"申请人身份证号：{VALID_ID}，住址略。"
    findings = scanner.scan_text(text, field="正文")
    assert kinds(findings) == [FindingKind.ID_NUMBER]
    assert (findings[0].start, findings[0].end, findings[0].match) == (8, 26, VALID_ID)


def test_stored_findings_mask_personal_numbers(scanner: SecrecyScanner) -> None:
    text = f"申请人身份证号：{VALID_ID}，联系电话13812345678。"
    stored = [finding.as_dict() for finding in scanner.scan_text(text, field="正文")]
    assert [(f["label"], f["match"]) for f in stored] == [
        ("居民身份证号", VALID_ID[:4] + "*" * 10 + VALID_ID[-4:]),
        ("手机号码", "138****5678"),
    ]
    # Each excerpt also reaches the neighbouring number: neither appears in full.
    for finding in stored:
        assert VALID_ID not in finding["excerpt"] and "13812345678" not in finding["excerpt"]
        assert "138****5678" in finding["excerpt"]
    # Markings are not personal data and stay as found.
    (marking,) = [f.as_dict() for f in scanner.scan_text("机密★1年", field="标题")]
    assert marking["match"] == "机密★1年"


@pytest.mark.parametrize("number", [VALID_ID.lower(), "110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ"])
def test_id_number_variants(scanner: SecrecyScanner, number: str) -> None:
    text = f"身份证号{number}。"
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.ID_NUMBER
    assert finding.match == number


@pytest.mark.parametrize("number", ["110105194912310021", FEB_30_ID, FUTURE_ID])
def test_invalid_id_numbers_are_not_reported_as_ids(scanner: SecrecyScanner, number: str) -> None:
    assert FindingKind.ID_NUMBER not in kinds(scanner.scan_text(f"号码{number}", field="正文"))


def test_id_number_inside_longer_digit_run_is_ignored(scanner: SecrecyScanner) -> None:
    assert FindingKind.ID_NUMBER not in kinds(scanner.scan_text(f"流水号9{VALID_ID_DIGITS}", field="正文"))
    assert FindingKind.ID_NUMBER not in kinds(scanner.scan_text(f"流水号{VALID_ID_DIGITS}7", field="正文"))


def test_id_number_passing_luhn_is_not_also_a_bank_card(scanner: SecrecyScanner) -> None:
    assert luhn_valid(ID_ALSO_PASSING_LUHN)
    findings = scanner.scan_text(f"身份证{ID_ALSO_PASSING_LUHN}", field="正文")
    assert kinds(findings) == [FindingKind.ID_NUMBER]


# ---------------------------------------------------------------------------
# 手机号码
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("联系电话：13812345678。", "13812345678"),
        ("联系电话：138 1234 5678。", "138 1234 5678"),
        ("联系电话：138-1234-5678。", "138-1234-5678"),
        ("联系电话：+86 13812345678。", "+86 13812345678"),
        ("联系电话：8613812345678。", "8613812345678"),
        ("联系电话：+86-199-8765-4321。", "+86-199-8765-4321"),
        ("联系电话：１３８１２３４５６７８。", "１３８１２３４５６７８"),
        ("电话13812345678", "13812345678"),
    ],
)
def test_mobile_numbers(scanner: SecrecyScanner, text: str, match: str) -> None:
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.MOBILE
    assert finding.match == match
    assert text[finding.start : finding.end] == match


@pytest.mark.parametrize(
    "text",
    [
        "请拨打12345政务服务便民热线。",
        "办公电话：0756-2212345。",
        "办公电话：(0756)2212345，传真0756-2212346。",
        "编号12812345678",  # 12x is not a mobile prefix
        "订单号913812345678",  # part of a longer digit run
        "订单号138123456789",
        "号码138 1234-5678",  # inconsistent grouping
    ],
)
def test_not_mobile_numbers(scanner: SecrecyScanner, text: str) -> None:
    assert FindingKind.MOBILE not in kinds(scanner.scan_text(text, field="正文"))


# ---------------------------------------------------------------------------
# 银行卡号
# ---------------------------------------------------------------------------


def test_luhn() -> None:
    # Published examples: the Luhn article's 79927398713 and the Visa test card.
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111")
    assert luhn_valid(CARD_16)
    assert not luhn_valid(CARD_16_BAD)
    assert luhn_valid(CARD_19_GROUPED)
    assert not luhn_valid("")
    assert not luhn_valid("4111-1111")


@pytest.mark.parametrize("number", [CARD_16, CARD_19, CARD_19_GROUPED, "4111 1111 1111 1111"])
def test_bank_cards(scanner: SecrecyScanner, number: str) -> None:
    text = f"补助资金拨付至账号{number}，请核对。"
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.BANK_CARD
    assert (finding.start, finding.match) == (9, number)


@pytest.mark.parametrize(
    "text",
    [
        f"账号{CARD_16_BAD}",  # fails Luhn
        "账号0000000000000000",  # passes Luhn, but no card looks like that
        f"合同编号1234{CARD_16}",  # inside a longer digit run
        "序列号 1234 4111 1111 1111 1111",  # inside a longer grouped run
    ],
)
def test_not_bank_cards(scanner: SecrecyScanner, text: str) -> None:
    assert FindingKind.BANK_CARD not in kinds(scanner.scan_text(text, field="正文"))


def test_full_width_card_number(scanner: SecrecyScanner) -> None:
    number = CARD_16.translate({ord(digit): chr(ord(digit) + 0xFEE0) for digit in "0123456789"})
    (finding,) = scanner.scan_text(f"卡号：{number}", field="正文")
    assert finding.kind == FindingKind.BANK_CARD
    assert finding.match == number


# ---------------------------------------------------------------------------
# 敏感词
# ---------------------------------------------------------------------------


def test_sensitive_words_with_notes() -> None:
    scanner = SecrecyScanner(
        sensitive_words=[
            ("国家工商行政管理总局", "已更名为国家市场监督管理总局"),
            "工商行政管理",
            ("国土资源局", "已更名为自然资源局"),
        ]
    )
    text = "原国家工商行政管理总局和市国土资源局联合发文。"
    findings = scanner.scan_text(text, field="正文")
    assert [(f.kind, f.match, f.start, f.end, f.detail) for f in findings] == [
        # The longest word wins where words overlap.
        (FindingKind.SENSITIVE_WORD, "国家工商行政管理总局", 1, 11, "已更名为国家市场监督管理总局"),
        (FindingKind.SENSITIVE_WORD, "国土资源局", 13, 18, "已更名为自然资源局"),
    ]


def test_sensitive_words_ignore_latin_case_and_width() -> None:
    scanner = SecrecyScanner(sensitive_words=[("WeChat群", "请使用规范表述“微信群”")])
    text = "请加入ｗｅｃｈａｔ群和wechat群"
    findings = scanner.scan_text(text, field="正文")
    assert [(finding.match, finding.detail) for finding in findings] == [
        ("ｗｅｃｈａｔ群", "请使用规范表述“微信群”"),
        ("wechat群", "请使用规范表述“微信群”"),
    ]


def test_duplicate_and_blank_dictionary_rows() -> None:
    rows: list[str | tuple[str, str]] = ["副市长", ("副市长", "已调任"), "  ", ("", "空"), ("局长", None)]  # type: ignore[list-item]
    scanner = SecrecyScanner(sensitive_words=rows)
    assert scanner.sensitive_word_count == 2
    (finding,) = scanner.scan_text("王副市长出席", field="正文")
    assert finding.detail == "已调任"


def test_no_dictionary_no_sensitive_words(scanner: SecrecyScanner) -> None:
    assert scanner.scan_text("国土资源局", field="正文") == []


def test_automaton_finds_exactly_what_a_naive_search_finds() -> None:
    # A two-letter alphabet produces many overlapping and nested words, which
    # exercises every failure link of the automaton.
    rng = random.Random(7)
    for _ in range(50):
        words = {"".join(rng.choice("ab") for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 12))}
        text = "".join(rng.choice("abc") for _ in range(rng.randint(0, 60)))
        expected = {
            (start, start + len(word))
            for word in words
            for start in range(len(text) - len(word) + 1)
            if text.startswith(word, start)
        }
        assert set(_WordAutomaton(words).find_all(text)) == expected


def test_large_dictionary() -> None:
    rng = random.Random(11)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鹏飞鑫波宁斌浩凯辉建志文海燕晓东"
    unique = {rng.choice(surnames) + rng.choice(given) + rng.choice(given) for _ in range(9000)}
    words = sorted(unique)[:5000]
    assert len(words) == 5000
    scanner = SecrecyScanner(sensitive_words=[(word, "领导姓名有误") for word in words])
    target = words[1234]
    text = "会议由" + target + "主持。" * 3
    hits = only(scanner.scan_text(text, field="正文"), FindingKind.SENSITIVE_WORD)
    assert [(finding.match, finding.start) for finding in hits] == [(target, 3)]


# ---------------------------------------------------------------------------
# Offsets, excerpts and fields
# ---------------------------------------------------------------------------


def test_excerpt_is_twenty_characters_either_side_with_newlines_collapsed(scanner: SecrecyScanner) -> None:
    text = "甲" * 30 + "\n联系人：王某，\r\n电话13812345678\n\n地址：" + "乙" * 30
    (finding,) = scanner.scan_text(text, field="正文")
    assert text[finding.start : finding.end] == "13812345678"
    assert finding.start == 30 + 1 + 7 + 2 + 2
    assert finding.excerpt == "…" + "甲" * 8 + " 联系人：王某， 电话13812345678 地址：" + "乙" * 15 + "…"


def test_excerpt_at_text_edges_has_no_ellipsis(scanner: SecrecyScanner) -> None:
    (finding,) = scanner.scan_text("机密★1年", field="正文")
    assert finding.excerpt == "机密★1年"


def test_scan_fields_keeps_field_labels_and_offsets(scanner: SecrecyScanner) -> None:
    findings = scanner.scan_fields(
        [
            ("标题", "关于印发实施方案的通知"),
            ("正文", "联系人手机13812345678"),
            ("正文块 2（段落）", "内部资料"),
        ]
    )
    assert [(finding.field, finding.kind, finding.start) for finding in findings] == [
        ("正文", FindingKind.MOBILE, 5),
        ("正文块 2（段落）", FindingKind.INTERNAL, 0),
    ]


def test_findings_are_ordered_by_position(scanner: SecrecyScanner) -> None:
    text = f"内部资料\n卡号{CARD_16}\n身份证{VALID_ID}\n手机13812345678\n机密★"
    findings = scanner.scan_text(text, field="正文")
    assert kinds(findings) == [
        FindingKind.INTERNAL,
        FindingKind.BANK_CARD,
        FindingKind.ID_NUMBER,
        FindingKind.MOBILE,
        FindingKind.MARKING,
    ]
    assert [finding.start for finding in findings] == sorted(finding.start for finding in findings)


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def _pdf_bytes(lines_per_page: list[list[str]]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for lines in lines_per_page:
        canvas.setFont("STSong-Light", 12)
        for number, line in enumerate(lines):
            canvas.drawString(72, 770 - 20 * number, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "内部资料 注意保存"
    document.add_paragraph("关于做好资金拨付工作的通知")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "联系人"
    table.cell(0, 1).text = "手机"
    table.cell(1, 0).text = "王某"
    table.cell(1, 1).text = "13812345678"
    document.add_paragraph(f"收款账号：{CARD_19_GROUPED}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "名单"
    first.append(["姓名", "手机", "备注"])
    first.append(["王某", 13812345678, None])
    second = workbook.create_sheet("补助")
    second.append(["身份证号", "银行卡号"])
    second.append([VALID_ID, CARD_16])
    second.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return _pdf_bytes(
        [
            ["珠海市财政局关于拨付补助资金的通知", "各区财政局："],
            ["补助资金拨付至收款账号", f"{CARD_19_GROUPED}，请核对。"],
        ]
    )


def test_pdf_text_is_extracted(pdf_bytes: bytes) -> None:
    text = extract_document_text(name="通知.pdf", data=pdf_bytes)
    assert "珠海市财政局关于拨付补助资金的通知" in text
    assert CARD_19_GROUPED in text


def test_bank_card_found_inside_pdf(scanner: SecrecyScanner, pdf_bytes: bytes) -> None:
    findings = scanner.scan_document(name="通知.PDF", data=pdf_bytes, field="附件：通知.pdf")
    assert [(finding.kind, finding.match, finding.field) for finding in findings] == [
        (FindingKind.BANK_CARD, CARD_19_GROUPED, "附件：通知.pdf")
    ]
    text = extract_document_text(name="通知.pdf", data=pdf_bytes)
    assert text[findings[0].start : findings[0].end] == CARD_19_GROUPED


def test_docx_paragraphs_tables_and_headers(scanner: SecrecyScanner) -> None:
    data = _docx_bytes()
    text = extract_document_text(name="通知.docx", data=data)
    assert "关于做好资金拨付工作的通知" in text
    assert "13812345678" in text
    findings = scanner.scan_document(name="通知.docx", data=data, field="附件")
    assert sorted((finding.kind, finding.match) for finding in findings) == sorted(
        [
            (FindingKind.INTERNAL, "内部资料"),
            (FindingKind.INTERNAL, "注意保存"),
            (FindingKind.MOBILE, "13812345678"),
            (FindingKind.BANK_CARD, CARD_19_GROUPED),
        ]
    )


def test_docx_tracked_deletions_are_scanned(scanner: SecrecyScanner) -> None:
    import docx
    from docx.oxml.parser import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("通知正文")
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    deletion = parse_xml(f'<w:del {namespace} w:id="1" w:author="张三"><w:r><w:delText>机密★1年</w:delText></w:r></w:del>')
    paragraph._p.append(deletion)
    buffer = io.BytesIO()
    document.save(buffer)
    findings = scanner.scan_document(name="通知.docx", data=buffer.getvalue(), field="附件")
    assert [(finding.kind, finding.match) for finding in findings] == [(FindingKind.MARKING, "机密★1年")]


def test_docx_text_boxes_are_read_once_and_tab_stops_ignored(scanner: SecrecyScanner) -> None:
    import docx
    from docx.oxml.parser import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("正文")
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    )
    text_box = "<w:txbxContent><w:p><w:r><w:t>内部资料</w:t></w:r></w:p></w:txbxContent>"
    # Word writes a text box twice: DrawingML in mc:Choice, VML in mc:Fallback.
    paragraph._p.append(
        parse_xml(
            f'<w:r {namespaces}><mc:AlternateContent><mc:Choice Requires="wps">{text_box}</mc:Choice>'
            f"<mc:Fallback>{text_box}</mc:Fallback></mc:AlternateContent></w:r>"
        )
    )
    tabbed = document.add_paragraph("甲")
    tabbed._p.insert(0, parse_xml(f'<w:pPr {namespaces}><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'))
    tabbed._p.append(parse_xml(f"<w:r {namespaces}><w:tab/><w:t>乙</w:t></w:r>"))
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    # The body comes first; the document properties ("python-docx" as author) follow it.
    assert extract_document_text(name="文本框.docx", data=data).splitlines()[:3] == ["正文", "内部资料", "甲\t乙"]
    findings = scanner.scan_document(name="文本框.docx", data=data, field="附件")
    assert [(finding.kind, finding.match) for finding in findings] == [(FindingKind.INTERNAL, "内部资料")]


def test_xlsx_all_sheets_and_numeric_cells(scanner: SecrecyScanner) -> None:
    data = _xlsx_bytes()
    text = extract_document_text(name="名单.xlsx", data=data)
    assert "名单" in text and "补助" in text
    findings = scanner.scan_document(name="名单.xlsx", data=data, field="附件")
    assert sorted((finding.kind, finding.match) for finding in findings) == sorted(
        [
            (FindingKind.MOBILE, "13812345678"),
            (FindingKind.ID_NUMBER, VALID_ID),
            (FindingKind.BANK_CARD, CARD_16),
        ]
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("说明.txt", "联系电话13812345678".encode()),
        ("说明.txt", "\ufeff联系电话13812345678".encode()),
        ("说明.csv", "姓名,电话\n王某,13812345678".encode("gb18030")),
        ("说明.md", "联系电话13812345678".encode("utf-16")),
        ("说明.html", "<p>联系电话13812345678</p>".encode()),
    ],
)
def test_text_files_are_decoded(scanner: SecrecyScanner, name: str, data: bytes) -> None:
    text = extract_document_text(name=name, data=data)
    assert "联系电话" in text or "王某" in text
    findings = scanner.scan_document(name=name, data=data, field="附件")
    assert [(finding.kind, finding.match) for finding in findings] == [(FindingKind.MOBILE, "13812345678")]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("照片.jpg", "不支持的附件格式（.jpg）"),
        ("README", "无扩展名"),
        ("旧文件.doc", "另存为 .docx"),
        ("旧表格.xls", "另存为 .xlsx"),
    ],
)
def test_unsupported_formats(name: str, fragment: str) -> None:
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name=name, data=b"whatever")
    message = str(caught.value)
    assert f"《{name}》" in message
    assert fragment in message
    assert caught.value.name == name
    assert isinstance(caught.value, ValueError)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _corrupt_members(data: bytes) -> bytes:
    # A structurally valid zip whose XML parts are garbage.
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            target.writestr(item, b"<not xml" if item.filename.endswith(".xml") else payload)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("坏.pdf", lambda: b"%PDF-1.7\nthis is not a pdf"),
        ("空.pdf", lambda: b""),
        ("坏.docx", lambda: b"PK\x03\x04 definitely not a zip"),
        ("截断.docx", lambda: _truncated(_docx_bytes())),
        ("坏部件.docx", lambda: _corrupt_members(_docx_bytes())),
        ("其实是表格.docx", _xlsx_bytes),
        ("坏.xlsx", lambda: b"not a zip at all"),
        ("截断.xlsx", lambda: _truncated(_xlsx_bytes())),
        ("坏部件.xlsx", lambda: _corrupt_members(_xlsx_bytes())),
        ("乱码.txt", lambda: b"\x80abc"),  # neither UTF-8 nor GB18030
    ],
)
def test_corrupt_documents_raise_unsupported(name: str, make: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL)  # pypdf logs what it tried to recover
    assert callable(make)
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name=name, data=make())
    assert f"《{name}》" in str(caught.value)
    assert caught.value.reason


def test_pdf_without_text_is_not_passed_silently() -> None:
    # A scanned PDF has pages but no text layer; treat it as unreadable.
    blank = _pdf_bytes([[]])
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name="扫描件.pdf", data=blank)
    assert "扫描件" in caught.value.reason


def test_password_protected_pdf(pdf_bytes: bytes) -> None:
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes)))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    # Owner password only (printing restrictions): readable, so it is scanned.
    assert CARD_19_GROUPED in extract_document_text(name="限制.pdf", data=encrypted(""))
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name="加密.pdf", data=encrypted("secret"))
    assert "密码" in caught.value.reason


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_zip_bomb_office_file_goes_to_a_person(suffix: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # 300 MB of zeros compress to a few hundred kilobytes.
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    with pytest.raises(UnsupportedDocument, match="超出自动审查的限度"):
        extract_document_text(name=f"附件{suffix}", data=buffer.getvalue())
