"""What a harvested source says: the items of an RSS/Atom feed or of an HTML list page.

Everything that leaves this module is plain text (HTML reduced to its text,
control characters removed, length capped), absolute http(s) URLs in the link
checker's canonical form (no fragment, no credentials), and aware datetimes.

Free of Django.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import feedparser
import lxml.etree
import lxml.html

from oversight.linkcheck.html import decode_html, normalize_url

from .css import SelectorError, select

__all__ = [
    "MAX_SUMMARY",
    "MAX_TITLE",
    "MAX_URL",
    "ListSelectors",
    "ParseError",
    "ParseResult",
    "ParsedItem",
    "content_hash",
    "html_to_text",
    "parse_date",
    "parse_feed",
    "parse_list_page",
    "plain_text",
    "url_key",
    "validate_date_format",
]

MAX_TITLE = 300
MAX_SUMMARY = 500
MAX_URL = 2000
# An HTML list page or feed with more entries than this is read only this far.
MAX_ITEMS = 200
SHANGHAI = ZoneInfo("Asia/Shanghai")

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# Dropped with their content: nothing a reader sees.
_INVISIBLE = ("script", "style", "noscript", "template", "head", "iframe", "object")
_BLOCKS = ("br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd")


class ParseError(ValueError):
    """The body is not what the source's kind says (message in Chinese, recorded on the run)."""


@dataclass(frozen=True)
class ParsedItem:
    title: str
    url: str
    published_at: datetime | None
    summary: str


@dataclass
class ParseResult:
    items: list[ParsedItem] = field(default_factory=list)
    # Entries left out, with a short reason each (no link, no title, a link that is not http(s) …).
    skipped: list[str] = field(default_factory=list)
    # Entries kept without a date because their date could not be read.
    undated: int = 0


@dataclass(frozen=True)
class ListSelectors:
    """How to read an HTML list page: CSS selectors (see :mod:`harvest.css`) and a date format."""

    item: str
    title: str = ""  # empty: the item element itself; its href, or its first <a>'s, is the link
    date: str = ""
    date_format: str = ""
    summary: str = ""


# --- text -----------------------------------------------------------------------


def plain_text(value: str | None, *, limit: int) -> str:
    """One line of text: control and format characters removed, whitespace collapsed, at most ``limit``."""
    if not value:
        return ""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in value)
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def _element_text(element) -> str:
    """The text a reader sees in ``element``: scripts, styles and comments left out, blocks apart."""
    clone = copy.deepcopy(element)
    clone.tail = None
    lxml.etree.strip_elements(clone, *_INVISIBLE, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    for block in clone.iter(*_BLOCKS):
        block.text = " " + (block.text or "")
        block.tail = " " + (block.tail or "")
    return "".join(clone.itertext())


def html_to_text(value: str | None, *, limit: int) -> str:
    """An HTML fragment (a feed's summary) reduced to plain text."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return plain_text(value, limit=limit)
    try:
        fragment = lxml.html.fragment_fromstring(_XML_DECL.sub("", value, count=1), create_parent="div")
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return plain_text(re.sub(r"<[^>]*>", " ", value), limit=limit)
    return plain_text(_element_text(fragment), limit=limit)


def content_hash(*, title: str, summary: str, published_at: datetime | None) -> str:
    """What identifies the same news under another address: its title and summary (and its day,
    when there is no summary, so a recurring title such as 国务院常务会议 is not merged)."""
    normalised_title = _WHITESPACE.sub("", unicodedata.normalize("NFKC", title)).lower()
    normalised_summary = _WHITESPACE.sub("", unicodedata.normalize("NFKC", summary)).lower()
    if not normalised_summary and published_at is not None:
        normalised_summary = published_at.astimezone(SHANGHAI).date().isoformat()
    return hashlib.sha256(f"{normalised_title}\n{normalised_summary}".encode()).hexdigest()


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _link(raw: str | None, base: str) -> str | None:
    """The canonical absolute http(s) URL of ``raw`` (None for javascript:, mailto: and bad links)."""
    if not raw or not raw.strip():
        return None
    try:
        url = normalize_url(raw.strip(), base=base)
    except ValueError:
        return None
    if url is None or len(url) > MAX_URL:
        return None
    return url


# --- dates ----------------------------------------------------------------------

_FORMAT_PARTS = {
    "%Y": r"\d{4}",
    "%m": r"\d{1,2}",
    "%d": r"\d{1,2}",
    "%H": r"\d{1,2}",
    "%M": r"\d{1,2}",
    "%S": r"\d{1,2}",
    "%y": r"\d{2}",
}
_AUTO_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)


def validate_date_format(date_format: str) -> None:
    """Raise ParseError unless ``date_format`` uses only %Y %m %d %H %M %S %y and literal text."""
    if not date_format:
        return
    if len(date_format) > 50:
        raise ParseError("日期格式过长（不超过 50 个字符）")
    codes = re.findall(r"%.", date_format)
    unknown = sorted({code for code in codes if code not in _FORMAT_PARTS and code != "%%"})
    if unknown:
        raise ParseError(f"日期格式只能使用 %Y %m %d %H %M %S %y，不支持：{'、'.join(unknown)}")
    if "%d" not in codes or "%m" not in codes or not ({"%Y", "%y"} & set(codes)):
        raise ParseError("日期格式须包含年（%Y 或 %y）、月（%m）和日（%d），例如 %Y-%m-%d 或 %Y年%m月%d日")


def _format_regex(date_format: str) -> re.Pattern[str]:
    pattern = []
    index = 0
    while index < len(date_format):
        chunk = date_format[index : index + 2]
        if chunk in _FORMAT_PARTS:
            pattern.append(_FORMAT_PARTS[chunk])
            index += 2
        elif chunk == "%%":
            pattern.append("%")
            index += 2
        else:
            char = date_format[index]
            pattern.append(r"\s+" if char.isspace() else re.escape(char))
            index += 1
    return re.compile("".join(pattern))


def parse_date(text: str, *, date_format: str = "", tz: tzinfo = SHANGHAI) -> datetime | None:
    """The date in ``text`` (a list page's date cell, which may say 发布时间：2026-11-20), in ``tz``.

    With ``date_format`` (strptime codes) that format is looked for; without it, a year-month-day
    written with - / . or 年月日 is.
    """
    text = plain_text(text, limit=200)
    if not text:
        return None
    if date_format:
        match = _format_regex(date_format).search(text)
        if match is None:
            return None
        try:
            value = datetime.strptime(match.group(0), date_format)
        except ValueError:
            return None
    else:
        auto = _AUTO_DATE.search(text)
        if auto is None:
            return None
        try:
            value = datetime(
                int(auto["y"]),
                int(auto["m"]),
                int(auto["d"]),
                int(auto["H"] or 0),
                int(auto["M"] or 0),
                int(auto["S"] or 0),
            )
        except ValueError:
            return None
    return value.replace(tzinfo=tz)


def _struct_to_datetime(value) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


# --- feeds ----------------------------------------------------------------------


def _entry_text(entry, key: str, *, limit: int) -> str:
    """An entry's title or summary as text: HTML reduced to text, a text/plain value taken as it is
    (a title that says <印发> must keep its words)."""
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    if detail.get("type") == "text/plain":
        return plain_text(value, limit=limit)
    return html_to_text(value, limit=limit)


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParseResult:
    """The entries of an RSS or Atom feed; raises ParseError when ``body`` is no feed at all."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A BytesIO, never the bytes themselves: feedparser opens a str or bytes that looks like a path or URL.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            raise ParseError(f"无法解析为 RSS/Atom：{type(reason).__name__}: {reason}"[:500] if reason else "无法解析为 RSS/Atom")
        if not parsed.get("version"):
            raise ParseError("内容不是 RSS 或 Atom 格式")
    result = ParseResult()
    for entry in entries[:MAX_ITEMS]:
        title = _entry_text(entry, "title", limit=MAX_TITLE)
        link = _link(entry.get("link"), url)
        if not title:
            result.skipped.append("条目缺少标题")
            continue
        if link is None:
            result.skipped.append(f"「{title[:40]}」缺少有效的 http(s) 链接")
            continue
        published = _struct_to_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
        if published is None and (entry.get("published") or entry.get("updated")):
            result.undated += 1
        summary = _entry_text(entry, "summary", limit=MAX_SUMMARY)
        if not summary and entry.get("content"):
            summary = html_to_text(entry["content"][0].get("value", ""), limit=MAX_SUMMARY)
        result.items.append(ParsedItem(title=title, url=link, published_at=published, summary=summary))
    return result


# --- HTML list pages ------------------------------------------------------------


def _document(body: bytes, charset: str | None):
    text = _XML_DECL.sub("", decode_html(body, charset), count=1)
    if not text.strip():
        raise ParseError("页面内容为空")
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"无法解析 HTML 页面：{exc}"[:500]) from exc


def _first(element, selector: str):
    if not selector:
        return element
    found = select(element, selector)
    return found[0] if found else None


def _href(element) -> str | None:
    if element.tag == "a" and element.get("href"):
        return element.get("href")
    for anchor in element.iter("a"):
        if anchor.get("href"):
            return anchor.get("href")
    return None


def parse_list_page(body: bytes, *, url: str, charset: str | None, selectors: ListSelectors) -> ParseResult:
    """The items of an HTML list page read with CSS selectors; raises ParseError (also for a selector
    that matches nothing, which usually means the site was redesigned)."""
    doc = _document(body, charset)
    base = url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = _link(base_el.get("href"), url) or url
    try:
        elements = select(doc, selectors.item, include_self=True)
    except (SelectorError, lxml.etree.XPathError) as exc:
        raise ParseError(str(exc)) from exc
    if not elements:
        raise ParseError(f"条目选择器「{selectors.item}」在页面上没有匹配到任何条目（网站可能已改版）")
    result = ParseResult()
    for element in elements[:MAX_ITEMS]:
        try:
            title_el = _first(element, selectors.title)
            date_el = _first(element, selectors.date) if selectors.date else None
            summary_el = _first(element, selectors.summary) if selectors.summary else None
        except (SelectorError, lxml.etree.XPathError) as exc:
            raise ParseError(str(exc)) from exc
        if title_el is None:
            result.skipped.append("条目中没有匹配标题选择器的元素")
            continue
        title = plain_text(title_el.get("title") or _element_text(title_el), limit=MAX_TITLE)
        link = _link(_href(title_el), base)
        if not title:
            result.skipped.append("条目缺少标题")
            continue
        if link is None:
            result.skipped.append(f"「{title[:40]}」缺少有效的 http(s) 链接")
            continue
        published = None
        if date_el is not None:
            published = parse_date(_element_text(date_el), date_format=selectors.date_format)
            if published is None and date_el.get("datetime"):
                published = parse_date(date_el.get("datetime", ""))
            if published is None:
                result.undated += 1
        summary = plain_text(_element_text(summary_el), limit=MAX_SUMMARY) if summary_el is not None else ""
        result.items.append(ParsedItem(title=title, url=link, published_at=published, summary=summary))
    return result
