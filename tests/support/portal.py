"""Content for the portal index tests: pages created and published in a unit, and what the index holds."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import schema_context
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.rich_text import RichText

from search.backends.base import PortalDoc
from search.models import PortalDocument
from sitepages.models import ColumnListingPage, NewsPage, PolicyDocumentPage


class SiteContent:
    """Creates and publishes pages in a unit; commit callbacks (the outbox drain) run as in production."""

    def __init__(self, capture):
        self.capture = capture
        self._slugs = 0

    def _slug(self, prefix: str) -> str:
        self._slugs += 1
        return f"{prefix}{self._slugs}"

    def column(
        self, unit, *, title: str = "部门动态", item_type: str = "news", categories: str = "", parent_id: int | None = None
    ) -> int:
        with self.capture(execute=True), schema_context(unit.schema_name):
            parent = Page.objects.get(id=parent_id) if parent_id else Site.objects.get().root_page
            column = parent.add_child(
                instance=ColumnListingPage(
                    title=title, slug=self._slug("c"), item_type=item_type, disclosure_categories=categories
                )
            )
            column.save_revision().publish()
            return column.id

    def news(
        self, unit, *, column: int, title: str, body: str, publish: bool = True, day: dt.date = dt.date(2026, 11, 20)
    ) -> int:
        with self.capture(execute=True), schema_context(unit.schema_name):
            parent = Page.objects.get(id=column)
            page = parent.add_child(
                instance=NewsPage(
                    title=title,
                    slug=self._slug("n"),
                    author="张三",
                    source="本局",
                    publish_date=day,
                    live=publish,
                    body=[("paragraph", RichText(f"<p>{body}</p>"))],
                )
            )
            revision = page.save_revision()
            if publish:
                revision.publish()
            return page.id

    def policy(self, unit, *, column: int, title: str, body: str, doc_number: str) -> int:
        with self.capture(execute=True), schema_context(unit.schema_name):
            page = Page.objects.get(id=column).add_child(
                instance=PolicyDocumentPage(
                    title=title,
                    slug=self._slug("p"),
                    doc_number=doc_number,
                    issuing_body="珠海市测试甲局",
                    subject_words="营商环境",
                    index_number="11440400-2026-00001",
                    publish_date=dt.date(2026, 10, 8),
                    written_date=dt.date(2026, 9, 30),
                    body=[("paragraph", RichText(f"<p>{body}</p>"))],
                )
            )
            page.save_revision().publish()
            return page.id

    def unpublish(self, unit, page_id: int) -> None:
        with self.capture(execute=True), schema_context(unit.schema_name):
            Page.objects.get(id=page_id).specific.unpublish()

    def delete(self, unit, page_id: int) -> None:
        with self.capture(execute=True), schema_context(unit.schema_name):
            Page.objects.get(id=page_id).delete()

    def move(self, unit, page_id: int, *, to: int) -> None:
        with self.capture(execute=True), schema_context(unit.schema_name):
            Page.objects.get(id=page_id).specific.move(Page.objects.get(id=to), pos="last-child")

    def restrict(self, unit, page_id: int, *, password: str = "pw-secret-1") -> int:
        with self.capture(execute=True), schema_context(unit.schema_name):
            return PageViewRestriction.objects.create(
                page=Page.objects.get(id=page_id), restriction_type=PageViewRestriction.PASSWORD, password=password
            ).id

    def unrestrict(self, unit, restriction_id: int) -> None:
        with self.capture(execute=True), schema_context(unit.schema_name):
            PageViewRestriction.objects.get(id=restriction_id).delete()


def portal_search(client, **params):
    """The portal's search page (the client leaves the connection on the public schema)."""
    return client.get("/search/", params, HTTP_HOST="localhost")


def keys(unit, *page_ids: int) -> set[str]:
    return {f"{unit.schema_name}:{page_id}" for page_id in page_ids}


def indexed_keys() -> set[str]:
    return set(PortalDocument.objects.values_list("key", flat=True))


def portal_doc(
    *,
    unit: str,
    unit_name: str,
    page_id: int,
    title: str,
    body: str,
    day: dt.date,
    published_at: dt.datetime,
    page_type: str = "news",
    summary: str | None = None,
) -> PortalDoc:
    """A document written straight to a portal index (no page behind it), in the 部门动态 column of `unit`."""
    return PortalDoc(
        schema_name=f"unit_{unit}",
        page_id=page_id,
        unit_code=unit,
        unit_name=unit_name,
        column_path=["部门动态"],
        column_title="部门动态",
        page_type=page_type,
        categories=["工作动态"],
        publish_date=day,
        written_date=None,
        year=day.year,
        published_at=published_at,
        url=f"http://{unit}.localhost/news/{page_id}/",
        title=title,
        summary=body[:60] if summary is None else summary,
        body=body,
    )
