"""Asynchronous link checker for the websites of government units.

The city information centre uses it to find pages that do not open
(第十一条（三）of the 2007 measures): ``crawler`` crawls a unit's own site from
its homepage and checks every link found there, ``html`` extracts the links
of a page, ``guard`` keeps every request away from private addresses.

Deliberately pure Python (asyncio + aiohttp + lxml, no Django) so it can run
in a worker, a management command or a stand-alone script alike.
"""

from .crawler import CheckConfig, CrawlReport, LinkResult, LinkSource, check_site, crawl, make_session
from .guard import BlockedAddress, GuardedResolver, is_public_address
from .html import extract_links, normalize_url

__all__ = [
    "BlockedAddress",
    "CheckConfig",
    "CrawlReport",
    "GuardedResolver",
    "LinkResult",
    "LinkSource",
    "check_site",
    "crawl",
    "extract_links",
    "is_public_address",
    "make_session",
    "normalize_url",
]
