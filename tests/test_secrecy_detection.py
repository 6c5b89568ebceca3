"""Detection of the 保密审查 scanner beyond the basics of test_secrecy_scanner.py:
labelled ID numbers with a wrong check digit, the built-in markings and how the
information centre's dictionary (敏感词库) adds to them. Pure Python, no database.
"""

from __future__ import annotations

import pytest

from moderation.secrecy import FINDING_LABELS, PERSONAL_KINDS, Finding, FindingKind, SecrecyScanner, is_valid_resident_id

VALID_ID = "11010519491231002X"
WRONG_CHECK_DIGIT = "110105194912310021"
IMPOSSIBLE_DATE = "440402194902300016"


@pytest.fixture(scope="module")
def scanner() -> SecrecyScanner:
    return SecrecyScanner()


def pairs(findings: list[Finding]) -> list[tuple[FindingKind, str]]:
    return [(finding.kind, finding.match) for finding in findings]


# --- 疑似居民身份证号 ---------------------------------------------------------------


def test_suspected_id_has_its_own_label_and_is_masked() -> None:
    assert FINDING_LABELS[FindingKind.SUSPECTED_ID_NUMBER] == "疑似居民身份证号"
    assert FindingKind.SUSPECTED_ID_NUMBER in PERSONAL_KINDS


@pytest.mark.parametrize(
    "label",
    [
        "身份证",
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "居民身份证号码",
        "身份证件号码",
        "证件号码",
        "证件号",
    ],
)
@pytest.mark.parametrize("separator", ["", "：", ":", " ", "： ", "为", "是"])
def test_labelled_id_with_wrong_check_digit_is_suspected(scanner: SecrecyScanner, label: str, separator: str) -> None:
    assert not is_valid_resident_id(WRONG_CHECK_DIGIT)
    text = f"申请人{label}{separator}{WRONG_CHECK_DIGIT}，住址略。"
    findings = scanner.scan_text(text, field="正文")
    assert pairs(findings) == [(FindingKind.SUSPECTED_ID_NUMBER, WRONG_CHECK_DIGIT)]
    (finding,) = findings
    assert text[finding.start : finding.end] == WRONG_CHECK_DIGIT
    assert "校验" in finding.detail
    stored = finding.as_dict()
    assert stored["label"] == "疑似居民身份证号"
    assert WRONG_CHECK_DIGIT not in str(stored)
    assert stored["match"] == WRONG_CHECK_DIGIT[:4] + "*" * 10 + WRONG_CHECK_DIGIT[-4:]


@pytest.mark.parametrize(
    "number",
    [IMPOSSIBLE_DATE, "110105 19491231 0021", "１１０１０５１９４９１２３１００２１", "11010519491231002x".replace("x", "9")],
)
def test_labelled_id_shapes_are_suspected(scanner: SecrecyScanner, number: str) -> None:
    findings = scanner.scan_text(f"身份证号码：{number}", field="正文")
    assert pairs(findings) == [(FindingKind.SUSPECTED_ID_NUMBER, number)]


def test_labelled_valid_id_is_reported_once_as_an_id(scanner: SecrecyScanner) -> None:
    assert pairs(scanner.scan_text(f"公民身份号码：{VALID_ID}", field="正文")) == [(FindingKind.ID_NUMBER, VALID_ID)]


@pytest.mark.parametrize(
    "text",
    [
        f"号码{WRONG_CHECK_DIGIT}",  # no label: a wrong check digit is not an ID number
        f"订单号{WRONG_CHECK_DIGIT}",
        f"身份证号{WRONG_CHECK_DIGIT}7",  # nineteen digits are not an ID number
        "身份证号码：请填写18位号码",
        f"身份证号已核验，流水号{WRONG_CHECK_DIGIT}",
    ],
)
def test_unlabelled_or_malformed_numbers_are_not_suspected(scanner: SecrecyScanner, text: str) -> None:
    assert FindingKind.SUSPECTED_ID_NUMBER not in [finding.kind for finding in scanner.scan_text(text, field="正文")]


def test_labelled_fifteen_digit_id_is_suspected(scanner: SecrecyScanner) -> None:
    # The 15-digit numbers issued before 1999 have no check digit; after a label they are still personal data.
    findings = scanner.scan_text("身份证号：110105491231002，", field="正文")
    assert pairs(findings) == [(FindingKind.SUSPECTED_ID_NUMBER, "110105491231002")]


# --- built-in markings -------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["此件不公开", "内部参考", "请勿外传", "涉密"])
def test_built_in_internal_phrases(scanner: SecrecyScanner, phrase: str) -> None:
    text = f"附注：{phrase}。"
    (finding,) = scanner.scan_text(text, field="正文")
    assert finding.kind == FindingKind.INTERNAL
    assert (finding.start, finding.end, finding.match) == (3, 3 + len(phrase), phrase)


@pytest.mark.parametrize("text", ["内部资料 注意保管", "内部资料注意保管", "内部资料　注意保管", "内部资料  注意保管"])
def test_internal_material_keep_safe_is_one_finding(scanner: SecrecyScanner, text: str) -> None:
    assert pairs(scanner.scan_text(text, field="页眉")) == [(FindingKind.INTERNAL, text)]


@pytest.mark.parametrize("level", ["秘密", "机密", "绝密"])
def test_level_with_star_is_a_marking_anywhere(scanner: SecrecyScanner, level: str) -> None:
    text = f"本通知{level}★，请勿转发。"
    markings = [finding for finding in scanner.scan_text(text, field="正文") if finding.kind == FindingKind.MARKING]
    assert [(finding.match, finding.detail) for finding in markings] == [(f"{level}★", f"密级：{level}")]


@pytest.mark.parametrize("text", ["本文件为非涉密文件。", "该系统不涉密。", "注意保管好个人财物。"])
def test_negated_or_ordinary_phrases_are_not_flagged(scanner: SecrecyScanner, text: str) -> None:
    assert scanner.scan_text(text, field="正文") == []


# --- the dictionary adds to the built-in list ----------------------------------------


def test_dictionary_words_are_found_beside_the_built_in_phrases() -> None:
    scanner = SecrecyScanner(sensitive_words=[("工作秘密", "属工作秘密，不得公开"), ("国土资源局", "已更名为自然资源局")])
    text = "此件不公开。涉及工作秘密，由原国土资源局办理。"
    assert [(f.kind, f.match, f.detail) for f in scanner.scan_text(text, field="正文")] == [
        (FindingKind.INTERNAL, "此件不公开", ""),
        (FindingKind.SENSITIVE_WORD, "工作秘密", "属工作秘密，不得公开"),
        (FindingKind.SENSITIVE_WORD, "国土资源局", "已更名为自然资源局"),
    ]


def test_dictionary_word_equal_to_a_built_in_phrase_is_reported_once_with_its_note() -> None:
    scanner = SecrecyScanner(sensitive_words=[("内部参考", "按保密办通知不得上网")])
    (finding,) = scanner.scan_text("内部参考", field="标题")
    assert (finding.kind, finding.match, finding.detail) == (FindingKind.INTERNAL, "内部参考", "按保密办通知不得上网")


def test_dictionary_word_with_a_space_matches_with_and_without_it() -> None:
    scanner = SecrecyScanner(sensitive_words=[("请勿 转发", "")])
    findings = scanner.scan_text("请勿转发；请勿 转发；请勿　转发", field="正文")
    assert [finding.match for finding in findings] == ["请勿转发", "请勿 转发", "请勿　转发"]


def test_excerpts_mask_neighbouring_numbers_written_with_hyphens(scanner: SecrecyScanner) -> None:
    text = f"身份证号：{WRONG_CHECK_DIGIT}，手机138-1234-5678。"
    stored = [finding.as_dict() for finding in scanner.scan_text(text, field="正文")]
    assert [f["label"] for f in stored] == ["疑似居民身份证号", "手机号码"]
    for finding in stored:
        assert "138-1234-5678" not in str(finding) and WRONG_CHECK_DIGIT not in str(finding)
        assert "138-****-5678" in finding["excerpt"]
