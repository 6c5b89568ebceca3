"""Cells that leave the platform as CSV or XLSX.

Spreadsheet programs run a cell that starts with one of the formula triggers as a
formula (`=HYPERLINK(…)` in a page title becomes a link that runs on a click). A
leading apostrophe makes it text, as Excel itself does when a user types one; the
importer takes it off again. Django-free, so the table parser can use it too.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value
