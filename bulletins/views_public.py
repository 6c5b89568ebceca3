"""The portal's pages of 通报: the list, one 通报 with the unit answers, and its PDF as approved."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import selectors


def bulletin_list(request):
    page = Paginator(selectors.published_bulletins(), 20).get_page(request.GET.get("page"))
    return render(request, "bulletins/portal/list.html", {"page_obj": page})


def bulletin_detail(request, bulletin_id: int):
    bulletin = selectors.published_bulletin(bulletin_id=bulletin_id)
    if bulletin is None:
        raise Http404("该通报不存在或尚未发布")
    return render(
        request,
        "bulletins/portal/detail.html",
        {"bulletin": bulletin, "cases": selectors.bulletin_cases(bulletin=bulletin)},
    )


def bulletin_pdf(request, bulletin_id: int):
    bulletin = selectors.published_bulletin(bulletin_id=bulletin_id)
    if bulletin is None or not bulletin.pdf:
        raise Http404("该通报不存在或尚未发布")
    response = HttpResponse(bytes(bulletin.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tongbao-{bulletin.pk}.pdf"'
    return response
