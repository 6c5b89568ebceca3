"""The portal's 转载信息: harvested items by section, each with its source and a link to the original."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from . import selectors

PER_PAGE = 20
INDEX_LIMIT = 5
MAX_PAGE_PARAM = 12


def index(request):
    return render(request, "harvest/portal/index.html", {"blocks": selectors.section_blocks(limit=INDEX_LIMIT)})


def section(request, slug: str):
    found = selectors.section_by_slug(slug=slug)
    if found is None:
        raise Http404("没有该栏目")
    # get_page answers a bad number (letters, a NUL byte, too large) with the first or last page.
    page = Paginator(selectors.shown_items(section=found), PER_PAGE).get_page(request.GET.get("page", "")[:MAX_PAGE_PARAM])
    return render(request, "harvest/portal/section.html", {"section": found, "page_obj": page})
