"""Portal pages of the published results (第九条：考核结果将向社会公开): by year, by unit, and the PDF 通报."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import selectors
from .reports import build_results_pdf, bulletin_title
from .results import points_text


def index(request):
    return render(request, "assessment/portal/index.html", {"years": selectors.published_years()})


def _published(year: int):
    round_ = selectors.published_round(year=year)
    if round_ is None:
        raise Http404("该年度的考评结果尚未公布")
    return round_


def year(request, year: int):
    round_ = _published(year)
    results = selectors.year_results(round_)
    return render(
        request,
        "assessment/portal/year.html",
        {"results": results, "bulletin_title": bulletin_title(results), "years": selectors.published_years()},
    )


def unit(request, year: int, code: str):
    round_ = _published(year)
    assessment = selectors.unit_assessment(round_=round_, code=code)
    if assessment is None:
        raise Http404("该单位不在本年度考评中")
    return render(
        request,
        "assessment/portal/unit.html",
        {
            "year": year,
            "assessment": assessment,
            "rows": selectors.breakdown(assessment),
            "total": points_text(float(assessment.total)),
        },
    )


def bulletin_pdf(request, year: int):
    round_ = _published(year)
    response = HttpResponse(
        build_results_pdf(selectors.year_results(round_, generated_at=round_.published_at)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="kaohe-{year}.pdf"'
    return response
