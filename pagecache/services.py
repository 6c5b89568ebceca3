"""Writes of the page cache: storing a rendered page, and purging what a change makes stale.

What a change purges (the purge map), on every host of the unit (its Site and every Domain row):

- an item (a sitepages ArticlePage) published, unpublished, saved live, deleted or made private or
  public: the item itself (with everything below it when deleted or its privacy changed), each of its
  ancestors (its column's list with every ?page=, its sections, the unit's home), /sitemap.xml and
  /feeds/*; a move does this for the old and the new place;
- the home page or a column (any other page type): the whole host, because columns make up the
  menus and breadcrumbs of every page and the 政府信息公开目录;
- the unit's 首页动态信息 setting or 年度报表: the unit's home;
- the portal index written (search.events.portal_index_changed), harvested items or sections: every
  page of the portal's hosts;
- a unit or a domain saved or deleted: every page of every host (one platform-wide counter), and the
  portal's and that unit's hosts for the other backends (nginx).

Every purge lands twice: at once in this process's view of Django's cache (a request later in the same
transaction, or a test, sees it), and again in every backend once the transaction commits. The second
one retires whatever a request stored between the change and the commit, when it could still read the
old rows; nginx is told only then, so it cannot fetch the old page again. Purges run synchronously (no
queue): they land within the request that made the change.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils.cache import patch_cache_control, quote_etag
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date

from tenants.context import current_schema_name

from . import local, notices
from .keys import PageKey
from .selectors import page_cache

# Headers a cached entry never replays.
_NOT_STORED_HEADERS = frozenset({"x-page-cache", "set-cookie", "expires"})
# Page fields a save can touch without changing what the public sees (drafts, locks, revisions).
DRAFT_ONLY_FIELDS = frozenset(
    {
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
    }
)


def cache_seconds() -> int:
    return max(1, int(settings.PAGE_CACHE_SECONDS))


def generation_seconds() -> int:
    """Counters outlive every entry that records them (each store renews them), so one that expired
    has no entry left to match; a counter created again starts at a fresh random value anyway."""
    return max(10 * cache_seconds(), 24 * 3600)


def fresh_generation() -> int:
    """A random start: a counter lost to eviction never comes back at a value an old entry recorded."""
    return secrets.randbits(62)


# --- storing --------------------------------------------------------------------------------


def apply_cache_headers(response, *, etag: str, modified: int) -> None:
    """Browsers revalidate every time (max-age=0, answered 304 while unchanged); shared caches keep the page
    for PAGE_CACHE_SHARED_SECONDS (s-maxage; X-Accel-Expires for nginx's proxy_cache, which strips it)."""
    seconds = max(1, int(settings.PAGE_CACHE_SHARED_SECONDS))
    response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["X-Accel-Expires"] = str(seconds)
    if response.has_header("Expires"):
        del response["Expires"]


def mark_uncacheable(response) -> None:
    """An anonymous response the page cache did not keep: no shared cache keeps it either."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
        response["X-Accel-Expires"] = "0"


def store_page(*, key: PageKey, seen: tuple[int | None, ...], response) -> dict | None:
    """Keep `response` under `key`, valid for the counters as they were before it was rendered (`seen`).

    A counter that did not exist yet is created now; if someone else created it meanwhile (a purge, or
    another page's store), the page is not kept this time: it may have been rendered before that purge.
    """
    cache = page_cache()
    lifetime = generation_seconds()
    generations = list(seen)
    for index, (name, value) in enumerate(zip(key.generations, seen, strict=True)):
        if value is None:
            generations[index] = fresh_generation()
            if not cache.add(name, generations[index], lifetime):
                return None
        else:
            cache.touch(name, lifetime)
    content = bytes(response.content)
    etag = quote_etag(hashlib.blake2b(content, digest_size=16).hexdigest())
    modified = int(time.time())
    apply_cache_headers(response, etag=etag, modified=modified)
    entry = {
        "generations": tuple(generations),
        "status": response.status_code,
        "headers": [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED_HEADERS],
        "content": content,
        "etag": etag,
        "modified": modified,
    }
    cache.set(key.entry, entry, cache_seconds())
    local.pages.put(key.entry, entry)
    return entry


# --- purging: the counters -------------------------------------------------------------------


def bump_generations(names: Iterable[str]) -> None:
    """Increment each counter: every entry that recorded its old value no longer matches."""
    cache = page_cache()
    lifetime = generation_seconds()
    names = list(dict.fromkeys(names))
    for name in names:
        try:
            cache.incr(name)
        except ValueError:
            # Missing: created now, so that a request that started before this purge cannot create it
            # after (its store then refuses to keep the page, store_page).
            if not cache.add(name, fresh_generation(), lifetime):
                try:
                    cache.incr(name)
                except ValueError:
                    # Neither incremented nor created (gone again, or the cache is unreachable): deleted, so no
                    # entry matches it; an unreachable Redis remembers the missed delete (govplatform.cache).
                    cache.delete(name)
    # Forgotten after the increments: a read of the counters that raced them is not remembered either
    # (pagecache.local's mark). This process reads the new values at its next request, every other web process
    # once it has read the notice.
    local.generations.forget(names)
    notices.announce(cache, names)


def cache_emptied(*, cache) -> None:
    """A cache alias was emptied after an outage (govplatform.cache). If it is the page cache, no counter
    remembered of it holds: forgotten here, and in every other web process through the notice."""
    if cache.key_prefix == page_cache().key_prefix:
        local.generations.clear()
        notices.announce_all(cache)


# --- purging: now and after commit ---------------------------------------------------------------


def _backends(*, django_cache_only: bool) -> dict:
    from wagtail.contrib.frontend_cache.utils import get_backends

    from .backends import DjangoCacheBackend

    backends = get_backends()
    if django_cache_only:
        backends = {name: backend for name, backend in backends.items() if isinstance(backend, DjangoCacheBackend)}
    return backends


def _send(*, urls: Iterable[str], all_hosts: bool, django_cache_only: bool) -> None:
    """Through wagtail.contrib.frontend_cache, synchronously: its task function is called, not queued."""
    from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task

    backends = _backends(django_cache_only=django_cache_only)
    if not backends:
        return
    if all_hosts:
        for backend in backends.values():
            purge_all_hosts = getattr(backend, "purge_all_hosts", None)
            if purge_all_hosts is not None:
                purge_all_hosts()
    urls = sorted(urls)
    if urls:
        purge_urls_from_cache_task.call(urls, None, list(backends))


def collapse(urls: Iterable[str]) -> set[str]:
    """Drop the URLs a prefix purge of the same host already covers (a deleted column's items)."""
    urls = set(urls)
    prefixes = [url[:-1] for url in urls if url.endswith("*") and "?" not in url]
    return {url for url in urls if not any(url != prefix + "*" and url.startswith(prefix) for prefix in prefixes)}


class _AfterCommitPurge:
    """One transaction's purges, sent to every backend once it commits."""

    def __init__(self) -> None:
        self.urls: set[str] = set()
        self.all_hosts = False
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _send(urls=collapse(self.urls), all_hosts=self.all_hosts, django_cache_only=False)


# The batch this thread registered last, where it sits in the connection's on_commit list, and that list.
_registered = threading.local()


def _pending() -> tuple[_AfterCommitPurge, bool]:
    """The transaction's batch, or a new one (True: not registered with on_commit yet).

    The last batch is reused while Django still holds it at the place it was registered, in the same
    list, and it has not run: a commit or a rolled-back savepoint replaces the list, and a batch that ran
    (a test's captured callbacks) is never reused.
    """
    batch, index, callbacks = getattr(_registered, "last", (None, -1, None))
    if (
        batch is not None
        and not batch.done
        and connection.in_atomic_block
        and connection.run_on_commit is callbacks
        and index < len(callbacks)
        and callbacks[index][1] is batch
    ):
        return batch, False
    return _AfterCommitPurge(), True


def _register(batch: _AfterCommitPurge) -> None:
    if connection.in_atomic_block:
        _registered.last = (batch, len(connection.run_on_commit), connection.run_on_commit)
    # Outside a transaction this runs at once; robust: a failing purge never stops the other commit callbacks.
    transaction.on_commit(batch, robust=True)


def purge(*, urls: Iterable[str] = (), all_hosts: bool = False, once_per_transaction: bool = False) -> None:
    """Purge `urls` (and every host, `all_hosts`) now from Django's cache and from every backend after commit.

    `once_per_transaction`: a URL this transaction purged already is not purged again now (a deletion
    signals every page of the subtree it removes).
    """
    urls = set(urls)
    if not urls and not all_hosts:
        return
    batch, new = _pending()
    now = urls - batch.urls if once_per_transaction else urls
    now_all_hosts = all_hosts and not (once_per_transaction and batch.all_hosts)
    if now or now_all_hosts:
        _send(urls=now, all_hosts=now_all_hosts, django_cache_only=True)
    batch.urls |= urls
    batch.all_hosts |= all_hosts
    if new:
        _register(batch)


# --- the purge map ----------------------------------------------------------------------------------


def _in_unit_schema() -> bool:
    return current_schema_name() not in {settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA}


def _base_urls(hostnames: Iterable[str]) -> list[str]:
    return sorted({f"{settings.PORTAL_SCHEME}://{host.lower()}" for host in hostnames if host})


def _unit_hostnames(*, schema_name: str, site_roots) -> set[str]:
    from tenants.models import Domain

    hostnames = {urlsplit(root.root_url).hostname for root in site_roots}
    hostnames |= set(Domain.objects.filter(tenant__schema_name=schema_name).values_list("domain", flat=True))
    return {host for host in hostnames if host}


def _relative_path(url_path: str, site_roots) -> str | None:
    """The path a page is served at on its unit's host (Wagtail's serve view), or None if no site shows it."""
    for root in site_roots:
        if url_path.startswith(root.root_path):
            return "/" + url_path[len(root.root_path) :]
    return None


def _ancestor_paths(path: str) -> list[str]:
    """ "/c1/s2/n3/" → ["/c1/s2/", "/c1/", "/"]."""
    segments = [segment for segment in path.split("/") if segment]
    return ["/" + "".join(f"{segment}/" for segment in segments[:depth]) for depth in range(len(segments) - 1, -1, -1)]


def is_item_page(page) -> bool:
    """Items appear on their own page and in their ancestors' lists; every other page shapes the site."""
    from sitepages.models import ArticlePage

    model = page.specific_class or type(page)
    return issubclass(model, ArticlePage)


def unit_page_urls(*, page, url_path: str, subtree: bool) -> set[str]:
    """What a change of `page` (at `url_path`) purges in the active unit schema: see the module docstring."""
    from wagtail.models import Site

    if not _in_unit_schema():
        return set()
    site_roots = Site.get_site_root_paths()
    path = _relative_path(url_path, site_roots)
    if path is None:
        return set()
    bases = _base_urls(_unit_hostnames(schema_name=current_schema_name(), site_roots=site_roots))
    if not is_item_page(page):
        return {f"{base}/*" for base in bases}
    paths = [path + ("*" if subtree else ""), *_ancestor_paths(path), "/sitemap.xml", "/feeds/*"]
    return {base + iri_to_uri(item) for base in bases for item in paths}


def page_changed(*, page, subtree: bool = False, once_per_transaction: bool = False) -> None:
    """Published, unpublished, saved, deleted (`subtree`), or its privacy changed (`subtree`)."""
    purge(
        urls=unit_page_urls(page=page, url_path=page.url_path, subtree=subtree),
        once_per_transaction=once_per_transaction,
    )


def page_moved(*, page, url_path_before: str, url_path_after: str) -> None:
    urls = unit_page_urls(page=page, url_path=url_path_before, subtree=True)
    urls |= unit_page_urls(page=page, url_path=url_path_after, subtree=True)
    purge(urls=urls)


def unit_home_changed(*, unit=None) -> None:
    """The unit's home (its 首页动态信息 columns, its 年度报表 link): `unit`, or the active schema's."""
    from tenants.hosts import unit_hostname

    if unit is not None:
        hostnames = {*unit.domains.values_list("domain", flat=True), unit_hostname(unit.code)}
    elif _in_unit_schema():
        from wagtail.models import Site

        hostnames = _unit_hostnames(schema_name=current_schema_name(), site_roots=Site.get_site_root_paths())
    else:
        return
    purge(urls={f"{base}/" for base in _base_urls(hostnames)})


def portal_urls() -> set[str]:
    from tenants.services import portal_hostnames

    return {f"{base}/*" for base in _base_urls(portal_hostnames())}


def portal_changed() -> None:
    """The index, a harvested item or section: every page of the portal's hosts."""
    purge(urls=portal_urls())


def registry_changed(*, hostnames: Iterable[str]) -> None:
    """A unit or domain: every host's pages show the registry somewhere (footers, 机构目录, the portal)."""
    purge(urls=portal_urls() | {f"{base}/*" for base in _base_urls(hostnames)}, all_hosts=True)
