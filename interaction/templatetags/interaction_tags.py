"""Published replies shown alike whether they come from a unit's cases or the portal's PublishedReply rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import template
from django.urls import reverse

from tenants.context import current_unit

from ..models import Case, Kind

register = template.Library()


@dataclass(frozen=True)
class PublicItem:
    title: str
    kind_label: str
    received_on: date | None
    replied_on: date | None
    unit_name: str
    link: str
    question: str
    answer: str


def _item(obj) -> PublicItem:
    from ..selectors import local_date

    if isinstance(obj, Case):
        unit = current_unit()
        return PublicItem(
            title=obj.public_subject,
            kind_label=obj.get_kind_display(),
            received_on=local_date(obj.received_at),
            replied_on=local_date(obj.answered_at) if obj.answered_at else None,
            unit_name=unit.name if unit else "市政府门户",
            link=reverse("interaction_site:reply", args=[obj.pk]),
            question=obj.public_question,
            answer=obj.public_reply,
        )
    return PublicItem(
        title=obj.subject,
        kind_label=Kind(obj.kind).label,
        received_on=obj.received_on,
        replied_on=obj.replied_on,
        unit_name=obj.unit_name,
        link=obj.url,
        question=obj.question,
        answer=obj.reply,
    )


@register.simple_tag
def public_item(obj) -> PublicItem:
    return _item(obj)


class _Page(list):
    """A page of items that keeps the paginator's navigation."""


@register.simple_tag
def public_items(page_obj):
    items = _Page(_item(obj) for obj in page_obj)
    for name in ("number", "paginator", "has_other_pages", "has_previous", "has_next"):
        setattr(items, name, getattr(page_obj, name))
    if page_obj.has_previous():
        items.previous_page_number = page_obj.previous_page_number()
    if page_obj.has_next():
        items.next_page_number = page_obj.next_page_number()
    return items


@register.simple_tag
def error_report_entry(site_code: str):
    """The national 我为政府网站找错 entry for a site (its 网站标识码); the script URL is GOV_ERROR_REPORT_SCRIPT_URL."""
    from django.conf import settings
    from django.utils.html import format_html

    url = getattr(settings, "GOV_ERROR_REPORT_SCRIPT_URL", "")
    if not url or not site_code:
        return ""
    return format_html(
        '<span class="error-report-entry"><script id="_jiucuo_" sitecode="{}" src="{}"></script>'
        '<noscript><a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={}">我为政府网站找错</a></noscript></span>',
        site_code,
        url,
        site_code,
    )
