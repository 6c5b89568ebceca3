"""Plain text of markup the 保密审查 reads: HTML (rich text, HTML attachments and
the HTML chunks of a .docx) and RTF (the RTF chunks of a .docx).

What matters for the scanner is what a reader sees: entities decoded
(``&#26426;&#23494;`` is 机密), block elements on lines of their own (a 密级 alone
on its line is a marking), alternative text of images included.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "rtf_to_text"]

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul", "title",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
# Never rendered as text.
_SKIPPED_TAGS = frozenset({"script", "style", "template"})
# Attributes a reader sees (alternative text, tooltips).
_TEXT_ATTRIBUTES = ("alt", "title")
_BLANK_LINES = re.compile(r"[ \t]*\n(?:[ \t]*\n)+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append("\t")
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value and value.strip():
                self.parts.append(f"\n{value.strip()}\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED_TAGS:
            self._skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """What a browser shows of ``html`` as text, one block per line."""
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _BLANK_LINES.sub("\n", "".join(collector.parts)).strip()


# --- RTF -----------------------------------------------------------------------------

_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?[0-9]{1,10})? ?"  # control word with optional parameter
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the document's code page
    rb"|\\([^a-zA-Z])"  # control symbol
    rb"|([{}])"
    rb"|[\r\n]+"
    rb"|([^\\{}\r\n]+)"
)
# Destinations that hold no text a reader sees.
_RTF_SKIPPED = frozenset(
    {
        "fonttbl", "colortbl", "stylesheet", "listtable", "listoverridetable", "pict", "themedata",
        "colorschememapping", "datastore", "latentstyles", "xmlnstbl", "rsidtbl", "generator", "mmathPr",
        "object", "objdata", "fldinst", "bkmkstart", "bkmkend", "filetbl", "revtbl", "pgdsctbl", "wgrffmtfilter",
    }
)  # fmt: skip
_RTF_BREAKS = {"par": "\n", "line": "\n", "row": "\n", "sect": "\n", "page": "\n", "cell": "\t", "tab": "\t"}
_RTF_SYMBOLS = {b"~": "\u00a0", b"_": "-", b"-": "", b"\\": "\\", b"{": "{", b"}": "}"}


def rtf_to_text(data: bytes) -> str:
    """Text of an RTF document: \\uN escapes, \\'hh bytes in its \\ansicpg code page, skipped destinations."""
    encoding = "cp1252"
    out: list[str] = []
    pending = bytearray()  # bytes of the code page, decoded together (GBK needs two)
    # Per group: (skipped, characters to drop after a \uN escape).
    stack: list[tuple[bool, int]] = []
    skipped, unicode_skip = False, 1
    drop = 0  # fallback characters still to drop after the last \uN
    group_start = False

    def flush() -> None:
        if pending:
            out.append(bytes(pending).decode(encoding, errors="replace"))
            pending.clear()

    for match in _RTF_TOKEN.finditer(data):
        word, parameter, hex_byte, symbol, brace, text = match.groups()
        if word is None and hex_byte is None and symbol is None and brace is None and text is None:
            continue  # line breaks in RTF source are not text
        starting, group_start = group_start, False
        if brace == b"{":
            stack.append((skipped, unicode_skip))
            group_start = True
        elif brace == b"}":
            flush()
            skipped, unicode_skip = stack.pop() if stack else (False, 1)
            drop = 0
        elif word is not None:
            name = word.decode("ascii")
            if starting and name in _RTF_SKIPPED:
                skipped = True
            if name == "ansicpg" and parameter:
                candidate = f"cp{int(parameter)}"
                try:
                    codecs.lookup(candidate)
                except LookupError:
                    pass
                else:
                    encoding = "gb18030" if candidate == "cp936" else candidate
            elif name == "uc" and parameter:
                unicode_skip = max(0, int(parameter))
            elif skipped:
                continue
            elif name == "u" and parameter:
                flush()
                code = int(parameter)
                out.append(chr(code + 65536 if code < 0 else code) if -32768 <= code <= 65535 else "")
                drop = unicode_skip
            elif name in _RTF_BREAKS:
                flush()
                out.append(_RTF_BREAKS[name])
        elif symbol is not None:
            if symbol == b"*" and starting:
                skipped = True
            elif not skipped and symbol in _RTF_SYMBOLS:
                flush()
                out.append(_RTF_SYMBOLS[symbol])
        elif hex_byte is not None:
            if skipped:
                continue
            if drop:
                drop -= 1
                continue
            pending.append(int(hex_byte, 16))
        elif text is not None and not skipped:
            if drop:
                dropped = min(drop, len(text))
                text, drop = text[dropped:], drop - dropped
            pending.extend(text)
    flush()
    return _BLANK_LINES.sub("\n", "".join(out)).strip()
