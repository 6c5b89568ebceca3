"""Query budgets of the pages citizens read (fast pages): a unit's home, a list and an item page
at most 10 queries each, whatever the number of columns, items and view restrictions; the menus
and home lists come from a per-unit cache that every publish, unpublish, move and privacy change
empties at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from wagtail.models import Page, PageViewRestriction, Site

from tests.support.clients import PublicSchemaClient

UNIT_PAGE_BUDGET = 10


@pytest.fixture(autouse=True)
def rendered_not_replayed(settings):
    """The budgets are for rendering a page: a full-page cache hit (pagecache/) costs no query at all and
    would hide every query the render spends (tests/test_page_cache.py counts the hits)."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def unit_site(unit_a, content):
    columns = [content.column(unit_a, title=f"栏目{i}") for i in range(6)]
    items = [content.news(unit_a, column=columns[0], title=f"新闻{i}", body="正文") for i in range(12)]
    content.news(unit_a, column=columns[1], title="另一栏目的新闻", body="正文")
    with schema_context(unit_a.schema_name):
        # A private column: its restriction must not cost a query per list.
        PageViewRestriction.objects.create(page=Page.objects.get(id=columns[5]), restriction_type="login")
        urls = {
            "home": "/",
            "list": Page.objects.get(id=columns[0]).url,
            "item": Page.objects.get(id=items[0]).url,
        }
    return urls, columns


def _queries(client, path: str) -> tuple[int, object]:
    client.get(path)  # the first request of a process fills its caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries), response


@pytest.mark.parametrize("page", ["home", "list", "item"])
def test_unit_pages_stay_within_their_query_budget(unit_site, page):
    urls, _ = unit_site
    count, _ = _queries(PublicSchemaClient(HTTP_HOST="ta.localhost"), urls[page])
    assert count <= UNIT_PAGE_BUDGET, count


@pytest.fixture
def deep_site(unit_a, content):
    """A list three 栏目分组 deep, as the 责任分解表's trees are (信息服务 / 综合动态 / 部门动态 / …)."""
    from sitepages.models import SectionPage

    with schema_context(unit_a.schema_name):
        parent = Site.objects.get().root_page
        for depth in range(3):
            parent = parent.add_child(instance=SectionPage(title=f"分组{depth}", slug=f"fz{depth}"))
            parent.save_revision().publish()
        parent_id = parent.id
    column = content.column(unit_a, title="部门动态", parent_id=parent_id)
    item = content.news(unit_a, column=column, title="深处的新闻", body="正文")
    with schema_context(unit_a.schema_name):
        return {"list": Page.objects.get(id=column).url, "item": Page.objects.get(id=item).url}


@pytest.mark.parametrize("page", ["list", "item"])
def test_the_budget_holds_however_deep_the_column_tree(deep_site, page):
    # Wagtail's own routing costs two queries per URL segment (the child, then its specific row).
    assert deep_site[page].count("/") >= 5
    count, response = _queries(PublicSchemaClient(HTTP_HOST="ta.localhost"), deep_site[page])
    assert count <= UNIT_PAGE_BUDGET, count
    assert ("深处的新闻" if page == "item" else "部门动态") in response.content.decode()


def test_a_page_is_found_only_at_its_own_address(deep_site, unit_a):
    client = PublicSchemaClient(HTTP_HOST="ta.localhost")
    assert client.get(deep_site["item"]).status_code == 200
    # Another address of the same page (a segment left out, or the page's slug under another parent) is not it.
    parts = deep_site["item"].strip("/").split("/")
    assert client.get("/" + "/".join(parts[1:]) + "/").status_code == 404
    assert client.get("/" + "/".join([parts[0], parts[-1]]) + "/").status_code == 404
    with schema_context(unit_a.schema_name):
        page = Page.objects.get(url_path__endswith="/" + parts[-1] + "/").specific
        page.slug = "renamed"
        page.save_revision().publish()
    assert client.get(deep_site["item"]).status_code == 404
    assert client.get(deep_site["item"].replace(parts[-1], "renamed")).status_code == 200


def test_cached_menus_and_home_lists_change_at_once_on_publish_unpublish_and_privacy(unit_a, unit_site, content):
    _urls, columns = unit_site
    client = PublicSchemaClient(HTTP_HOST="ta.localhost")
    home = client.get("/").content.decode()
    assert "栏目5" not in home and "栏目1" in home and "新闻11" in home

    fresh = content.news(unit_a, column=columns[0], title="刚刚发布的新闻", body="正文")
    assert "刚刚发布的新闻" in client.get("/").content.decode()

    with schema_context(unit_a.schema_name):
        Page.objects.get(id=fresh).specific.unpublish()
    assert "刚刚发布的新闻" not in client.get("/").content.decode()

    with schema_context(unit_a.schema_name):
        PageViewRestriction.objects.create(page=Page.objects.get(id=columns[1]), restriction_type="login")
    home = client.get("/").content.decode()
    assert "栏目1" not in home and "另一栏目的新闻" not in home

    with schema_context(unit_a.schema_name):
        PageViewRestriction.objects.filter(page_id=columns[5]).delete()
        moved = Page.objects.get(id=columns[2])
        moved.move(Page.objects.get(id=columns[3]), pos="last-child")
    home = client.get("/").content.decode()
    assert "栏目5" in home
    # 栏目2 is now under 栏目3: listed among its sub-columns, not as a column of its own.
    assert home.index("栏目3") < home.index("栏目2")


def test_a_unit_never_sees_another_units_cached_menus(unit_a, unit_b, content):
    content.column(unit_a, title="甲局专有栏目")
    content.column(unit_b, title="乙局专有栏目")
    page_a = PublicSchemaClient(HTTP_HOST="ta.localhost").get("/").content.decode()
    page_b = PublicSchemaClient(HTTP_HOST="tb.localhost").get("/").content.decode()
    assert "甲局专有栏目" in page_a and "乙局专有栏目" not in page_a
    assert "乙局专有栏目" in page_b and "甲局专有栏目" not in page_b


def test_content_type_ids_are_cached_per_schema(unit_a):
    from django.contrib.contenttypes.models import ContentType

    from sitepages.models import NewsPage

    with schema_context("public"):
        public_id = ContentType.objects.get_for_model(Page).id
    with schema_context(unit_a.schema_name):
        unit_id = ContentType.objects.get_for_model(Page).id
        assert ContentType.objects.get_for_id(unit_id).model_class() is Page
        with CaptureQueriesContext(connection) as captured:
            ContentType.objects.get_for_model(NewsPage)
            ContentType.objects.get_for_model(NewsPage)
        assert len(captured.captured_queries) <= 1
    with schema_context("public"):
        assert ContentType.objects.get_for_model(Page).id == public_id


def test_portal_home_within_its_budget_and_fresh_after_a_publish(unit_a, content):
    column = content.column(unit_a, title="部门动态")
    for i in range(8):
        content.news(unit_a, column=column, title=f"门户首页新闻{i}", body="正文")
    client = PublicSchemaClient(HTTP_HOST="localhost")
    count, response = _queries(client, "/")
    assert count <= 8, count
    assert "门户首页新闻7" in response.content.decode()
    # A publish reaches the cached home as soon as the portal index has it.
    content.news(unit_a, column=column, title="刚进入门户索引的新闻", body="正文")
    assert "刚进入门户索引的新闻" in client.get("/").content.decode()


def test_portal_search_within_its_budget(unit_a, content):
    column = content.column(unit_a, title="部门动态")
    content.news(unit_a, column=column, title="营商环境工作会议", body="营商环境")
    count, response = _queries(PublicSchemaClient(HTTP_HOST="localhost"), "/search/?q=营商环境")
    assert count <= 6, count
    assert "工作会议" in response.content.decode()


def test_the_cached_portal_home_shows_a_harvested_item_once_it_is_approved(db, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from harvest.models import HarvestedItem, HarvestSection, HarvestSource, ItemStatus
    from harvest.parse import content_hash, url_key
    from harvest.services import decide_items

    section = HarvestSection.objects.create(name="国务院信息", slug="guowuyuan")
    source = HarvestSource.objects.create(name="中国政府网", url="https://www.gov.cn/rss.xml", section=section)
    now = timezone.now()
    item = HarvestedItem.objects.create(
        source=source,
        section=section,
        title="待审核的转载信息",
        url="https://www.gov.cn/a.html",
        url_key=url_key("https://www.gov.cn/a.html"),
        content_hash=content_hash(title="待审核的转载信息", summary="", published_at=None),
        harvested_at=now,
        sort_at=now,
        status=ItemStatus.PENDING,
    )
    client = PublicSchemaClient(HTTP_HOST="localhost")
    assert "待审核的转载信息" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decide_items(item_ids=[item.pk], decision="approve", user=get_user_model().objects.get(username="centre"))
    assert "待审核的转载信息" in client.get("/").content.decode()
