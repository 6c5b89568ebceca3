"""The portal home's blocks, cached: built from the index, the unit directory and the harvested
sections once, and forgotten whenever one of them changes (portal/apps.py connects the signals:
a drain that wrote the index, a unit or domain saved or deleted, a harvested item or section
changed). The home then costs one cache read instead of some twenty queries."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

# Versioned: the blocks' shape changed (the unit sites' list pre-rendered); a rolling release must not read old ones.
HOME_KEY = "portal:home:2"
HOME_SECONDS = 300
# The harvested sections the home shows, in order (harvest's demo sections; an unknown slug shows nothing).
HARVESTED_SECTIONS = ("guowuyuan", "shengzhengfu")
HARVESTED_LIMIT = 6


def _harvested_blocks() -> list[dict]:
    from harvest import selectors as harvest_selectors

    blocks = []
    for slug in HARVESTED_SECTIONS:
        block = harvest_selectors.section_block(slug=slug, limit=HARVESTED_LIMIT)
        if block is not None:
            more_url = reverse("harvest_portal:section", args=[block.section.slug], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
            blocks.append({"block": block, "more_url": more_url})
    return blocks


def home_blocks(*, build_sections, build_units, build_lists) -> dict:
    """{"sections", "units", "lists", "harvested"} of the portal home, from the cache or built now."""
    blocks = cache.get(HOME_KEY)
    if blocks is None:
        blocks = {
            "sections": build_sections(),
            "units": build_units(),
            "lists": build_lists(),
            "harvested": _harvested_blocks(),
        }
        cache.set(HOME_KEY, blocks, HOME_SECONDS)
    return blocks


def _forget() -> None:
    from tenants.context import public_schema

    with public_schema():
        cache.delete(HOME_KEY)


def forget_home(**kwargs) -> None:
    """Receiver of every change the home shows. The key is the public schema's (the cache prefixes keys
    with the active schema), and an after-commit signal may arrive while a unit's schema is active.
    Forgotten now and again once the transaction commits: a request in between would cache the old blocks
    (and the page cache, pagecache/, the home built from them)."""
    _forget()
    transaction.on_commit(_forget)
