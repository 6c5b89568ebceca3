"""Links in HTML pages: what a page links to, and the canonical form that identifies a link.

lxml parses what the server sent, decoded in Python (header charset, then
``<meta charset>``, then UTF-8) so Chinese pages that declare nothing do not
turn into Latin-1 mojibake.

Free of Django.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from .guard import DEFAULT_PORTS

__all__ = ["PLATFORM_MARK", "decode_html", "extract_links", "extract_marked_links", "looks_non_html", "normalize_url"]

MAX_LINK_TEXT = 200

# Paths with these extensions are downloads/assets: checked with HEAD, never parsed.
NON_HTML_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "wps",
        "et",
        "dps",
        "ofd",
        "rtf",
        "odt",
        "ods",
        "odp",
        "txt",
        "csv",
        "xml",
        "json",
        "zip",
        "rar",
        "7z",
        "gz",
        "tgz",
        "tar",
        "bz2",
        "xz",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "svg",
        "webp",
        "ico",
        "tif",
        "tiff",
        "mp3",
        "mp4",
        "wav",
        "avi",
        "wmv",
        "flv",
        "mov",
        "mkv",
        "m4a",
        "css",
        "js",
        "apk",
        "exe",
        "msi",
        "dmg",
        "iso",
    ]
)
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "ftp:", "file:")


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Canonical form used as the identity of a link.

    Lower-cases scheme and host, IDNA-encodes the host, drops the default port,
    the fragment and any user-info (credentials must never be sent by a crawler
    or end up in reports), and percent-encodes non-ASCII path/query characters
    the same way a browser would.  Returns ``None`` for non-HTTP(S) URLs and
    raises ``ValueError`` for malformed HTTP(S) URLs.
    """
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    host = parts.hostname
    if not host:
        raise ValueError(f"URL without host: {url!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError as exc:
        raise ValueError(f"bad host in {url!r}") from exc
    port = parts.port  # raises ValueError for out-of-range ports
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return urlunsplit((scheme, netloc, path, query, ""))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def decode_html(body: bytes, charset: str | None) -> str:
    """Decode with header charset, then <meta charset>, then UTF-8.

    Decoding in Python (rather than letting libxml2 guess) avoids Latin-1
    mojibake for Chinese pages that declare nothing.
    """
    candidates = [charset]
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    candidates.append("utf-8")
    for name in candidates:
        if not name:
            continue
        try:
            codec = codecs.lookup(name.strip().lower())
        except LookupError:
            continue
        # Sites labelled gb2312/gbk routinely contain GB18030-only characters.
        if codec.name in ("gb2312", "gbk"):
            codec = codecs.lookup("gb18030")
        return body.decode(codec.name, errors="replace")
    return body.decode("utf-8", errors="replace")


def _clean_text(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()[:MAX_LINK_TEXT]


# Marks the parts of a page that come from the platform's shared templates (header, footer),
# which the information centre maintains and no unit edits.
PLATFORM_MARK = "data-platform-template"


def extract_links(body: bytes, charset: str | None, page_url: str) -> list[tuple[str, str, str]]:
    """Return ``(raw_absolute_url, link_text, kind)`` for every checkable link.

    ``kind`` is ``"page"`` for <a>/<area> (may be crawled), ``"image"`` or
    ``"asset"`` otherwise.  URLs are joined with the page's <base href>.
    """
    return [(url, label, kind) for url, label, kind, _platform in extract_marked_links(body, charset, page_url)]


def extract_marked_links(body: bytes, charset: str | None, page_url: str) -> list[tuple[str, str, str, bool]]:
    """:func:`extract_links` with a fourth value: whether the link sits inside an element marked
    :data:`PLATFORM_MARK` (a platform-wide template, not the unit's content)."""
    text = _XML_DECL.sub("", decode_html(body, charset), count=1)
    if not text.strip():
        return []
    try:
        doc = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return []
    base_url = page_url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base_url = urljoin(page_url, base_el.get("href", "").strip())
    found: list[tuple[str, str, str, bool]] = []
    for el in doc.iter("a", "area", "img", "link", "script"):
        tag = el.tag
        if tag in ("a", "area"):
            ref, kind = el.get("href"), "page"
            label = _clean_text(el.text_content()) if tag == "a" else ""
            if not label:
                # Image links carry their meaning in the alt text.
                img = el.find(".//img[@alt]") if tag == "a" else None
                alt = img.get("alt") if img is not None else el.get("alt")
                label = _clean_text(alt or el.get("title"))
        elif tag == "img":
            ref, kind = el.get("src"), "image"
            label = _clean_text(el.get("alt") or el.get("title"))
        elif tag == "link":
            rel = (el.get("rel") or "").lower().split()
            if not ({"stylesheet", "icon"} & set(rel)):
                continue  # canonical/alternate/preconnect are hints, not resources
            ref, kind, label = el.get("href"), "asset", ""
        else:
            ref, kind, label = el.get("src"), "asset", ""
        if ref is None:
            continue
        ref = ref.strip()
        if not ref or ref.startswith("#") or ref.lower().startswith(SKIPPED_SCHEMES):
            continue
        platform = any(node.get(PLATFORM_MARK) is not None for node in (el, *el.iterancestors()))
        found.append((urljoin(base_url, ref), label, kind, platform))
    return found


def looks_non_html(url: str) -> bool:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1].lower() in NON_HTML_EXTENSIONS
