"""Portal index: the outbox keeps it complete, Chinese search finds and ranks well."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tenants.utils import schema_context

from search import services
from search.backends import get_backend
from search.backends.base import SearchQuery
from search.backends.postgres import PostgresBackend
from search.models import OutboxEntry, PortalDocument
from tests.support.portal import indexed_keys, keys, portal_search


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    """These tests exercise the default PostgreSQL index even when a cluster is configured."""
    settings.ELASTICSEARCH_URL = ""


def test_publish_indexes_and_unpublish_withdraws(client, unit_a, content):
    column = content.column(unit_a, categories="政务动态、工作动态")
    page_id = content.news(
        unit_a, column=column, title="全市营商环境优化工作会议召开", body="会议部署了下一阶段的营商环境改革任务。"
    )
    assert OutboxEntry.objects.count() == 0
    assert indexed_keys() == keys(unit_a, page_id)
    doc = PortalDocument.objects.get()
    assert (doc.unit_code, doc.unit_name, doc.page_type, doc.column_title) == ("ta", "测试甲局", "news", "部门动态")
    assert doc.column_path == ["部门动态"] and doc.categories == ["政务动态", "工作动态"]
    assert doc.url.startswith("http://ta.localhost") and doc.year == 2026
    html = portal_search(client, q="营商环境").content.decode()
    assert "全市<mark>营商</mark><mark>环境</mark>优化工作会议召开" in html or "<mark>营商环境</mark>" in html
    assert doc.url in html

    content.unpublish(unit_a, page_id)
    assert indexed_keys() == set()
    assert "优化工作会议召开" not in portal_search(client, q="营商环境").content.decode()


def test_failing_backend_keeps_the_outbox_and_a_later_drain_loses_nothing(client, unit_a, unit_b, content, monkeypatch):
    column_a = content.column(unit_a)
    column_b = content.column(unit_b)

    def unreachable(self, docs):
        raise OperationalError("无法连接到索引数据库")

    monkeypatch.setattr(PostgresBackend, "upsert", unreachable)
    ids_a = [content.news(unit_a, column=column_a, title=f"甲局乡村振兴简报第{n}期", body="乡村振兴工作进展。") for n in range(3)]
    id_b = content.news(unit_b, column=column_b, title="乙局乡村振兴简报", body="乡村振兴工作进展。")
    entries = list(OutboxEntry.objects.all())
    assert {(e.schema_name, e.page_id) for e in entries} == {
        *((unit_a.schema_name, i) for i in ids_a),
        (unit_b.schema_name, id_b),
    }
    assert all(e.attempts >= 1 and e.next_attempt_at and "无法连接" in e.last_error for e in entries)
    assert indexed_keys() == set()
    # Back-off: a drain now leaves the waiting entries alone.
    assert services.drain_outbox().indexed == 0

    monkeypatch.undo()
    report = services.drain_outbox(ignore_backoff=True)
    assert report.indexed == 4 and report.failed == 0
    assert OutboxEntry.objects.count() == 0
    assert indexed_keys() == keys(unit_a, *ids_a) | keys(unit_b, id_b)
    assert PortalDocument.objects.count() == 4
    # Draining the same changes again (a retried task) changes nothing.
    with schema_context(unit_a.schema_name):
        services.record_page_changes(page_ids=ids_a, action="upsert")
    services.drain_outbox()
    assert PortalDocument.objects.count() == 4
    assert get_backend().count_by_unit() == {"ta": 3, "tb": 1}
    assert "共找到 4 条结果" in portal_search(client, q="乡村振兴").content.decode()


def test_one_failing_document_does_not_hold_back_the_others(unit_a, content, monkeypatch):
    column = content.column(unit_a)
    real_upsert = PostgresBackend.upsert
    bad_title = "出错的那一篇"

    def flaky(self, docs):
        docs = list(docs)
        if any(doc.title == bad_title for doc in docs):
            raise OperationalError("连接被重置")
        return real_upsert(self, docs)

    monkeypatch.setattr(PostgresBackend, "upsert", flaky)
    good = content.news(unit_a, column=column, title="正常的一篇", body="正文")
    bad = content.news(unit_a, column=column, title=bad_title, body="正文")
    assert indexed_keys() == keys(unit_a, good)
    entry = OutboxEntry.objects.get()
    assert entry.page_id == bad and entry.attempts == 1


def test_drafts_and_private_pages_are_never_indexed(client, unit_a, content):
    column = content.column(unit_a)
    draft = content.news(unit_a, column=column, title="尚未发布的草稿稿件", body="草稿正文", publish=False)
    public = content.news(unit_a, column=column, title="公开发布的稿件", body="公开正文")
    assert indexed_keys() == keys(unit_a, public)

    restriction = content.restrict(unit_a, public)
    assert indexed_keys() == set()

    private_column = content.column(unit_a, title="内部栏目")
    content.restrict(unit_a, private_column)
    hidden = content.news(unit_a, column=private_column, title="受密码保护栏目下的稿件", body="不公开")
    assert indexed_keys() == set()
    assert "稿件" not in "".join(h.title for h in get_backend().search(SearchQuery(text="稿件")).hits)

    content.unrestrict(unit_a, restriction)
    assert indexed_keys() == keys(unit_a, public)
    assert draft and hidden


def test_move_updates_the_column_and_delete_withdraws(unit_a, content):
    news = content.column(unit_a, title="部门动态", categories="工作动态")
    other = content.column(unit_a, title="图片新闻", categories="政务要闻")
    page_id = content.news(unit_a, column=news, title="移动测试稿件", body="正文")
    content.move(unit_a, page_id, to=other)
    doc = PortalDocument.objects.get()
    assert (doc.column_title, doc.categories) == ("图片新闻", ["政务要闻"])
    content.delete(unit_a, page_id)
    assert indexed_keys() == set()


def test_chinese_words_inside_compounds_and_title_matches_first(unit_a, content):
    column = content.column(unit_a)
    in_body = content.news(
        unit_a,
        column=column,
        title="市发展改革局召开专题会议",
        body="会议研究了国民经济发展规划的编制。发展规划要突出重点，发展规划要落到实处，发展规划要接受监督。",
    )
    in_title = content.news(unit_a, column=column, title="珠海市国民经济发展规划纲要发布", body="全文见附件。")
    content.news(unit_a, column=column, title="无关的消息", body="今天天气晴。")
    result = get_backend().search(SearchQuery(text="发展规划"))
    assert [hit.key for hit in result.hits] == [f"{unit_a.schema_name}:{in_title}", f"{unit_a.schema_name}:{in_body}"]
    assert "<mark>" in result.hits[0].title_html and "发展" in result.hits[0].title_html
    assert (
        "国民经济<mark>发展</mark><mark>规划</mark>" in result.hits[1].snippet_html
        or "<mark>发展规划</mark>" in result.hits[1].snippet_html
    )
    by_date = get_backend().search(SearchQuery(text="发展规划", order="date"))
    assert by_date.total == 2


def test_facets_count_units_types_categories_and_years(unit_a, unit_b, content):
    news_a = content.column(unit_a, categories="工作动态、政务要闻")
    policy_a = content.column(unit_a, title="政府文件", item_type="policy_document", categories="政策文件")
    news_b = content.column(unit_b, categories="工作动态")
    content.news(unit_a, column=news_a, title="智慧城市建设推进会", body="智慧城市", day=dt.date(2025, 5, 1))
    content.policy(
        unit_a, column=policy_a, title="关于加快智慧城市建设的实施意见", body="智慧城市建设", doc_number="珠测甲〔2026〕1号"
    )
    content.news(unit_b, column=news_b, title="乙局智慧城市工作会议", body="智慧城市")
    result = get_backend().search(SearchQuery(text="智慧城市"))
    facets = {name: {b.value: b.count for b in buckets} for name, buckets in result.facets.items()}
    assert result.total == 3
    assert facets["unit"] == {"ta": 2, "tb": 1}
    assert facets["type"] == {"news": 2, "policy_document": 1}
    assert facets["category"] == {"工作动态": 2, "政务要闻": 1, "政策文件": 1}
    assert facets["year"] == {"2026": 2, "2025": 1}
    assert {b.label for b in result.facets["unit"]} == {"测试甲局", "测试乙局"}
    filtered = get_backend().search(SearchQuery(text="智慧城市", unit="ta", category="工作动态"))
    assert [h.title for h in filtered.hits] == ["智慧城市建设推进会"]
    policy = get_backend().search(SearchQuery(text="珠测甲〔2026〕1号"))
    assert [h.metadata["doc_number"] for h in policy.hits] == ["珠测甲〔2026〕1号"]


def test_empty_overlong_and_punctuation_queries_get_a_chinese_message(client, db):
    empty = portal_search(client, q="   ")
    assert empty.status_code == 400 and "请输入检索词" in empty.content.decode()
    first_visit = portal_search(client)
    assert first_visit.status_code == 200 and "请输入检索词" not in first_visit.content.decode()
    long = portal_search(client, q="规" * 101)
    assert long.status_code == 400 and "检索词过长" in long.content.decode()
    punct = portal_search(client, q="！？。")
    assert punct.status_code == 400 and "没有可检索的文字" in punct.content.decode()


def test_search_page_paginates_and_orders_by_date(client, unit_a, content):
    column = content.column(unit_a)
    for n in range(12):
        content.news(unit_a, column=column, title=f"垃圾分类宣传活动第{n:02d}场", body="垃圾分类", day=dt.date(2026, 1, n + 1))
    first = portal_search(client, q="垃圾分类", order="date").content.decode()
    assert "共找到 12 条结果" in first
    assert "第11场" in first and "第02场" in first and "第01场" not in first
    assert first.index("第11场") < first.index("第10场") < first.index("第02场")
    second = portal_search(client, q="垃圾分类", order="date", page=2).content.decode()
    assert "第01场" in second and "第00场" in second and "第11场" not in second
    assert 'aria-current="page">2<' in second


def test_reindex_command_rebuilds_from_live_pages(unit_a, unit_b, content, capsys):
    column = content.column(unit_a)
    page_id = content.news(unit_a, column=column, title="重建索引测试", body="正文")
    PortalDocument.objects.all().delete()
    PortalDocument.objects.create(
        key="unit_ta:999999",
        schema_name="unit_ta",
        page_id=999999,
        unit_code="ta",
        unit_name="测试甲局",
        page_type="news",
        url="http://ta.localhost/x/",
        title="早已删除的页面",
    )
    call_command("reindex_portal", "--unit", "ta")
    assert indexed_keys() == keys(unit_a, page_id)
    call_command("reindex_portal")
    out = capsys.readouterr().out
    assert "ta\t1 条" in out and "tb\t0 条" in out
    assert indexed_keys() == keys(unit_a, page_id)


# --- input hygiene and categories (issue 15) -----------------------------------------------

SURFACES = ("/search/", "/list/news/", "/api/v1/search/", "/api/v1/documents/")


@pytest.mark.parametrize("param", ["q", "unit", "type", "category", "year", "validity", "order", "page"])
def test_a_nul_in_any_parameter_never_answers_500(client, unit_a, content, param):
    column = content.column(unit_a)
    content.news(unit_a, column=column, title="营商环境改革推进会", body="营商环境")
    for path in SURFACES:
        params = {"q": "营商环境", param: "营商\x00环境" if param == "q" else "ta\x00"}
        response = client.get(path, params, HTTP_HOST="localhost")
        assert response.status_code in (200, 400), (path, param, response.status_code)
        text = response.content.decode()
        assert "\x00" not in text
        if response.status_code == 400:
            detail = response.json()["detail"] if path.startswith("/api/") else text
            assert "参数有误" in detail or "检索词" in detail, (path, param)
    # The NUL is dropped, not the search: the words around it still find the page.
    assert "共找到 1 条结果" in portal_search(client, q="营商\x00环境").content.decode()


def test_long_and_wordy_queries_get_a_chinese_message_on_the_page_and_the_api(client, db):
    wordy = " ".join(f"词{n}" for n in range(25))
    for params, message in (({"q": "规" * 101}, "检索词过长"), ({"q": wordy}, "检索词过多")):
        page = portal_search(client, **params)
        assert page.status_code == 400 and message in page.content.decode()
        api = client.get("/api/v1/search/", params, HTTP_HOST="localhost")
        assert api.status_code == 400 and message in api.json()["detail"]
    four_hundred = " ".join(["营商环境"] * 400)
    assert portal_search(client, q=four_hundred).status_code == 400


def test_admin_searches_never_answer_500_and_say_what_was_cut(unit_a, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from tests.support.clients import centre_client, unit_admin_client

    four_hundred = " ".join(f"发展规划{n}" for n in range(400))
    unit = unit_admin_client(unit_a)
    centre = centre_client()
    surfaces = [
        (unit, "ta.localhost", reverse("wagtailadmin_pages:search"), True),
        (unit, "ta.localhost", reverse("wagtaildocs:index"), True),
        (unit, "ta.localhost", reverse("wagtailimages:index"), True),
        (unit, "ta.localhost", reverse("wagtailadmin_choose_page_search"), False),
        (centre, "localhost", reverse("wagtailadmin_pages:search"), True),
        (centre, "localhost", reverse("sensitive_words:index"), True),
        (centre, "localhost", reverse("search_synonyms:index"), True),
    ]
    for client, host, path, full_page in surfaces:
        for query, notice in ((four_hundred, "检索词过长"), ("规划\x00纲要", "控制字符")):
            response = client.get(path, {"q": query}, HTTP_HOST=host)
            assert response.status_code == 200, (path, query[:10], response.status_code)
            if full_page:
                assert notice in response.content.decode(), (path, notice)


def test_categories_are_split_only_at_top_level_separators(unit_a, content):
    approval = "行政审批(含行政许可、非行政许可审批事项)"
    column = content.column(unit_a, title="办事指南", item_type="news", categories=f"{approval}、便民服务")
    content.news(unit_a, column=column, title="企业开办一件事指南", body="企业开办")
    assert PortalDocument.objects.get().categories == [approval, "便民服务"]
    result = get_backend().search(SearchQuery(text="企业开办"))
    assert {b.value for b in result.facets["category"]} == {approval, "便民服务"}
    assert get_backend().search(SearchQuery(text="企业开办", category=approval)).total == 1


def test_the_migration_repairs_categories_split_inside_brackets(unit_a, content):
    import importlib

    from django.apps import apps
    from django.db import connection

    from search.backends.base import PortalDoc
    from search.backends.postgres import facet_cell_id
    from search.models import PortalFacetCell, PortalMatch

    migration = importlib.import_module("search.migrations.0007_forgiving_search_validity_synonyms")
    bogus = ["行政审批(含行政许可", "非行政许可审批事项)", "便民服务"]
    doc = PortalDoc(
        schema_name=unit_a.schema_name,
        page_id=999001,
        unit_code="ta",
        unit_name="测试甲局",
        column_path=["办事指南"],
        column_title="办事指南",
        page_type="service_guide",
        categories=bogus,
        publish_date=dt.date(2026, 1, 5),
        written_date=None,
        year=2026,
        published_at=None,
        url="http://ta.localhost/guide/",
        title="旧索引中的办事指南",
        summary="",
        body="正文",
    )
    get_backend().upsert([doc])
    migration.repair_index_rows(apps, type("Editor", (), {"connection": connection})())
    repaired = PortalDocument.objects.get(key=doc.key)
    whole = ["行政审批(含行政许可、非行政许可审批事项)", "便民服务"]
    assert repaired.categories == whole
    cell = facet_cell_id("ta", "测试甲局", "service_guide", 2026, whole)
    assert PortalMatch.objects.get(pk=doc.key).facet_cell == cell
    assert PortalFacetCell.objects.get(id=cell).categories == whole
    facets = get_backend().search(SearchQuery(text="办事指南")).facets
    assert {b.value for b in facets["category"]} == set(whole)
