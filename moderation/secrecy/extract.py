"""Plain text of the attachments the 保密审查 reads: PDF, DOCX, XLSX and text files.

An attachment that cannot be read completely must go to a person, it must
never pass the review silently: every failure here is an UnsupportedDocument
with a Chinese reason, and so is a file over the caps that keep one crafted
file from occupying a worker for minutes (zip bombs, absurd spreadsheet
dimensions, documents nested in documents).
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import struct
import zipfile
import zlib
from email.message import Message
from typing import TYPE_CHECKING

from .markup import html_to_text, rtf_to_text
from .spreadsheet import DEFAULT_LIMITS, SpreadsheetLimits, SpreadsheetTooLarge, SpreadsheetUnreadable, open_workbook

if TYPE_CHECKING:
    from docx.opc.part import Part
    from lxml.etree import _Element

__all__ = ["MAX_ALT_CHUNK_BYTES", "MAX_NESTED_DOCUMENTS", "XLSX_LIMITS", "UnsupportedDocument", "extract_document_text"]


class UnsupportedDocument(ValueError):
    """An attachment the scanner cannot read; it must be reviewed by a person."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"附件《{name}》无法进行保密审查：{reason}")


_TEXT_SUFFIXES = frozenset({".txt", ".csv", ".md"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_LEGACY_OFFICE_HINTS = {
    ".doc": "旧版 Word 格式（.doc）不受支持，请另存为 .docx 后重新上传",
    ".wps": "WPS 文字格式（.wps）不受支持，请另存为 .docx 后重新上传",
    ".xls": "旧版 Excel 格式（.xls）不受支持，请另存为 .xlsx 后重新上传",
    ".et": "WPS 表格格式（.et）不受支持，请另存为 .xlsx 后重新上传",
}
# What one .xlsx may cost the scanner (cells, declared range, text, time).
XLSX_LIMITS: SpreadsheetLimits = DEFAULT_LIMITS
# A .docx may carry other documents as altChunk parts, and those others again.
MAX_NESTED_DOCUMENTS = 3
# An embedded HTML, RTF or text chunk is parsed in Python: bounded, as a real one is some kilobytes.
MAX_ALT_CHUNK_BYTES = 16 * 1024 * 1024
_OVER_LIMIT = "超出自动审查的限度（可能是恶意构造的文件），请人工审查"


# What zipfile raises for damaged .docx/.xlsx containers: a bad central
# directory or CRC, a corrupt deflate stream, a truncated member, or header
# fields announcing features (versions, compression methods) it does not have.
_ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)

# Office files are zip archives. A crafted one that inflates to gigabytes
# would exhaust the worker's memory; a real 政务 attachment stays far below
# these bounds (a 300-page report is some tens of megabytes of XML).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def _refuse_zip_bomb(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except _ZIP_ERRORS:
        return  # the format's own reader reports the damage
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 10 * 1024 * 1024 and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)):
        raise UnsupportedDocument(
            name, f"文件解压后达 {unpacked // (1024 * 1024)} MB，超出自动审查的限度（可能是恶意构造的文件），请人工审查"
        )


def _error_name(exc: BaseException) -> str:
    # Shown to the editor next to the reason; "zlib.error" says more than "error".
    module = type(exc).__module__
    name = type(exc).__qualname__
    return name if module == "builtins" else f"{module.split('.')[0]}.{name}"


def _suffix(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    return "." + base.rsplit(".", 1)[-1].lower()


def extract_document_text(*, name: str, data: bytes) -> str:
    """Plain text of an attachment, for scanning.

    Raises UnsupportedDocument for formats the scanner cannot read and for
    damaged files: an attachment that cannot be read must go to a person, it
    must never pass the review silently.
    """
    suffix = _suffix(name)
    if suffix == ".pdf":
        return _extract_pdf(name, data)
    if suffix == ".docx":
        return _extract_docx(name, data, depth=0)
    if suffix == ".xlsx":
        return _extract_xlsx(name, data)
    if suffix in _HTML_SUFFIXES:
        # Entities (&#26426;&#23494; is 机密) and tags must not hide text from the patterns.
        return html_to_text(_decode_markup(name, data))
    if suffix in _TEXT_SUFFIXES:
        return _decode_text(name, data)
    if suffix in _LEGACY_OFFICE_HINTS:
        raise UnsupportedDocument(name, _LEGACY_OFFICE_HINTS[suffix])
    shown = suffix or "无扩展名"
    raise UnsupportedDocument(name, f"不支持的附件格式（{shown}），请人工审查")


def _extract_pdf(name: str, data: bytes) -> str:
    # Imported here so that text-only callers do not pay for loading pypdf.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only with an owner password (printing
            # restrictions) and open with an empty user password.
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise UnsupportedDocument(name, "PDF 已加密，服务器缺少解密组件，无法读取内容") from exc
            if not opened:
                raise UnsupportedDocument(name, "PDF 设置了打开密码，无法读取内容")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnsupportedDocument:
        raise
    # pypdf reports most damage as PyPdfError, but malformed objects and
    # streams surface as the builtin errors of the parsing code below it.
    except (
        PyPdfError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        NotImplementedError,  # stream filters pypdf does not implement
        zlib.error,
        struct.error,
    ) as exc:
        raise UnsupportedDocument(name, f"PDF 文件已损坏或无法解析（{_error_name(exc)}）") from exc
    if pages and not any(page.strip() for page in pages):
        # A scanned PDF yields no text; passing it would let a scanned
        # classified document through unchecked.
        raise UnsupportedDocument(name, "PDF 中没有可提取的文字（可能是扫描件或图片），请人工审查")
    return "\n".join(pages)


# --- DOCX ---------------------------------------------------------------------------

_ALT_CHUNK_KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "message/rfc822": "mht",
    "multipart/related": "mht",
    "application/x-mimearchive": "mht",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template": "docx",
    "application/vnd.ms-word.document.macroEnabled.12": "docx",
    "application/vnd.ms-word.template.macroEnabledTemplate": "docx",
}
_ALT_CHUNK_SUFFIXES = {
    ".htm": "html", ".html": "html", ".xhtml": "html", ".txt": "text", ".rtf": "rtf",
    ".mht": "mht", ".mhtml": "mht", ".docx": "docx", ".docm": "docx", ".dotx": "docx",
}  # fmt: skip


def _extract_docx(name: str, data: bytes, *, depth: int) -> str:
    import docx
    from docx.opc.constants import CONTENT_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.exceptions import OpcError
    from docx.opc.part import XmlPart
    from docx.oxml.parser import parse_xml
    from lxml.etree import XMLSyntaxError

    # Headers carry "内部资料 注意保存" more often than the body does; footnotes,
    # endnotes, comments and the glossary (building blocks) are shipped inside
    # the file and are published too.
    extra_types = (
        CONTENT_TYPE.WML_HEADER,
        CONTENT_TYPE.WML_FOOTER,
        CONTENT_TYPE.WML_FOOTNOTES,
        CONTENT_TYPE.WML_ENDNOTES,
        CONTENT_TYPE.WML_COMMENTS,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml",
    )
    _refuse_zip_bomb(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
        roots = [document.element]
        chunks: dict[str, Part] = {}
        for part in document.part.package.iter_parts():
            if part.content_type in extra_types:
                roots.append(part.element if isinstance(part, XmlPart) else parse_xml(part.blob))
            # altChunk: content Word imports when the file is opened (HTML, RTF,
            # text, another .docx), referenced from the body, headers or notes.
            for rel in part.rels.values():
                if rel.reltype == RT.A_F_CHUNK and not rel.is_external:
                    chunks[str(rel.target_part.partname)] = rel.target_part
        blocks = [text for root in roots if (text := _wordprocessing_text(root))]
        for chunk in chunks.values():
            if text := _alt_chunk_text(name, chunk, depth=depth):
                blocks.append(text)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            blocks += _office_properties_text(name, archive)
    except UnsupportedDocument:
        raise  # an embedded part that must go to a person; already says why
    except _ZIP_ERRORS + (OpcError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise UnsupportedDocument(name, f"Word 文档已损坏或不是有效的 .docx 文件（{_error_name(exc)}）") from exc
    return "\n".join(blocks)


def _alt_chunk_text(name: str, part: Part, *, depth: int) -> str:
    from docx.opc.part import XmlPart

    if isinstance(part, XmlPart):
        # WordprocessingML parts python-docx parsed itself (a chunk that is a document.xml).
        return _wordprocessing_text(part.element)
    content_type = (part.content_type or "").split(";", 1)[0].strip().lower()
    kind = _ALT_CHUNK_KINDS.get(content_type) or _ALT_CHUNK_SUFFIXES.get(_suffix(str(part.partname)))
    blob = part.blob
    if kind != "docx" and len(blob) > MAX_ALT_CHUNK_BYTES:
        raise UnsupportedDocument(name, f"文档中嵌入的内容达 {len(blob) // (1024 * 1024)} MB，{_OVER_LIMIT}")
    if kind == "html":
        return html_to_text(_decode_markup(name, blob))
    if kind == "text":
        return _decode_text(name, blob)
    if kind == "rtf":
        return rtf_to_text(blob)
    if kind == "mht":
        return _mime_archive_text(name, blob)
    if kind == "docx":
        if depth + 1 > MAX_NESTED_DOCUMENTS:
            raise UnsupportedDocument(name, f"文档中嵌套的文档超过 {MAX_NESTED_DOCUMENTS} 层，{_OVER_LIMIT}")
        return _extract_docx(name, blob, depth=depth + 1)
    raise UnsupportedDocument(name, f"文档中有无法读取的嵌入内容（{content_type or part.partname}），请人工审查")


def _mime_archive_text(name: str, blob: bytes) -> str:
    """Text of the HTML and text parts of a web archive (.mht), as Word saves it."""
    message = email.message_from_bytes(blob, policy=email.policy.default)
    texts: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type not in ("text/html", "text/plain"):
            continue
        text = _mime_part_text(name, part)
        texts.append(html_to_text(text) if content_type == "text/html" else text)
    return "\n".join(text for text in texts if text)


def _mime_part_text(name: str, part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(_codec_for(charset))
        except (LookupError, UnicodeDecodeError):
            pass
    return _decode_markup(name, payload)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _wordprocessing_text(root: _Element) -> str:
    """Text of every paragraph under ``root``: body paragraphs, table cells at any
    nesting depth and text boxes, in document order, one paragraph per line.

    Deleted text of tracked changes (w:delText) is included because it stays in
    the published file and opens in any word processor.
    """
    paragraph_tag = f"{_W}p"
    run_tag = f"{_W}r"
    text_tags = {f"{_W}t", f"{_W}delText"}
    break_tags = {f"{_W}br", f"{_W}cr"}
    # w:tab is also the name of a tab-stop definition in paragraph properties;
    # only a w:tab inside a run is a tab character.
    tab_tag = f"{_W}tab"
    # Text boxes are stored twice (DrawingML and a VML fallback); read one copy.
    skipped = {node for fallback in root.iter(_MC_FALLBACK) for node in fallback.iter()}
    lines: list[str] = []
    current: list[str] = []
    for element in root.iter(paragraph_tag, *text_tags, *break_tags, tab_tag):
        if skipped and element in skipped:
            continue
        tag = element.tag
        if tag == paragraph_tag:
            if current:
                lines.append("".join(current))
                current = []
        elif tag in text_tags:
            current.append(element.text or "")
        elif tag in break_tags:
            current.append("\n")
        elif element.getparent() is not None and element.getparent().tag == run_tag:
            current.append("\t")
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


# --- document properties ----------------------------------------------------------

_PROPERTY_RELATIONSHIPS = ("/core-properties", "/extended-properties", "/custom-properties")
_PROPERTY_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
# What the properties hold besides text: dates, counters, the writing program.
_SKIPPED_PROPERTIES = frozenset(
    {
        "created", "modified", "lastPrinted", "revision", "TotalTime", "Pages", "Words", "Characters", "Lines",
        "Paragraphs", "CharactersWithSpaces", "DocSecurity", "ScaleCrop", "LinksUpToDate", "SharedDoc",
        "HyperlinksChanged", "AppVersion", "Application", "Template", "HeadingPairs",
    }
)  # fmt: skip
MAX_PROPERTIES_BYTES = 4 * 1024 * 1024


def _local_name(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _office_properties_text(name: str, archive: zipfile.ZipFile) -> list[str]:
    """Title, subject, keywords, description, author, company, custom properties …

    Word and Excel show them under 文件 → 信息, and they travel with the
    published file. One value per line, so that a title "秘密" alone on its line
    is read as a marking.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    lines: list[str] = []
    for path in _property_paths(archive):
        if path not in archive.NameToInfo:
            continue
        if archive.getinfo(path).file_size > MAX_PROPERTIES_BYTES:
            raise UnsupportedDocument(name, f"文档属性部件 {path} 过大，{_OVER_LIMIT}")
        root = etree.fromstring(archive.read(path), parser)
        if path.endswith("custom.xml"):
            # <property name="密级"><vt:lpwstr>秘密</vt:lpwstr></property> reads "密级：秘密".
            for prop in root:
                value = "".join(prop.itertext()).strip()
                if value:
                    lines.append(f"{prop.get('name') or ''}：{value}")
        else:
            _property_values(root, lines)
    return lines


def _property_values(element: _Element, lines: list[str]) -> None:
    if _local_name(element.tag) in _SKIPPED_PROPERTIES:
        return
    if len(element) == 0:
        text = (element.text or "").strip()
        if text and not _is_counter(text):
            lines.append(text)
    for child in element:
        _property_values(child, lines)


def _property_paths(archive: zipfile.ZipFile) -> list[str]:
    from lxml import etree

    paths: list[str] = []
    if "_rels/.rels" in archive.NameToInfo:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        for rel in etree.fromstring(archive.read("_rels/.rels"), parser):
            rel_type = rel.get("Type") or ""
            if rel.get("TargetMode") != "External" and rel_type.endswith(_PROPERTY_RELATIONSHIPS):
                paths.append((rel.get("Target") or "").lstrip("/"))
    return list(dict.fromkeys(paths + list(_PROPERTY_PARTS)))


def _is_counter(text: str) -> bool:
    return text.isdigit() or text in ("true", "false")


# --- XLSX ---------------------------------------------------------------------------


def _extract_xlsx(name: str, data: bytes) -> str:
    from lxml.etree import XMLSyntaxError

    _refuse_zip_bomb(name, data)
    lines: list[str] = []
    try:
        with open_workbook(data=data, limits=XLSX_LIMITS) as workbook:
            # Hidden sheets are included on purpose: they are published as well.
            for sheet in workbook.sheets:
                lines.append(sheet.name)
                lines.extend("\t".join(text for _, text in cells) for _, cells in workbook.rows(sheet))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            lines += _office_properties_text(name, archive)
    except SpreadsheetTooLarge as exc:
        raise UnsupportedDocument(name, f"{exc.reason}，{_OVER_LIMIT}") from exc
    except SpreadsheetUnreadable as exc:
        raise UnsupportedDocument(name, f"Excel 文件已损坏或不是有效的 .xlsx 文件（{exc.reason}）") from exc
    except _ZIP_ERRORS + (XMLSyntaxError,) as exc:
        raise UnsupportedDocument(name, f"Excel 文件已损坏或不是有效的 .xlsx 文件（{_error_name(exc)}）") from exc
    return "\n".join(lines)


# --- text ---------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# GB2312 and GBK documents routinely use characters only their superset has.
_CHINESE_CODECS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030"}


def _codec_for(charset: str) -> str:
    return _CHINESE_CODECS.get(charset.lower(), charset)


def _decode_markup(name: str, data: bytes) -> str:
    """HTML bytes as text: byte-order mark, then the declared charset, then as a text file."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        declared = _META_CHARSET.search(data[:4096])
        if declared is not None:
            try:
                return data.decode(_codec_for(declared.group(1).decode("ascii")))
            except (LookupError, UnicodeDecodeError):
                pass
    return _decode_text(name, data)


def _decode_text(name: str, data: bytes) -> str:
    # Windows Notepad saves "Unicode" as UTF-16 with a byte-order mark.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        # Files exported from older Chinese Windows software are GBK/GB18030.
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedDocument(name, "无法识别文件的文字编码（支持 UTF-8、UTF-16 和 GB18030）")
