"""Public pages of the 年度报表: a unit's published reports on its own site, every unit's on the portal."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from tenants.context import current_unit

from . import selectors


def _site_page() -> dict:
    """The page the unit site's base template is drawn around: the site's home page."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first() or Site.objects.first()
    return {"page": site.root_page.specific} if site is not None else {}


def _report_context(report) -> dict:
    return {
        "report": report,
        "sections": selectors.sections(report=report) if report is not None else [],
        "deadline": selectors.deadline(report=report) if report is not None else None,
    }


def site_index(request):
    """The unit's latest published report, with the list of every published year."""
    unit = current_unit()
    reports = selectors.published_reports(unit=unit)
    latest = reports[0] if reports else None
    return render(
        request,
        "annualreport/site/report.html",
        {**_site_page(), **_report_context(latest), "unit": unit, "reports": reports},
    )


def site_year(request, year: int):
    unit = current_unit()
    report = selectors.published_report(unit=unit, year=year)
    if report is None:
        raise Http404("该年度的政府网站工作年度报表尚未发布")
    return render(
        request,
        "annualreport/site/report.html",
        {**_site_page(), **_report_context(report), "unit": unit, "reports": selectors.published_reports(unit=unit)},
    )


def portal_index(request):
    """Every year with published reports, newest first; each unit's report links to its own site."""
    return render(request, "annualreport/portal/index.html", {"years": selectors.portal_years(), "year": None})


def portal_year(request, year: int):
    return render(request, "annualreport/portal/index.html", {"years": selectors.portal_years(year=year), "year": year})
