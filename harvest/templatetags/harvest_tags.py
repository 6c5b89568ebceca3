"""{% load harvest_tags %}{% harvested_section "guowuyuan" limit=6 %}: a portal homepage block of a harvested section."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from .. import selectors

register = template.Library()


@register.inclusion_tag("harvest/portal/section_block.html")
def harvested_section(slug: str, limit: int = 6) -> dict:
    """The section's newest shown items (title, source, date, link to the original) and its 更多 link;
    nothing at all when no section has this slug."""
    try:
        count = int(limit)
    except (TypeError, ValueError):
        count = 6
    block = selectors.section_block(slug=str(slug), limit=count)
    if block is None:
        return {"block": None}
    # The portal's URL conf, whichever conf the rendering request (or none) has.
    more_url = reverse("harvest_portal:section", args=[block.section.slug], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return {"block": block, "more_url": more_url}
