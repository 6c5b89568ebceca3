"""Publishing from the test process, exactly as a web node does: the stack's database, signals, outbox and broker."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from django.db import close_old_connections, connection
from django.db.utils import InterfaceError, OperationalError
from wagtail.rich_text import RichText

from tenants.context import schema_named

_serial = itertools.count()


def unit_schema(code: str) -> str:
    from tenants.models import Unit

    return Unit.objects.get(code=code).schema_name


def news_column(code: str) -> int:
    from sitepages.models import ColumnListingPage

    with schema_named(unit_schema(code)):
        return ColumnListingPage.objects.filter(item_type="news").order_by("path").values_list("id", flat=True).first()


def publish_news(*, code: str, column_id: int, title: str) -> int:
    """Create and publish a news item; returns its id once the publish committed (acknowledged)."""
    from wagtail.models import Page

    from sitepages.models import NewsPage

    with schema_named(unit_schema(code)):
        parent = Page.objects.get(id=column_id)
        page = parent.add_child(
            instance=NewsPage(
                title=title,
                slug=f"stack-{int(time.time() * 1000)}-{next(_serial)}",
                author="测试",
                source="本局",
                publish_date=dt.date.today(),
                body=[("paragraph", RichText(f"<p>{title}：生产环境故障测试。</p>"))],
            )
        )
        page.save_revision().publish()
        return page.id


def try_publish(*, code: str, column_id: int, title: str) -> int | None:
    """A publish that may meet the database going away: None when it was not acknowledged."""
    try:
        return publish_news(code=code, column_id=column_id, title=title)
    except (OperationalError, InterfaceError):
        connection.close()
        return None
    finally:
        close_old_connections()


def index_counts(*, code: str, page_ids: list[int]) -> dict[int, int]:
    """How many portal documents each page has (exactly one once indexed)."""
    from search.models import PortalDocument

    schema = unit_schema(code)
    counts = dict.fromkeys(page_ids, 0)
    keys = {f"{schema}:{page_id}": page_id for page_id in page_ids}
    for key in PortalDocument.objects.filter(key__in=list(keys)).values_list("key", flat=True):
        counts[keys[key]] += 1
    return counts


def pending_outbox(*, code: str, page_ids: list[int]) -> int:
    from search.models import OutboxEntry

    return OutboxEntry.objects.filter(schema_name=unit_schema(code), page_id__in=page_ids).count()
