"""Helpers of the page cache tests (tests/test_page_cache.py, tests/test_page_cache_front.py): anonymous clients, the
cache's verdict on a response, and a unit site with two columns of news."""

from __future__ import annotations

from django_tenants.utils import schema_context
from wagtail.models import Page

from tests.support.clients import PublicSchemaClient

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def anonymous(host: str) -> PublicSchemaClient:
    return PublicSchemaClient(HTTP_HOST=host)


def state(response) -> str:
    return response["X-Page-Cache"]


def text(response) -> str:
    return response.content.decode()


def url_of(unit, page_id: int) -> str:
    with schema_context(unit.schema_name):
        return Page.objects.get(id=page_id).url


def build_site(unit_a, content) -> dict:
    """Two columns of unit A, each with news; the first item's words are searchable on the portal."""
    first = content.column(unit_a, title="部门动态")
    second = content.column(unit_a, title="通知公告栏目")
    item = content.news(unit_a, column=first, title="营商环境工作会议召开", body="会议部署营商环境工作")
    other = content.news(unit_a, column=second, title="另一栏目的消息", body="正文")
    return {
        "first": first,
        "second": second,
        "item": item,
        "other": other,
        "urls": {
            "home": "/",
            "list": url_of(unit_a, first),
            "item": url_of(unit_a, item),
            "other": url_of(unit_a, other),
            "sitemap": "/sitemap.xml",
            "feed": "/feeds/rss/",
        },
    }


def fill(client, path: str, **params):
    """Read `path` until it comes from the cache; the cached response."""
    first = client.get(path, params) if params else client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    second = client.get(path, params) if params else client.get(path)
    assert state(second) == "hit", (path, state(first), state(second))
    return second


def republish(capture, unit, page_id: int, *, title: str) -> None:
    with capture(execute=True), schema_context(unit.schema_name):
        page = Page.objects.get(id=page_id).specific
        page.title = title
        page.save_revision().publish()
