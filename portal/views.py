from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from search.backends.base import VALIDITY_LABELS
from search.documents import NORMATIVE_KEY, page_type_labels
from search.normalize import MAX_FILTER_CHARS, clean_input
from search.selectors import (
    EMPTY_QUERY,
    FILTER_PARAMS,
    latest_documents,
    parse_search,
    search_documents,
    suggestions,
)
from tenants.hosts import portal_base_url, unit_base_url
from tenants.selectors import directory_units

from .api import api

# The portal's lists, one per content type, newest first (/list/<type>/): (type, title).
LISTS = (
    ("news", "珠海动态"),
    ("notice", "公告公示"),
    ("policy_document", "政府文件"),
    (NORMATIVE_KEY, "规范性文件"),
    ("service_guide", "办事指南"),
    ("plan", "规划计划"),
    ("speech", "领导活动"),
    ("gazette", "政府公报"),
    ("work_report", "政府工作报告"),
)
LIST_TITLES = dict(LISTS)
# Homepage blocks: (title, type, validity). 政府文件 shows only documents in force.
HOME_SECTIONS = (("珠海动态", "news", ""), ("公告公示", "notice", ""), ("政府文件", "policy_document", "valid"))
FACETS = (
    ("unit", "unit", "单位"),
    ("type", "type", "信息类型"),
    ("category", "category", "政务公开类别"),
    ("year", "year", "年份"),
    ("validity", "validity", "有效性"),
)
SEARCH_PARAMS = ("q", *FILTER_PARAMS, "order")
# The portal's own pages in its sitemap (those of other apps only when their URLs are installed).
PORTAL_PAGES = ("/", "/units/", "/search/", "/hudong/", "/kaoping/", "/kaohe/", "/pingbi/", "/tongbao/", "/nianbao/")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _units_with_urls():
    return [(unit, unit_base_url(unit)) for unit in directory_units().prefetch_related("domains")]


def _unit_links() -> str:
    """The home's list of unit sites, rendered once into the cached blocks: the blocks are unpickled on
    every request, and 1,000 Unit instances with their domains took over 100 ms to unpickle and 20 ms more
    to render; the rendered list is one string."""
    units = [(unit.name, url) for unit, url in _units_with_urls()]
    return render_to_string("portal/unit_links.html", {"units": units})


def list_title(page_type: str) -> str:
    return LIST_TITLES.get(page_type) or page_type_labels().get(page_type, "")


def list_links() -> list[dict[str, str]]:
    """Every content type's list (the portal's lists, then the other types the index holds)."""
    labels = page_type_labels()
    links = [{"title": title, "url": f"/list/{key}/"} for key, title in LISTS]
    links += [{"title": label, "url": f"/list/{key}/"} for key, label in labels.items() if key not in LIST_TITLES]
    return links


def _home_sections() -> list[dict]:
    return [
        {
            "title": title,
            "key": key,
            "hits": latest_documents(page_type=key, validity=validity, limit=8),
            "more_url": f"/list/{key}/",
        }
        for title, key, validity in HOME_SECTIONS
    ]


def home(request):
    from .homepage import home_blocks

    blocks = home_blocks(build_sections=_home_sections, build_units=_unit_links, build_lists=list_links)
    return render(request, "portal/home.html", blocks)


def unit_directory(request):
    return render(request, "portal/units.html", {"units": _units_with_urls()})


def _url(params: dict[str, str]) -> str:
    """A search or list URL: a list without words is /list/<type>/, everything else /search/."""
    kept = {k: v for k, v in params.items() if v and k in (*SEARCH_PARAMS, "page")}
    page_type = kept.get("type", "")
    if page_type in LIST_TITLES and not kept.get("q"):
        kept.pop("type")
        kept.pop("order", None)
        path = f"/list/{page_type}/"
    else:
        path = "/search/"
    return path + ("?" + urlencode(kept) if kept else "")


def _link(current: dict[str, str], **changes: str) -> str:
    params = {**current, **changes}
    if "page" not in changes:
        params.pop("page", None)
    return _url(params)


def search(request, list_type: str | None = None):
    """The search page; with filters and no words it is a list, newest first (what /list/<type>/ shows)."""
    params = request.GET.copy()
    if list_type is not None:
        params["type"] = list_type
    current = {key: clean_input(params.get(key))[:MAX_FILTER_CHARS] for key in SEARCH_PARAMS}
    parsed = parse_search(params, require_text=False)
    query = parsed.query
    submitted = any(current.values()) or "q" in request.GET
    error = parsed.error
    if not error and not query.text and not query.has_filters and "q" in request.GET:
        error = EMPTY_QUERY
    is_list = not query.text and query.has_filters
    context = {
        "query": query.text,
        "error": error if submitted else "",
        "current": current,
        "is_list": is_list,
        "heading": (list_title(query.page_type) or "信息列表") if is_list else "信息检索",
        "lists": list_links(),
    }
    if not error and (query.text or query.has_filters):
        result = search_documents(query=query)
        context.update(_result_context(current, query, result))
    status = 400 if error and submitted else 200
    return render(request, "portal/search.html", context, status=status)


def list_view(request, page_type: str):
    if page_type not in page_type_labels() and page_type not in LIST_TITLES:
        raise Http404("没有这个信息列表")
    return search(request, list_type=page_type)


def _result_context(current: dict[str, str], query, result) -> dict:
    facets = []
    for name, param, label in FACETS:
        buckets = [
            {
                "label": b.label,
                "count": b.count,
                "active": current[param] in (b.value, b.label),
                "url": _link(current, **{param: b.value}),
            }
            for b in result.facets.get(name, [])
        ]
        facets.append({"label": label, "buckets": buckets, "clear_url": _link(current, **{param: ""}) if current[param] else ""})
    page = query.page
    hints = []
    if not result.total:
        for suggestion in suggestions(query=query):
            changes = {"q": suggestion.text}
            if not suggestion.keep_filters:
                changes.update(dict.fromkeys(FILTER_PARAMS, ""))
            hints.append(
                {
                    "text": suggestion.text,
                    "reason": suggestion.reason,
                    "count": suggestion.count,
                    "url": _link(current, **changes),
                }
            )
    active_filters = [
        {"label": label, "value": _filter_label(param, current[param], result), "clear_url": _link(current, **{param: ""})}
        for _, param, label in FACETS
        if current[param]
    ]
    return {
        "result": result,
        "facets": facets,
        "labels": page_type_labels(),
        "suggestions": hints,
        "active_filters": active_filters,
        "order_links": {o: _link(current, order=o) for o in ("relevance", "date")},
        "order": query.effective_order,
        "previous_url": _link(current, page=str(page - 1)) if page > 1 else "",
        "next_url": _link(current, page=str(page + 1)) if page < result.num_pages else "",
        "page_links": [
            (number, _link(current, page=str(number))) for number in range(max(1, page - 4), min(result.num_pages, page + 4) + 1)
        ],
    }


def _filter_label(param: str, value: str, result) -> str:
    if param == "type":
        return page_type_labels().get(value, value)
    if param == "validity":
        return VALIDITY_LABELS.get(value, value)
    if param == "unit":
        return next((b.label for b in result.facets.get("unit", []) if b.value == value), value)
    return value


def api_docs(request):
    schema = api.get_openapi_schema()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return render(request, "portal/api_docs.html", {"schema": schema, "operations": operations})


# --- robots.txt and the sitemap index of the portal host -----------------------------------


def robots_txt(request):
    """Everything public may be crawled but the admin; the sitemap index lists every unit's sitemap."""
    root = portal_base_url()
    lines = ["User-agent: *", "Allow: /", "Disallow: /admin/", f"Sitemap: {root}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _xml(root: ET.Element) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def sitemap_index(request):
    """The portal's sitemap index: its own pages' sitemap, then each unit's (served on the unit's host)."""
    root = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    locations = [f"{portal_base_url()}/sitemap-portal.xml"] + [f"{url}/sitemap.xml" for _, url in _units_with_urls()]
    for location in locations:
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = location
    return _xml(root)


def _installed(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def portal_sitemap(request):
    """The portal host's own pages: home, directory, search, every list and the sections of the other apps."""
    base = portal_base_url()
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    paths = [p for p in PORTAL_PAGES if _installed(p)] + [link["url"] for link in list_links()]
    for path in dict.fromkeys(paths):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = base + path
        ET.SubElement(url, "changefreq").text = "daily"
    return _xml(root)
