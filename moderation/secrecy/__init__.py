"""保密审查（secrecy review）: what must not be published, found before it is.

Pure Python on purpose: the scanner runs inside the publishing workflow, in
management commands, in the benchmark and (its spreadsheet reader) in the
责任分解表 import, so nothing here imports Django. The calling code
(moderation.page_fields) gathers the texts and attachments of a page and hands
them over as plain strings and bytes.

- scanner: markings, internal markings, personal data, dictionary words;
- documents: text of PDF, DOCX (with headers, notes, comments, altChunk parts
  and properties), XLSX and text attachments;
- spreadsheet: bounded XLSX reading, shared with columns.parsing;
- markup: HTML and RTF to text.

The caps are module constants of documents (XLSX_LIMITS, MAX_NESTED_DOCUMENTS,
MAX_UNPACKED_BYTES) and of spreadsheet (SpreadsheetLimits).
"""

from .documents import UnsupportedDocument, extract_document_text
from .markup import html_to_text, rtf_to_text
from .scanner import (
    BUILT_IN_INTERNAL_PHRASES,
    EXCERPT_RADIUS,
    FINDING_LABELS,
    PERSONAL_KINDS,
    Finding,
    FindingKind,
    SecrecyScanner,
    _WordAutomaton,  # noqa: F401  (for the tests of the automaton)
    is_valid_resident_id,
    luhn_valid,
    mask_personal_number,
    mask_personal_numbers,
)

__all__ = [
    "BUILT_IN_INTERNAL_PHRASES",
    "EXCERPT_RADIUS",
    "FINDING_LABELS",
    "PERSONAL_KINDS",
    "Finding",
    "FindingKind",
    "SecrecyScanner",
    "UnsupportedDocument",
    "extract_document_text",
    "html_to_text",
    "is_valid_resident_id",
    "luhn_valid",
    "mask_personal_number",
    "mask_personal_numbers",
    "rtf_to_text",
]
