"""Benchmark of the 保密审查 scanner on a realistic 50-page government document.

Run from the repository root:

    .venv/bin/python -m bench.secrecy

Generates the same document as PDF (reportlab, built-in CID font STSong-Light),
DOCX and XLSX, plants a few findings, and times extraction + scanning with a
5,000-word sensitive-word dictionary (median of 5 runs each). As a baseline it
times a naive scan (one ``str.find`` loop per dictionary word) over the same
text. The last line printed is a single JSON object.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import statistics
import time
from collections.abc import Callable

from moderation.secrecy import (
    Finding,
    FindingKind,
    SecrecyScanner,
    extract_document_text,
    is_valid_resident_id,
    luhn_valid,
)

PAGES = 50
LINES_PER_PAGE = 38
FONT_NAME = "STSong-Light"
FONT_SIZE = 11
LINE_HEIGHT = 18
LEFT_MARGIN = 72
TOP = 842 - 72  # A4 height in points minus the top margin
LINE_WIDTH = 40 * FONT_SIZE  # 40 Chinese characters ≈ 1,500 characters a page
DICTIONARY_SIZE = 5000
RUNS = 5
SEED = 20240601

# ---------------------------------------------------------------------------
# Planted findings. Check digits are computed, not hard-coded, so the planted
# numbers are guaranteed to be what the detectors look for.
# ---------------------------------------------------------------------------


def _with_id_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=False))
    return first17 + "10X98765432"[total % 11]


def _with_luhn_check_digit(payload: str) -> str:
    for check in "0123456789":
        if luhn_valid(payload + check):
            return payload + check
    raise AssertionError("unreachable: one of ten check digits always passes")


PLANTED_MARKING = "机密★1年"
PLANTED_ID = _with_id_check_digit("44040219850315123")
_CARD = _with_luhn_check_digit("622202040012345678")
PLANTED_CARD = " ".join(_CARD[i : i + 4] for i in range(0, len(_CARD), 4))
PLANTED_MOBILE = "139 2345 6781"
PLANTED_WORDS = {
    "国家工商行政管理总局": "已更名为国家市场监督管理总局",
    "市国土资源局": "已更名为市自然资源局",
}
assert is_valid_resident_id(PLANTED_ID)

# ---------------------------------------------------------------------------
# Document text
# ---------------------------------------------------------------------------

DISTRICTS = ["香洲区", "金湾区", "斗门区", "横琴新区", "高新区", "高栏港经济区", "万山海洋开发试验区"]
DEPARTMENTS = [
    "市发展和改革局", "市教育局", "市科技创新局", "市工业和信息化局", "市公安局", "市民政局",
    "市司法局", "市财政局", "市人力资源和社会保障局", "市自然资源局", "市生态环境局",
    "市住房和城乡建设局", "市交通运输局", "市水务局", "市农业农村局", "市商务局",
    "市文化广电旅游体育局", "市卫生健康局", "市应急管理局", "市市场监督管理局", "市政务服务数据管理局",
]  # fmt: skip
TOPICS = [
    "政务公开", "营商环境", "安全生产", "城市更新", "乡村振兴", "社会保障", "生态环境保护",
    "数字政府建设", "公共卫生", "防灾减灾", "交通基础设施", "教育事业", "科技创新", "民生实事",
]  # fmt: skip
HEADINGS = [
    "总体要求", "指导思想", "基本原则", "主要目标", "重点任务", "保障措施", "组织实施",
    "工作安排", "责任分工", "监督检查", "宣传引导", "经费保障",
]  # fmt: skip
SENTENCES = [
    "各{district}、各部门要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大精神，"
    "紧紧围绕{topic}工作目标，进一步压实工作责任，确保各项任务落到实处。",
    "{department}要会同有关单位，加快完善{topic}工作制度体系，建立健全工作台账，定期开展分析研判，"
    "及时协调解决工作推进中遇到的困难和问题。",
    "到{year}年底，全市{topic}工作取得明显成效，重点领域改革持续深化，群众满意度达到{percent}%以上，"
    "形成一批可复制、可推广的经验做法。",
    "坚持问题导向和目标导向相结合，聚焦人民群众急难愁盼问题，以{topic}为切入点，"
    "推动政策措施直达基层、直接惠及市场主体和人民群众。",
    "{department}牵头负责，{district}人民政府配合，按照职责分工抓好贯彻落实，"
    "每季度末向市人民政府报送工作进展情况。",
    "强化督促检查，将{topic}工作纳入年度绩效考核内容，对工作推进不力、群众反映强烈的单位，"
    "依法依规予以通报批评并督促整改。",
    "全年共安排财政资金{amount}亿元，支持实施项目{count}个，带动社会投资约{amount2}亿元，"
    "项目建设进度总体符合预期。",
    "加强政策解读和舆论引导，通过政府网站、政务新媒体、新闻发布会等多种渠道，"
    "及时准确发布{topic}相关信息，积极回应社会关切。",
    "完善信息公开工作机制，严格落实公开属性源头认定制度，对拟公开的政府信息依法依规做好保密审查，"
    "确保不泄露国家秘密、工作秘密和个人隐私。",
    "推进政务服务“一网通办”，实现{count}项高频事项“掌上办”“就近办”，"
    "企业群众办事平均跑动次数减少到{small}次以内。",
    "健全风险防控机制，全面排查{topic}领域风险隐患，建立问题清单、责任清单和整改清单，"
    "实行销号管理，确保风险隐患动态清零。",
    "加强队伍建设，定期组织业务培训，提升工作人员依法行政能力和服务水平，"
    "全年累计培训{count}人次。",
    "市民可通过12345政务服务便民热线或政府网站“我要咨询”栏目反映意见建议，"
    "相关部门应当在{small}个工作日内予以答复。",
    "统筹发展和安全，持续优化{topic}工作格局，推动形成党委领导、政府负责、部门协同、"
    "社会参与、公众监督的工作体系。",
]  # fmt: skip
PLANTED_SENTENCES = {
    8: f"项目联系人：李工，联系电话：{PLANTED_MOBILE}，办公电话：0756-2212345。",
    20: f"经核实，申请人身份证号码为{PLANTED_ID}，相关材料已按规定归档。",
    33: f"补助资金拨付至收款账号{PLANTED_CARD}，开户行为中国工商银行珠海分行。",
    41: "原国家工商行政管理总局印发的有关文件同时废止。",
    46: "市国土资源局负责做好用地保障工作。",
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def _paragraphs(rng: random.Random) -> list[str]:
    """An endless-enough supply of paragraphs in the style of an 实施方案."""
    paragraphs = [PLANTED_MARKING, "珠海市人民政府关于进一步做好政务公开和政务服务工作的实施方案"]
    section = 0
    index = 0
    while len(paragraphs) < 400:
        if index % 6 == 0:
            heading = HEADINGS[section % len(HEADINGS)]
            paragraphs.append(f"{CHINESE_NUMERALS[section % 10]}、{heading}")
            section += 1
        sentences = []
        for _ in range(rng.randint(3, 5)):
            template = rng.choice(SENTENCES)
            sentences.append(
                template.format(
                    district=rng.choice(DISTRICTS),
                    department=rng.choice(DEPARTMENTS),
                    topic=rng.choice(TOPICS),
                    year=rng.randint(2024, 2027),
                    percent=rng.randint(85, 98),
                    amount=f"{rng.randint(1, 40)}.{rng.randint(1, 9)}",
                    amount2=rng.randint(10, 300),
                    count=rng.randint(20, 900),
                    small=rng.randint(2, 5),
                )
            )
        if index in PLANTED_SENTENCES:
            sentences.insert(1, PLANTED_SENTENCES[index])
        paragraphs.append("（" + CHINESE_NUMERALS[index % 10] + "）" + "".join(sentences))
        index += 1
    return paragraphs


def register_font() -> None:
    """Registers the built-in Adobe CID font; no font file is needed, which keeps
    the benchmark runnable on servers without CJK fonts installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT_NAME))


def _layout(paragraphs: list[str]) -> tuple[list[list[str]], list[str]]:
    """Wraps paragraphs into 50 pages of lines; returns the pages and the
    paragraphs that were (at least partly) laid out."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_font()
    # Planted values must not be split across lines, or no detector (and no
    # human reader) would see them as one number.
    unbreakable = [PLANTED_ID, PLANTED_CARD, PLANTED_MOBILE, *PLANTED_WORDS]
    lines: list[str] = []
    used: list[str] = []
    for paragraph in paragraphs:
        used.append(paragraph)
        units: list[str] = []
        rest = "　　" + paragraph if paragraph != PLANTED_MARKING else paragraph
        while rest:
            token = next((value for value in unbreakable if rest.startswith(value)), rest[0])
            units.append(token)
            rest = rest[len(token) :]
        current = ""
        for unit in units:
            if stringWidth(current + unit, FONT_NAME, FONT_SIZE) > LINE_WIDTH:
                lines.append(current)
                current = ""
            current += unit
        lines.append(current)
        if len(lines) >= PAGES * LINES_PER_PAGE:
            break
    lines = lines[: PAGES * LINES_PER_PAGE]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    return pages, used


def build_pdf(pages: list[list[str]]) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595.27, 841.89))
    for page_number, lines in enumerate(pages, start=1):
        canvas.setFont(FONT_NAME, FONT_SIZE)
        for line_number, line in enumerate(lines):
            canvas.drawString(LEFT_MARGIN, TOP - line_number * LINE_HEIGHT, line)
        canvas.setFont(FONT_NAME, 9)
        canvas.drawCentredString(297, 40, f"— {page_number} —")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def build_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    # A contact table, as attached to most 实施方案.
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("责任单位", "联系人", "办公电话"), strict=False):
        cell.text = text
    for department in DEPARTMENTS:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = department, "综合科", "0756-2212345"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_xlsx(paragraphs: list[str]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "工作任务清单"
    sheet.append(["序号", "任务内容", "责任单位", "完成时限"])
    rng = random.Random(SEED + 1)
    for number, paragraph in enumerate(paragraphs, start=1):
        sheet.append([number, paragraph, rng.choice(DEPARTMENTS), f"{rng.randint(2024, 2026)}年{rng.randint(1, 12)}月"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Dictionary
# ---------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鹏飞鑫波宁斌浩凯辉建国志文海燕晓东琳颖婷雪琦嘉豪俊"
OLD_TITLES = [
    ("国土资源局", "已更名为自然资源局"), ("环境保护局", "已更名为生态环境局"), ("工商行政管理局", "已更名为市场监督管理局"),
    ("食品药品监督管理局", "已并入市场监督管理局"), ("安全生产监督管理局", "已更名为应急管理局"),
    ("卫生和计划生育局", "已更名为卫生健康局"), ("农业局", "已更名为农业农村局"), ("文化广电新闻出版局", "已重组为文化广电旅游体育局"),
    ("城乡规划局", "已并入自然资源局"), ("质量技术监督局", "已并入市场监督管理局"), ("旅游局", "已重组为文化广电旅游体育局"),
]  # fmt: skip
CITIES = ["广州市", "深圳市", "佛山市", "东莞市", "中山市", "江门市", "惠州市", "肇庆市", "汕头市", "湛江市", "茂名市", "韶关市"]


def build_dictionary(text: str, size: int = DICTIONARY_SIZE) -> list[tuple[str, str]]:
    """Misspelt names and outdated agency titles, as the information centre's
    table holds them. Entries that happen to occur in the generated text are
    dropped so the expected findings are exactly the planted ones."""
    rng = random.Random(SEED + 2)
    entries: dict[str, str] = dict(PLANTED_WORDS)
    for city in CITIES:
        for title, note in OLD_TITLES:
            entries.setdefault(city + title, note)
    while len(entries) < size:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        if name not in text:
            entries.setdefault(name, "领导姓名有误，请核对")
    return list(entries.items())


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


class Timing:
    """Median wall-clock and CPU seconds of repeated runs. CPU time is kept
    because wall-clock time on a shared machine mostly measures the neighbours."""

    def __init__(self, action: Callable[[], object], runs: int = RUNS) -> None:
        walls: list[float] = []
        cpus: list[float] = []
        self.result: object = None
        for _ in range(runs):
            wall_started, cpu_started = time.perf_counter(), time.process_time()
            self.result = action()
            cpus.append(time.process_time() - cpu_started)
            walls.append(time.perf_counter() - wall_started)
        self.wall = statistics.median(walls)
        self.cpu = statistics.median(cpus)


def naive_scan(text: str, words: list[str]) -> list[tuple[int, int]]:
    hits = []
    for word in words:
        index = text.find(word)
        while index != -1:
            hits.append((index, index + len(word)))
            index = text.find(word, index + 1)
    return hits


def _strip_whitespace(text: str) -> str:
    return "".join(text.split())


def main() -> None:
    # pypdf logs recoverable oddities as warnings; they would clutter the table.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages, paragraphs = _layout(_paragraphs(random.Random(SEED)))
    source_text = "\n".join("\n".join(lines) for lines in pages)
    pdf_bytes = build_pdf(pages)
    docx_bytes = build_docx(paragraphs)
    xlsx_bytes = build_xlsx(paragraphs)

    dictionary = build_dictionary(source_text)
    words = [word for word, _ in dictionary]
    started = time.perf_counter()
    scanner = SecrecyScanner(sensitive_words=dictionary)
    build_s = time.perf_counter() - started

    pdf_text = extract_document_text(name="实施方案.pdf", data=pdf_bytes)
    # Page footers ("— 1 —") are in the PDF but not in the laid-out lines.
    body_only = _strip_whitespace(pdf_text)
    for page_number in range(1, len(pages) + 1):
        body_only = body_only.replace(f"—{page_number}—", "", 1)
    pdf_text_intact = body_only == _strip_whitespace(source_text)

    pdf = Timing(lambda: scanner.scan_document(name="实施方案.pdf", data=pdf_bytes, field="附件"))
    pdf_extract = Timing(lambda: extract_document_text(name="实施方案.pdf", data=pdf_bytes))
    docx = Timing(lambda: scanner.scan_document(name="实施方案.docx", data=docx_bytes, field="附件"))
    xlsx = Timing(lambda: scanner.scan_document(name="任务清单.xlsx", data=xlsx_bytes, field="附件"))
    scan = Timing(lambda: scanner.scan_text(pdf_text, field="附件"))
    naive = Timing(lambda: naive_scan(pdf_text, words))
    pdf_findings, docx_findings, xlsx_findings = pdf.result, docx.result, xlsx.result
    assert isinstance(pdf_findings, list) and isinstance(docx_findings, list) and isinstance(xlsx_findings, list)
    planted = {
        FindingKind.MARKING: PLANTED_MARKING,
        FindingKind.ID_NUMBER: PLANTED_ID,
        FindingKind.BANK_CARD: PLANTED_CARD,
        FindingKind.MOBILE: PLANTED_MOBILE,
    }

    def all_planted_found(findings: list[Finding]) -> bool:
        seen = {(finding.kind, finding.match) for finding in findings}
        kinds_ok = all((kind, value) in seen for kind, value in planted.items())
        words_ok = all((FindingKind.SENSITIVE_WORD, word) in seen for word in PLANTED_WORDS)
        return kinds_ok and words_ok

    chars = len(pdf_text)
    rows = [
        ("页数", str(len(pages))),
        ("PDF 提取文字数", f"{chars:,}"),
        ("PDF 文字提取完整（STSong-Light）", "是" if pdf_text_intact else "否"),
        ("敏感词词库", f"{scanner.sensitive_word_count:,} 条"),
        ("构建扫描器", f"{build_s * 1000:8.1f} ms"),
        ("PDF 提取 + 扫描", f"{pdf.wall * 1000:8.1f} ms  (CPU {pdf.cpu * 1000:6.1f} ms)"),
        ("其中 PDF 文字提取（pypdf）", f"{pdf_extract.wall * 1000:8.1f} ms  (CPU {pdf_extract.cpu * 1000:6.1f} ms)"),
        ("DOCX 提取 + 扫描", f"{docx.wall * 1000:8.1f} ms  (CPU {docx.cpu * 1000:6.1f} ms)"),
        ("XLSX 提取 + 扫描", f"{xlsx.wall * 1000:8.1f} ms  (CPU {xlsx.cpu * 1000:6.1f} ms)"),
        ("仅扫描（全部规则）", f"{scan.wall * 1000:8.1f} ms  (CPU {scan.cpu * 1000:6.1f} ms)"),
        ("朴素逐词 find 扫描（仅敏感词）", f"{naive.wall * 1000:8.1f} ms  (CPU {naive.cpu * 1000:6.1f} ms)"),
        ("朴素 / 本扫描器", f"{naive.wall / scan.wall:8.1f} ×"),
        ("系统负载（1 分钟）", f"{os.getloadavg()[0]:8.2f} / {os.cpu_count()} 核"),
        ("PDF 发现问题数", str(len(pdf_findings))),
        ("预置问题全部检出（PDF/DOCX/XLSX）", "/".join("是" if all_planted_found(f) else "否" for f in (pdf_findings, docx_findings, xlsx_findings))),
    ]  # fmt: skip
    print(f"保密审查扫描器基准测试（{RUNS} 次取中位数；括号内为进程 CPU 时间）")
    for label, value in rows:
        print(f"  {label}：{value}")
    print("PDF 中发现的问题：")
    for finding in pdf_findings:
        print(f"  [{finding.label}] {finding.match}  {finding.detail}")

    summary = {
        "pages": len(pages),
        "chars": chars,
        "dictionary_words": scanner.sensitive_word_count,
        "pdf_bytes": len(pdf_bytes),
        "pdf_text_intact": pdf_text_intact,
        "scanner_build_s": round(build_s, 4),
        "pdf_extract_scan_s": round(pdf.wall, 4),
        "pdf_extract_scan_cpu_s": round(pdf.cpu, 4),
        "pdf_extract_only_s": round(pdf_extract.wall, 4),
        "docx_extract_scan_s": round(docx.wall, 4),
        "xlsx_extract_scan_s": round(xlsx.wall, 4),
        "scan_only_s": round(scan.wall, 4),
        "naive_scan_s": round(naive.wall, 4),
        "ratio_vs_naive": round(naive.wall / scan.wall, 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "findings": len(pdf_findings),
        "planted_found": all(all_planted_found(f) for f in (pdf_findings, docx_findings, xlsx_findings)),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
