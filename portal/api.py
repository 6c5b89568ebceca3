"""Read-only JSON API of the portal index (django-ninja generates the OpenAPI 3 description)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError

from search.backends.base import Hit, SearchResult
from search.documents import page_type_labels
from search.selectors import parse_search, search_documents, suggestions

api = NinjaAPI(
    title="“中国·珠海”政府门户网站开放接口",
    version="1.0.0",
    description="全市各单位网站已发布信息的只读查询接口：最新信息列表与全文检索（中文分词，繁简通检，文号与同义词）。"
    "所有接口只支持 GET，无需认证。",
    urls_namespace="portal_api",
    docs_url=None,
    openapi_url="/openapi.json",
)


class MetadataOut(Schema):
    doc_number: str
    issuing_body: str
    subject_words: str
    index_number: str
    validity: str


class DocumentOut(Schema):
    id: str
    unit_code: str
    unit_name: str
    title: str
    title_html: str
    snippet_html: str
    url: str
    page_type: str
    page_type_label: str
    validity: str
    column_title: str
    column_path: list[str]
    categories: list[str]
    publish_date: dt.date | None
    written_date: dt.date | None
    metadata: MetadataOut
    score: float | None


class FacetOut(Schema):
    value: str
    label: str
    count: int


class ResultOut(Schema):
    query: str
    order: str
    total: int
    approximate: bool = Field(False, description="总数与分类计数为抽样估计（检索词极常见时）")
    page: int
    per_page: int
    num_pages: int
    took_ms: float
    results: list[DocumentOut]
    facets: dict[str, list[FacetOut]]
    suggestions: list[SuggestionOut]


class SuggestionOut(Schema):
    q: str
    keep_filters: bool
    reason: str
    count: int


class ErrorOut(Schema):
    detail: str


class Filters(Schema):
    unit: str = ""
    type: str = ""
    category: str = ""
    year: int | None = None
    validity: Literal["", "valid", "repealed", "expired"] = ""
    page: int = 1


class SearchFilters(Filters):
    q: str = ""
    order: Literal["relevance", "date"] = "relevance"


def _document(hit: Hit, labels: dict[str, str]) -> dict:
    return {
        "id": hit.key,
        "unit_code": hit.unit_code,
        "unit_name": hit.unit_name,
        "title": hit.title,
        "title_html": str(hit.title_html),
        "snippet_html": str(hit.snippet_html),
        "url": hit.url,
        "page_type": hit.page_type,
        "page_type_label": labels.get(hit.page_type, hit.page_type),
        "validity": hit.validity_key,
        "column_title": hit.column_title,
        "column_path": hit.column_path,
        "categories": hit.categories,
        "publish_date": hit.publish_date,
        "written_date": hit.written_date,
        "metadata": hit.metadata,
        "score": hit.score,
    }


def result_payload(result: SearchResult) -> dict:
    labels = page_type_labels()
    hints = suggestions(query=result.query) if not result.total else []
    return {
        "query": result.query.text,
        "order": result.query.effective_order,
        "total": result.total,
        # The total and the facets' counts are estimates from a sample (a very common word, PostgreSQL index).
        "approximate": result.approximate,
        "page": result.query.page,
        "per_page": result.query.per_page,
        "num_pages": result.num_pages,
        "took_ms": round(result.took_ms, 2),
        "results": [_document(hit, labels) for hit in result.hits],
        "facets": {name: [vars(b) for b in buckets] for name, buckets in result.facets.items()},
        "suggestions": [
            {"q": hint.text, "keep_filters": hint.keep_filters, "reason": hint.reason, "count": hint.count} for hint in hints
        ],
    }


_PARAMETER_LABELS = {"year": "年份", "page": "页码", "validity": "有效性", "order": "排序"}


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, error: ValidationError):
    """A parameter of the wrong type (year=abc, page=0x00 …): 400 with a Chinese message, never 422 in English."""
    names = []
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("query", "filters")]
        name = location[-1] if location else ""
        names.append(_PARAMETER_LABELS.get(name, name) or "参数")
    detail = "参数有误：" + "、".join(dict.fromkeys(names)) + "。年份和页码须为整数，有效性为 valid、repealed 或 expired。"
    return api.create_response(request, {"detail": detail}, status=400)


def _params(filters: Schema) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in filters.dict().items()}


@api.get(
    "/documents/",
    response={200: ResultOut, 400: ErrorOut},
    summary="最新信息列表",
    description="全市各单位已发布的信息，按发布日期从新到旧排列，可按单位、信息类型、政务公开类别、年份和有效性"
    "（valid 有效、repealed 废止、expired 失效）筛选。",
    tags=["信息"],
)
def documents(request: HttpRequest, filters: Query[Filters]):
    parsed = parse_search(_params(filters), require_text=False)
    if parsed.error:
        return 400, {"detail": parsed.error}
    return result_payload(search_documents(query=parsed.query))


@api.get(
    "/search/",
    response={200: ResultOut, 400: ErrorOut},
    summary="全文检索",
    description="中文分词检索。q 为检索词（1–100 个字符，最多 20 个词）；繁体与简体通检，文号的各种写法及其发文机关、"
    "年份可检索，同义词表由市信息中心维护；单字、年份和数字可缺，全部出现的结果排在前面。"
    "order=relevance 按相关度（标题命中优先），order=date 按日期。"
    "返回结果与门户检索页面完全一致，每页 10 条，含高亮标题、摘要片段、分面统计，无结果时给出检索建议。",
    tags=["检索"],
)
def search(request: HttpRequest, filters: Query[SearchFilters]):
    parsed = parse_search(_params(filters), require_text=True)
    if parsed.error:
        return 400, {"detail": parsed.error}
    return result_payload(search_documents(query=parsed.query))
