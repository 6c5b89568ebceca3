"""Chinese search inside a unit's Wagtail admin (search.wagtail_backend)."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import schema_context
from wagtail.models import Site
from wagtail.rich_text import RichText

from sitepages.models import ColumnListingPage, NewsPage
from tests.support.clients import unit_admin_client


def test_admin_page_search_finds_words_inside_compounds(unit_a, django_capture_on_commit_callbacks):
    # Wagtail updates its search index in a deferred task after commit.
    with django_capture_on_commit_callbacks(execute=True), schema_context(unit_a.schema_name):
        column = Site.objects.get().root_page.add_child(
            instance=ColumnListingPage(title="规划计划", slug="plans", item_type="news")
        )
        column.save_revision().publish()
        page = column.add_child(
            instance=NewsPage(
                title="珠海市国民经济和社会发展第十五个五年规划纲要解读",
                slug="plan",
                author="李四",
                source="市发展改革局",
                publish_date=dt.date(2026, 3, 1),
                body=[("paragraph", RichText("<p>本文解读国民经济发展规划的主要目标。</p>"))],
            )
        )
        page.save_revision().publish()
        other = column.add_child(
            instance=NewsPage(
                title="全市安全生产检查",
                slug="safety",
                author="李四",
                source="应急管理局",
                publish_date=dt.date(2026, 3, 2),
                body=[("paragraph", RichText("<p>开展安全生产大检查。</p>"))],
            )
        )
        other.save_revision().publish()
    client = unit_admin_client(unit_a)
    response = client.get("/admin/pages/search/", {"q": "发展规划"}, HTTP_HOST="ta.localhost")
    html = response.content.decode()
    assert response.status_code == 200
    assert "国民经济和社会发展第十五个五年规划纲要解读" in html
    assert "全市安全生产检查" not in html
    by_title_word = client.get("/admin/pages/search/", {"q": "安全生产"}, HTTP_HOST="ta.localhost").content.decode()
    assert "全市安全生产检查" in by_title_word and "五年规划纲要解读" not in by_title_word
