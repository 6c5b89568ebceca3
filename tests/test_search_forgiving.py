"""Search that forgives (issue 15): 繁体, 文号 as a unit, optional single characters, synonyms, highlighting, suggestions.

Pages are published in the test units and reach the portal index through the outbox, as in production;
searches go through the portal page, the API and the backend.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from django_tenants.utils import schema_context
from wagtail.models import Page
from wagtail.rich_text import RichText

from search.backends import get_backend
from search.backends.base import SearchQuery
from search.models import SynonymSet
from search.normalize import canonical_doc_number, clean_input, doc_number_tokens, find_doc_numbers, normalise
from search.segmentation import plan_query
from sitepages.models import PolicyDocumentPage
from tests.support.clients import centre_client
from tests.support.portal import portal_search


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    """These tests exercise the default PostgreSQL index even when a cluster is configured."""
    settings.ELASTICSEARCH_URL = ""


def api(client, path, **params):
    return client.get(path, params, HTTP_HOST="localhost")


def publish_policy(content, unit, *, column: int, title: str, doc_number: str, body: str = "正文。", **fields) -> int:
    """A 政府文件 published in `column` (SiteContent.policy with the fields these tests vary)."""
    with content.capture(execute=True), schema_context(unit.schema_name):
        values = {
            "issuing_body": "珠海市测试甲局",
            "subject_words": "测试",
            "publish_date": dt.date(2026, 10, 8),
            **fields,
        }
        page = Page.objects.get(id=column).add_child(
            instance=PolicyDocumentPage(
                title=title,
                slug=f"doc{PolicyDocumentPage.objects.count() + 1}",
                doc_number=doc_number,
                body=[("paragraph", RichText(f"<p>{body}</p>"))],
                **values,
            )
        )
        page.save_revision().publish()
        return page.id


def titles(response) -> list[str]:
    return [hit["title"] for hit in response.json()["results"]]


def page_text(response) -> str:
    """The page as the reader sees it: without tags (highlighting splits a title into several text nodes)."""
    return strip_tags(response.content.decode())


# --- 繁体 / 简体 -------------------------------------------------------------------------


def test_traditional_query_finds_simplified_text_and_the_other_way_round(client, unit_a, content):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="优化营商环境工作会议召开", body="会议部署营商环境改革任务。")
    content.news(unit_a, column=column, title="澳門居民來珠辦事指引", body="為澳門居民提供便利。")
    found = api(client, "/api/v1/search/", q="營商環境")
    assert found.status_code == 200 and titles(found) == ["优化营商环境工作会议召开"]
    assert "<mark>营商环境</mark>" in found.json()["results"][0]["title_html"]
    # Text written in 繁体 is found by a simplified query and marked where the reader sees it.
    macau = api(client, "/api/v1/search/", q="澳门居民")
    assert titles(macau) == ["澳門居民來珠辦事指引"]
    assert "<mark>澳門居民</mark>" in macau.json()["results"][0]["title_html"]
    page = page_text(portal_search(client, q="營商環境"))
    assert "共找到 1 条结果" in page and "优化营商环境工作会议召开" in page


# --- 文号 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "珠发改〔2026〕12号",
        "珠发改[2026]12号",
        "珠发改【2026】第12号",
        "珠发改(2026)12号",
        "珠发改（2026）12号",
        "珠發改〔2026〕12號",
    ],
)
def test_doc_number_variants_are_one_doc_number(written):
    (_, _, number), *rest = find_doc_numbers(normalise(written))
    assert rest == [] and number.canonical == "珠发改〔2026〕12号" == canonical_doc_number("珠发改", "2026", "012")
    assert plan_query(written).required == "'珠发改〔2026〕12号'"


def test_doc_number_tokens_make_issuer_parts_and_year_findable():
    tokens = doc_number_tokens(normalise("根据珠发改〔2026〕12号文件精神"))
    assert {"珠发改〔2026〕12号", "发改〔2026〕12号", "珠发改", "发改", "2026"} <= set(tokens)


def test_doc_number_its_issuer_and_year_find_the_document(client, unit_a, content):
    column = content.column(unit_a, title="政府文件", item_type="policy_document")
    content.column(unit_a, title="部门动态")
    target = "关于做好2026年价格监测工作的通知"
    publish_policy(content, unit_a, column=column, title=target, doc_number="珠发改〔2026〕12号")
    publish_policy(content, unit_a, column=column, title="关于加强安全生产的通知", doc_number="珠应急〔2025〕3号")
    for query in ("发改", "珠发改", "珠发改〔2026〕12号", "珠发改[2026]12号", "珠发改【2026】第12号", "珠发改(2026)12号"):
        assert titles(api(client, "/api/v1/search/", q=query)) == [target], query
    assert titles(api(client, "/api/v1/search/", q="珠发改 2026")) == [target]
    # Another number of the same issuer is another document.
    assert titles(api(client, "/api/v1/search/", q="珠发改〔2026〕13号")) == []


# --- single characters, years and numbers are optional -----------------------------------


def test_single_characters_years_and_numbers_are_optional_but_rank_first(client, unit_a, content):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="全市中小学招生工作会议召开", body="部署招生工作。", day=dt.date(2026, 6, 1))
    content.news(unit_a, column=column, title="2026年义务教育阶段招生方案", body="2026年招生安排。", day=dt.date(2026, 3, 1))
    content.news(unit_a, column=column, title="2026年全市重点项目清单", body="重点项目。", day=dt.date(2026, 7, 1))
    plan = plan_query("2026年招生")
    assert plan.required == "'招生'" and "'年'" in plan.full and "'2026'" in plan.full
    response = api(client, "/api/v1/search/", q="2026年招生")
    # 年 and 2026 are not required (the newer meeting has neither), but the page with all of them comes first.
    assert titles(response) == ["2026年义务教育阶段招生方案", "全市中小学招生工作会议召开"]
    assert response.json()["total"] == 2
    page = page_text(portal_search(client, q="2026年招生"))
    assert page.index("2026年义务教育阶段招生方案") < page.index("全市中小学招生工作会议召开")


# --- highlighting ------------------------------------------------------------------------


def test_highlighting_marks_whole_terms_not_a_character_inside_another_word(client, unit_a, content):
    column = content.column(unit_a)
    content.news(
        unit_a,
        column=column,
        title="市政府门户网站政务信息维护管理办法解读",
        body="《珠海市政府门户网站政务信息维护管理办法》（珠府办〔2007〕75号）规定了各单位的职责。",
    )
    response = api(client, "/api/v1/search/", q="珠府办")
    assert response.status_code == 200 and response.json()["total"] == 1
    hit = response.json()["results"][0]
    assert "<mark>办</mark>" not in hit["title_html"] and "<mark>" not in hit["title_html"]
    assert "管理办法" in hit["snippet_html"] and "<mark>办</mark>" not in hit["snippet_html"]
    assert "<mark>珠府办</mark>" in hit["snippet_html"]
    by_number = api(client, "/api/v1/search/", q="珠府办[2007]75号").json()["results"][0]
    assert "<mark>珠府办〔2007〕75号</mark>" in by_number["snippet_html"]


# --- synonyms ----------------------------------------------------------------------------


def test_seeded_synonyms_apply_at_query_time(client, unit_a, content):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="市发展和改革局召开价格工作会议", body="会议研究价格工作。")
    content.news(unit_a, column=column, title="社会保险待遇调整说明", body="调整社会保险待遇。")
    assert SynonymSet.objects.filter(words__contains="社保").exists()
    assert titles(api(client, "/api/v1/search/", q="发改委")) == ["市发展和改革局召开价格工作会议"]
    assert titles(api(client, "/api/v1/search/", q="社保")) == ["社会保险待遇调整说明"]


def test_synonyms_edited_by_the_centre_take_effect_at_the_next_search(client, unit_a, content):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="全市无人驾驶测试道路开放", body="首批测试道路向企业开放。")
    assert titles(api(client, "/api/v1/search/", q="智能网联汽车")) == []
    centre = centre_client()
    form = centre.get(reverse("search_synonyms:add"), HTTP_HOST="localhost")
    assert form.status_code == 200 and "同义词" in form.content.decode()
    added = centre.post(
        reverse("search_synonyms:add"),
        {"words": "智能网联汽车、无人驾驶", "note": "试点", "enabled": "on"},
        HTTP_HOST="localhost",
    )
    assert added.status_code == 302
    synonym = SynonymSet.objects.get(note="试点")
    assert synonym.words == "智能网联汽车 无人驾驶"
    assert titles(api(client, "/api/v1/search/", q="智能网联汽车")) == ["全市无人驾驶测试道路开放"]
    edited = centre.post(
        reverse("search_synonyms:edit", args=[synonym.pk]), {"words": synonym.words, "note": "试点"}, HTTP_HOST="localhost"
    )
    assert edited.status_code == 302 and not SynonymSet.objects.get(pk=synonym.pk).enabled
    assert titles(api(client, "/api/v1/search/", q="智能网联汽车")) == []


def test_a_synonym_phrase_with_all_the_words_of_another_adds_only_its_own_lexeme(db):
    """发展和改革局 matches whatever 发展改革局 does: the tsquery leaves its words out (和 is in most documents), and
    the same documents are found."""
    from search.backends.postgres import PostgresBackend
    from tests.support.portal import portal_doc

    synonyms = {"发改委": ("发展改革局", "发展和改革局")}
    required = plan_query("发改委", synonyms=synonyms).required
    assert "'和'" not in required and "'发展和改革局'" in required and "'局'" in required
    backend = PostgresBackend()
    backend.reset()
    day = dt.date(2026, 11, 2)
    bodies = ["市发展和改革局召开会议。", "改革 发展 局", "坚持发展，深化改革。", "发改委发布通知。"]
    backend.upsert(
        portal_doc(
            unit="fg",
            unit_name="测试中心",
            page_id=n,
            title=f"通知{n}",
            body=body,
            day=day,
            published_at=dt.datetime(2026, 11, 2, 9, n, tzinfo=dt.UTC),
        )
        for n, body in enumerate(bodies)
    )
    SynonymSet.objects.all().delete()
    SynonymSet.objects.create(words="发改委 发展改革局 发展和改革局")
    found = {hit.title for hit in backend.search(SearchQuery(text="发改委")).hits}
    # Every phrase's words, 和 or not, as before: all but the document without 局.
    assert found == {"通知0", "通知1", "通知3"}


def test_a_synonym_set_needs_two_words_with_a_chinese_message(db):
    centre = centre_client()
    response = centre.post(reverse("search_synonyms:add"), {"words": "社保", "enabled": "on"}, HTTP_HOST="localhost")
    assert response.status_code == 200 and "请至少填写两个不同的词" in response.content.decode()


def test_a_unit_admin_has_no_synonym_screen(unit_a):
    from tests.support.clients import unit_admin_client

    response = unit_admin_client(unit_a).get(reverse("search_synonyms:index"), HTTP_HOST="ta.localhost")
    assert response.status_code in (302, 403, 404)


# --- no hits: suggestions ----------------------------------------------------------------


def test_no_hits_suggest_a_near_query_and_the_query_without_filters(client, unit_a, unit_b, content):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="优化营商环境若干措施解读", body="营商环境。")
    content.news(unit_a, column=column, title="营商环境评价结果发布", body="营商环境。")
    near = api(client, "/api/v1/search/", q="营商环境 火星基地")
    data = near.json()
    assert data["total"] == 0
    assert {"q": "营商环境", "keep_filters": True, "reason": "去掉“火星基地”", "count": 2} in data["suggestions"]
    page = portal_search(client, q="营商环境 火星基地").content.decode()
    assert "您可以试试" in page and 'href="/search/?q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83"' in page
    filtered = api(client, "/api/v1/search/", q="营商环境", unit="tb").json()
    assert filtered["total"] == 0
    assert {"q": "营商环境", "keep_filters": False, "reason": "不限筛选条件", "count": 2} in filtered["suggestions"]
    page = portal_search(client, q="营商环境", unit="tb").content.decode()
    assert "不限筛选条件，2 条" in page
    assert unit_b


# --- the normalisation engine ------------------------------------------------------------


def test_clean_input_removes_control_and_format_characters():
    assert clean_input("营商\x00环境\u200b\t改革\r\n") == "营商环境 改革"
    assert clean_input(None) == ""
    assert normalise("營商環境ＡＢＣ１２３") == "营商环境ABC123"


# --- Elasticsearch: the same forgiving search, against a real cluster --------------------


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="未设置 ELASTICSEARCH_URL：跳过 Elasticsearch 集群测试")
def test_elasticsearch_forgives_like_postgres():
    import uuid

    from search.backends.base import PortalDoc
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(
        url=os.environ["ELASTICSEARCH_URL"],
        index=f"govportal-test-{uuid.uuid4().hex[:8]}",
        analyzer=os.environ.get("ELASTICSEARCH_ANALYZER", "cjk"),
        refresh="wait_for",
    )

    def doc(page_id, title, **extra):
        return PortalDoc(
            schema_name="unit_ta",
            page_id=page_id,
            unit_code="ta",
            unit_name="测试甲局",
            column_path=["政府文件"],
            column_title="政府文件",
            page_type=extra.pop("page_type", "policy_document"),
            categories=["政策文件"],
            publish_date=dt.date(2026, 5, page_id),
            written_date=None,
            year=2026,
            published_at=None,
            url=f"http://ta.localhost/{page_id}/",
            title=title,
            summary=title,
            body=title,
            **extra,
        )

    try:
        backend.upsert(
            [
                doc(1, "关于做好价格监测工作的通知", doc_number="珠发改〔2026〕12号", validity="有效"),
                doc(2, "优化营商环境若干措施", validity="废止"),
            ]
        )
        assert [h.key for h in backend.search(SearchQuery(text="營商環境")).hits] == ["unit_ta:2"]
        for query in ("发改", "珠发改[2026]12号", "珠发改【2026】第12号"):
            assert [h.key for h in backend.search(SearchQuery(text=query)).hits] == ["unit_ta:1"], query
        facets = backend.search(SearchQuery(text="", page_type="policy_document")).facets
        assert {b.value: b.count for b in facets["validity"]} == {"valid": 1, "repealed": 1}
        assert [h.key for h in backend.search(SearchQuery(validity="valid")).hits] == ["unit_ta:1"]
    finally:
        for index in backend._aliased_indices():
            backend.client.indices.delete(index=index, ignore_unavailable=True)


def test_backend_counts_match_searches(unit_a, content):
    column = content.column(unit_a)
    for n in range(3):
        content.news(unit_a, column=column, title=f"垃圾分类宣传第{n}场", body="垃圾分类")
    backend = get_backend()
    assert backend.count(SearchQuery(text="垃圾分类")) == backend.search(SearchQuery(text="垃圾分类")).total == 3
