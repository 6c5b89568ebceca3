from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from search.documents import page_type_labels
from search.selectors import latest_documents, parse_search, search_documents
from tenants.hosts import unit_base_url
from tenants.selectors import directory_units

from .api import api

HOME_SECTIONS = (("珠海动态", "news"), ("公告公示", "notice"), ("政府文件", "policy_document"))
FACETS = (
    ("unit", "unit", "单位"),
    ("type", "type", "信息类型"),
    ("category", "category", "政务公开类别"),
    ("year", "year", "年份"),
)
SEARCH_PARAMS = ("q", "unit", "type", "category", "year", "order")


def _units_with_urls():
    return [(unit, unit_base_url(unit)) for unit in directory_units().prefetch_related("domains")]


def home(request):
    sections = [(title, key, latest_documents(page_type=key, limit=8)) for title, key in HOME_SECTIONS]
    return render(request, "portal/home.html", {"units": _units_with_urls(), "sections": sections})


def unit_directory(request):
    return render(request, "portal/units.html", {"units": _units_with_urls()})


def _link(current: dict[str, str], **changes: str) -> str:
    params = {**current, **changes}
    return "?" + urlencode({k: v for k, v in params.items() if v and k in (*SEARCH_PARAMS, "page")})


def search(request):
    current = {key: request.GET.get(key, "") for key in SEARCH_PARAMS}
    submitted = any(current.values())
    parsed = parse_search(request.GET, require_text=True)
    context = {"query": parsed.query.text, "error": parsed.error if submitted else "", "current": current}
    if not parsed.error:
        result = search_documents(query=parsed.query)
        facets = []
        for name, param, label in FACETS:
            buckets = [
                {
                    "label": b.label,
                    "count": b.count,
                    "active": current[param] == b.value,
                    "url": _link(current, **{param: b.value}),
                }
                for b in result.facets.get(name, [])
            ]
            facets.append(
                {"label": label, "buckets": buckets, "clear_url": _link(current, **{param: ""}) if current[param] else ""}
            )
        page = parsed.query.page
        context.update(
            result=result,
            facets=facets,
            labels=page_type_labels(),
            order_links={o: _link(current, order=o) for o in ("relevance", "date")},
            order=parsed.query.effective_order,
            previous_url=_link(current, page=str(page - 1)) if page > 1 else "",
            next_url=_link(current, page=str(page + 1)) if page < result.num_pages else "",
            page_links=[
                (number, _link(current, page=str(number)))
                for number in range(max(1, page - 4), min(result.num_pages, page + 4) + 1)
            ],
        )
    status = 400 if parsed.error and submitted else 200
    return render(request, "portal/search.html", context, status=status)


def api_docs(request):
    schema = api.get_openapi_schema()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return render(request, "portal/api_docs.html", {"schema": schema, "operations": operations})
