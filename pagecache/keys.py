"""Cache keys of the page cache: entries and the generation counters folded into them. Pure functions.

An entry is stored under a digest of scheme, host, schema, 长者模式 variant, path and query. Whether it is
still valid is decided by generation counters, read together with the entry in one `get_many`:

- one for the whole platform (a unit or domain changed: every host at once),
- one per host and path prefix ending in "/" ("/" is the whole host; "/a/" the page /a/ and all below it),
  up to MAX_PREFIX_DEPTH segments,
- one per host and exact path (the page with every query string it is requested with).

The entry records the values it was rendered under; a purge increments counters (O(1) however many
pages it drops, and for every web process at once when the cache is Redis), so an entry rendered
before the purge no longer matches. Hosts are compared as django-tenants resolves them: lower case,
without port and without a leading "www.". The keys carry host and schema themselves, so the cache
alias needs no schema prefix and a purge may run in whatever schema its signal arrives in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.http.request import split_domain_port

# Deeper paths share the counter of their ancestor at this depth (a prefix purge there drops them too).
MAX_PREFIX_DEPTH = 8
PLATFORM_GENERATION_KEY = "g:*"
ELDER_VARIANT = "elder"
STANDARD_VARIANT = "standard"


def make_key(key: str, key_prefix: str, version: int) -> str:
    """KEY_FUNCTION of the "pagecache" alias: django_tenants.cache.make_key's shape with a fixed first part
    instead of the active schema (the keys below carry their own), so purges and reads agree in any schema."""
    return f"pages:{key_prefix}:{version}:{key}"


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def normal_host(host: str) -> str:
    """`Fgj.Example.cn:8000` and `www.fgj.example.cn` → `fgj.example.cn`: the host a tenant is looked up by."""
    domain, _port = split_domain_port(host.lower())
    domain = domain or host.lower().rsplit(":", 1)[0]
    return domain.removeprefix("www.")


def path_prefixes(path: str) -> list[str]:
    """ "/a/b/c" → ["/", "/a/", "/a/b/"]; "/a/b/" → ["/", "/a/", "/a/b/"] (a page is under its own prefix)."""
    segments = [segment for segment in path.split("/")[1:-1] if segment][:MAX_PREFIX_DEPTH]
    prefixes = ["/"]
    for index in range(len(segments)):
        prefixes.append("/" + "/".join(segments[: index + 1]) + "/")
    return prefixes


def prefix_key(host: str, prefix: str) -> str:
    return "p:" + _digest(host, prefix)


def exact_key(host: str, path: str) -> str:
    return "x:" + _digest(host, path)


def generation_keys(*, host: str, path: str) -> tuple[str, ...]:
    """Every counter an entry of `host` + `path` depends on, in a fixed order."""
    host = normal_host(host)
    return (
        PLATFORM_GENERATION_KEY,
        *(prefix_key(host, prefix) for prefix in path_prefixes(path)),
        exact_key(host, path),
    )


@dataclass(frozen=True)
class PageKey:
    entry: str
    generations: tuple[str, ...]


def page_key(*, scheme: str, host: str, schema: str, variant: str, path: str, query: str) -> PageKey:
    entry = "e:" + _digest(scheme, host.lower(), schema, variant, path, query)
    return PageKey(entry=entry, generations=generation_keys(host=host, path=path))


def purge_keys(url: str) -> tuple[str, ...]:
    """The counters to increment so that `url` is purged.

    `https://h/a/` drops the page /a/ with every query string; `https://h/a/*` drops /a/ and everything
    below it; `https://h/*` the whole host; `https://h/a/?*` the query strings of /a/ (and /a/ itself).
    A prefix that does not end in "/" (`https://h/feeds/col*`) drops from its last "/" on: more than
    asked, never less.
    """
    prefix = url.endswith("*")
    parts = urlsplit(url[:-1] if prefix else url)
    host = normal_host(parts.netloc)
    path = unquote(parts.path) or "/"
    if not host:
        return ()
    if not prefix or "?" in url:
        return (exact_key(host, path),)
    cut = path[: path.rfind("/") + 1] or "/"
    deepest = path_prefixes(cut)[-1]
    return (prefix_key(host, deepest),)
