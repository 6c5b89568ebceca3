"""Monthly maintenance report of the site cluster: an XLSX workbook and a PDF.

The information centre sends these to the units and to the 政务公开领导小组
every month.  ``figures`` holds what the report says (collected by
``oversight.selectors.monthly_report``), ``xlsx`` and ``pdf`` write it.

Pure Python (openpyxl + reportlab, no Django).
"""

from .figures import (
    CLAUSE_INTERACTION,
    CLAUSE_MAINTENANCE,
    CLAUSE_UNREACHABLE,
    Article11Case,
    InteractionRow,
    MonthlyReport,
    UnitMonthlyFigures,
    report_title,
)
from .pdf import build_monthly_pdf
from .xlsx import build_monthly_xlsx

__all__ = [
    "CLAUSE_INTERACTION",
    "CLAUSE_MAINTENANCE",
    "CLAUSE_UNREACHABLE",
    "Article11Case",
    "InteractionRow",
    "MonthlyReport",
    "UnitMonthlyFigures",
    "build_monthly_pdf",
    "build_monthly_xlsx",
    "report_title",
]
