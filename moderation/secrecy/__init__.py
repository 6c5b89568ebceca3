"""保密审查（secrecy review）: what must not be published, found before it is.

The engines are pure Python on purpose: the scanner runs inside the publishing
workflow, in management commands, in the benchmark and (its spreadsheet reader)
in the 责任分解表 import, so they import nothing of Django, and neither does this
package's __init__ (it re-exports only them):

- scanner: markings, internal markings, personal data, dictionary words;
- documents: text of PDF, DOCX (with headers, notes, comments, altChunk parts
  and properties), XLSX and text attachments;
- spreadsheet: bounded XLSX reading, shared with columns.table;
- markup: HTML and RTF to text.

The caps are module constants of documents (XLSX_LIMITS, MAX_NESTED_DOCUMENTS,
MAX_UNPACKED_BYTES) and of spreadsheet (SpreadsheetLimits).

The review in the workflow is Django code beside them, imported by its full path:

- page_fields: every text and attachment a visitor can read, derived from the models;
- selectors: the scanner for the current dictionary, a page's scan and fingerprint;
- models: scan records, written releases (人工放行), the dictionary (public schema);
- task: the 保密审查 step of the workflow; services: scans and releases;
- checks: the publish check; notifications, views, forms, viewsets (敏感词库).
"""

from .extract import UnsupportedDocument, extract_document_text
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
