"""Attachments the 保密审查 must read completely (every part of a .docx that is
published with it) and may not be made to read forever (a crafted .xlsx).
Pure Python, no database.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest

from moderation.secrecy import FindingKind, SecrecyScanner, UnsupportedDocument, extract_document_text
from moderation.secrecy import extract as secrecy_documents
from moderation.secrecy.spreadsheet import SpreadsheetLimits

SECRET = "机密★1年"


@pytest.fixture(scope="module")
def scanner() -> SecrecyScanner:
    return SecrecyScanner()


def markings(scanner: SecrecyScanner, *, name: str, data: bytes) -> list[str]:
    return [f.match for f in scanner.scan_document(name=name, data=data, field="附件") if f.kind == FindingKind.MARKING]


# --- DOCX -------------------------------------------------------------------------


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _plain_document():
    import docx

    document = docx.Document()
    document.add_paragraph("关于做好防汛工作的通知")
    return document


def _with_alt_chunk(*, content_type: str, partname: str, blob: bytes) -> bytes:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml.ns import nsdecls
    from docx.oxml.parser import parse_xml

    document = _plain_document()
    part = Part(PackURI(partname), content_type, blob, document.part.package)
    rid = document.part.relate_to(part, RT.A_F_CHUNK)
    body = document.element.body
    # Word puts w:altChunk where the imported content goes; w:sectPr stays last.
    body.insert(len(body) - 1, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rid}"/>'))
    return _saved(document)


def _nested_docx() -> bytes:
    import docx

    inner = docx.Document()
    inner.add_paragraph(f"附件：{SECRET}")
    return _saved(inner)


ALT_CHUNKS: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    "html": ("text/html", "/word/afchunk1.htm", lambda: f"<html><body><p>{SECRET}</p></body></html>".encode()),
    "xhtml": ("application/xhtml+xml", "/word/afchunk2.xhtml", lambda: f"<html><body><p>{SECRET}</p></body></html>".encode()),
    "gbk html": (
        "text/html",
        "/word/afchunk3.htm",
        lambda: f'<html><head><meta charset="gb2312"></head><body><p>{SECRET}</p></body></html>'.encode("gb18030"),
    ),
    "plain text": ("text/plain", "/word/afchunk4.txt", lambda: SECRET.encode()),
    "rtf": (
        "application/rtf",
        "/word/afchunk5.rtf",
        # Word writes Chinese in RTF as \uN? escapes, and ★ (U+2605) too.
        lambda: rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0 SimSun;}}\f0 \u26426?\u23494?\u9733?1\u24180?\par}",
    ),
    "rtf hex": ("text/rtf", "/word/afchunk6.rtf", lambda: rb"{\rtf1\ansi\ansicpg936 \'bb\'fa\'c3\'dc*1\'c4\'ea\par}"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "/word/afchunk7.docx", _nested_docx),
    "mht": (
        "message/rfc822",
        "/word/afchunk8.mht",
        lambda: (
            'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
            'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + __import__("base64").b64encode(f"<p>{SECRET}</p>".encode()).decode()
            + "\r\n--b--\r\n"
        ).encode(),
    ),
}


@pytest.mark.parametrize("kind", list(ALT_CHUNKS))
def test_secret_only_in_an_alt_chunk_is_found(scanner: SecrecyScanner, kind: str) -> None:
    content_type, partname, make = ALT_CHUNKS[kind]
    data = _with_alt_chunk(content_type=content_type, partname=partname, blob=make())
    found = markings(scanner, name="通知.docx", data=data)
    assert len(found) == 1 and found[0].startswith("机密") and found[0].endswith("1年"), found
    assert "关于做好防汛工作的通知" in extract_document_text(name="通知.docx", data=data)


def test_alt_chunk_of_an_unknown_type_goes_to_a_person() -> None:
    data = _with_alt_chunk(content_type="application/x-unknown", partname="/word/afchunk1.bin", blob=b"\x00\x01")
    with pytest.raises(UnsupportedDocument, match="嵌入"):
        extract_document_text(name="通知.docx", data=data)


def test_docx_nested_in_itself_does_not_recurse_forever() -> None:
    data = _nested_docx()
    for index in range(6):
        data = _with_alt_chunk(
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            partname=f"/word/afchunk{index}.docx",
            blob=data,
        )
    with pytest.raises(UnsupportedDocument, match="嵌套"):
        extract_document_text(name="套娃.docx", data=data)


def test_secret_only_in_a_header(scanner: SecrecyScanner) -> None:
    document = _plain_document()
    document.sections[0].header.paragraphs[0].text = SECRET
    assert markings(scanner, name="通知.docx", data=_saved(document)) == [SECRET]


def test_secret_only_in_a_first_page_footer(scanner: SecrecyScanner) -> None:
    document = _plain_document()
    document.sections[0].different_first_page_header_footer = True
    document.sections[0].first_page_footer.paragraphs[0].text = SECRET
    assert markings(scanner, name="通知.docx", data=_saved(document)) == [SECRET]


def test_secret_only_in_a_comment(scanner: SecrecyScanner) -> None:
    document = _plain_document()
    paragraph = document.paragraphs[0]
    document.add_comment(paragraph.runs, text=f"请注意：{SECRET}", author="张三", initials="ZS")
    assert markings(scanner, name="通知.docx", data=_saved(document)) == [SECRET]


@pytest.mark.parametrize("attribute", ["title", "subject", "keywords", "comments", "category", "author"])
def test_secret_only_in_core_properties(scanner: SecrecyScanner, attribute: str) -> None:
    document = _plain_document()
    setattr(document.core_properties, attribute, SECRET)
    assert markings(scanner, name="通知.docx", data=_saved(document)) == [SECRET]


def _with_part(data: bytes, *, name: str, xml: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, xml)
    return buffer.getvalue()


def test_secret_only_in_app_and_custom_properties(scanner: SecrecyScanner) -> None:
    base = _saved(_plain_document())
    app = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Company>内部资料</Company><Manager>王某</Manager></Properties>"
    )
    found = scanner.scan_document(name="通知.docx", data=_with_part(base, name="docProps/app.xml", xml=app), field="附件")
    assert [(f.kind, f.match) for f in found] == [(FindingKind.INTERNAL, "内部资料")]
    custom = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="密级"><vt:lpwstr>秘密</vt:lpwstr></property>'
        "</Properties>"
    )
    found = scanner.scan_document(name="通知.docx", data=_with_part(base, name="docProps/custom.xml", xml=custom), field="附件")
    assert [(f.kind, f.detail) for f in found] == [(FindingKind.MARKING, "密级：秘密")]


def test_properties_of_a_workbook_are_read_too(scanner: SecrecyScanner) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["名单"])
    workbook.properties.title = SECRET
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert markings(scanner, name="名单.xlsx", data=buffer.getvalue()) == [SECRET]


# --- XLSX caps -----------------------------------------------------------------------


def crafted_xlsx(*, dimension: str | None, rows: str) -> bytes:
    """A minimal workbook written by hand: one sheet, the given <dimension> and rows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="责任分解表" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        declared = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{declared}<sheetData>{rows}</sheetData></worksheet>',
        )
    return buffer.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def measured(call: Callable[[], object]) -> tuple[float, int, object]:
    """Seconds, peak traced bytes and the result (or the exception raised) of ``call``."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: object = call()
    except (UnsupportedDocument, ValueError) as exc:
        result = exc
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, result


HUGE = "A1:XFD1048576"


def test_workbook_declaring_the_whole_sheet_is_refused_at_once() -> None:
    # openpyxl pads every row to the declared width and yields every missing row up to the last one:
    # 1,048,576 rows of 16,384 cells, minutes of CPU for 1.5 KB.
    rows = f'<row r="1">{inline("A1", "内部资料")}</row><row r="1048576">{inline("A1048576", "x")}</row>'
    data = crafted_xlsx(dimension=HUGE, rows=rows)
    assert len(data) < 2048
    elapsed, peak, result = measured(lambda: extract_document_text(name="名单.xlsx", data=data))
    assert elapsed < 2 and peak < 100 * 1024 * 1024, (elapsed, peak)
    assert isinstance(result, UnsupportedDocument), result
    assert HUGE in result.reason and "责任分解表" in result.reason and "人工审查" in result.reason


def test_far_away_cells_without_a_declared_dimension_are_read_cheaply(scanner: SecrecyScanner) -> None:
    rows = f'<row r="1">{inline("A1", "内部资料")}</row><row r="1048576">{inline("XFD1048576", "13812345678")}</row>'
    data = crafted_xlsx(dimension=None, rows=rows)
    elapsed, peak, result = measured(lambda: scanner.scan_document(name="名单.xlsx", data=data, field="附件"))
    assert elapsed < 2 and peak < 100 * 1024 * 1024, (elapsed, peak)
    assert isinstance(result, list)
    assert sorted(f.kind for f in result) == sorted([FindingKind.INTERNAL, FindingKind.MOBILE])


def test_too_many_cells_go_to_a_person(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrecy_documents, "XLSX_LIMITS", SpreadsheetLimits(max_cells=100))
    rows = "".join(f'<row r="{n}">{inline(f"A{n}", "x")}{inline(f"B{n}", "y")}</row>' for n in range(1, 60))
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name="名单.xlsx", data=crafted_xlsx(dimension="A1:B59", rows=rows))
    assert "100" in caught.value.reason and "单元格" in caught.value.reason and "人工审查" in caught.value.reason


def test_too_much_time_goes_to_a_person(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrecy_documents, "XLSX_LIMITS", SpreadsheetLimits(max_seconds=0.0))
    rows = "".join(f'<row r="{n}">{inline(f"A{n}", "x")}</row>' for n in range(1, 3000))
    with pytest.raises(UnsupportedDocument) as caught:
        extract_document_text(name="名单.xlsx", data=crafted_xlsx(dimension="A1:A2999", rows=rows))
    assert "秒" in caught.value.reason


def test_cells_of_every_kind_are_read() -> None:
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>内部</t></r><r><t>资料</t></r></is></c>'
        '<c r="B1"><v>13812345678</v></c><c r="C1" t="str"><f>A1</f><v>公式结果</v></c>'
        '<c r="D1" t="b"><v>1</v></c><c r="E1"><v>1.5</v></c><c r="F1"><v>6.228480012345671E15</v></c></row>'
    )
    text = extract_document_text(name="名单.xlsx", data=crafted_xlsx(dimension="A1:F1", rows=rows))
    assert text.splitlines() == ["责任分解表", "内部资料\t13812345678\t公式结果\tTRUE\t1.5\t6228480012345671"]


def test_a_word_document_renamed_to_xlsx_is_not_an_empty_workbook() -> None:
    data = _saved(_plain_document())
    with pytest.raises(UnsupportedDocument, match="不是 Excel 工作簿"):
        extract_document_text(name="名单.xlsx", data=data)


def test_an_oversized_alt_chunk_goes_to_a_person(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrecy_documents, "MAX_ALT_CHUNK_BYTES", 1024)
    data = _with_alt_chunk(content_type="text/html", partname="/word/afchunk1.htm", blob=b"<p>x</p>" * 200)
    with pytest.raises(UnsupportedDocument, match="人工审查"):
        extract_document_text(name="通知.docx", data=data)
