"""The page cache's answer before Django (pagecache.wsgi.CachedPagesApplication, what gunicorn serves) and each
process's own copies and counters (pagecache.local): a hit there is the same response as Django's hit,
everything that is not an anonymous read of a stored page reaches Django, and publishing, unpublishing and
privacy changes are never answered from a stale copy; a purge in another process lands within
PAGE_CACHE_GENERATION_MS.

Pages are filled through Django's test client (the middleware path); the front application is then called
as gunicorn calls it, with Django behind it replaced by a recorder, so every request that reaches it shows."""

from __future__ import annotations

import io
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test import override_settings
from django_tenants.utils import schema_context
from wagtail.models import Page

from pagecache import local
from pagecache.keys import generation_keys
from pagecache.middleware import LOOKUP_ENVIRON_KEY
from pagecache.selectors import page_cache
from pagecache.services import bump_generations
from pagecache.wsgi import CachedPagesApplication
from tests.support.pagecache import BROWSER, anonymous, build_site, fill, republish, state, text
from visits.models import DailyVisits


class Django:
    """Stands where Django's handler is: records each request that reached it."""

    def __init__(self):
        self.environs: list[dict] = []
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        # As Django's handler begins: the address decoded from the environ as the server gave it (PEP 3333).
        self.paths.append(WSGIRequest(environ).path)
        self.environs.append(environ)
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Answered-By", "django")])
        return [b"django"]


class Reply:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes):
        self.status, self.body = status, body
        self.headers = {name.lower(): value for name, value in headers}

    @property
    def code(self) -> int:
        return int(self.status.split()[0])


def call(app, host: str, path: str, *, method: str = "GET", **headers) -> Reply:
    environ = {
        "REQUEST_METHOD": method,
        # As a server passes it: the address's UTF-8 bytes, each as one character (PEP 3333).
        "PATH_INFO": path.split("?")[0].encode().decode("latin-1"),
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"], captured["headers"] = status, response_headers

    body = b"".join(app(environ, start_response))
    return Reply(captured["status"], captured["headers"], body)


@pytest.fixture
def site(unit_a, content):
    return build_site(unit_a, content)


@pytest.fixture
def front():
    django = Django()
    return CachedPagesApplication(django), django


def test_gunicorn_serves_the_front_application_around_django():
    from govplatform import wsgi

    assert isinstance(wsgi.application, CachedPagesApplication)
    assert isinstance(wsgi.application.application, WSGIHandler)


def test_a_hit_is_answered_before_django_with_the_same_response(site, host_a, front):
    app, django = front
    hit = fill(anonymous(host_a), site["urls"]["item"])
    reply = call(app, host_a, site["urls"]["item"])
    assert not django.environs
    assert reply.code == 200 and reply.body == hit.content
    for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert reply.headers[name.lower()] == hit[name], name
    assert reply.headers["x-page-cache"] == "hit"
    head = call(app, host_a, site["urls"]["item"], method="HEAD")
    assert head.code == 200 and head.body == b"" and head.headers["etag"] == hit["ETag"]
    assert not django.environs


def test_conditional_requests_get_304_before_django(site, host_a, front):
    app, django = front
    hit = fill(anonymous(host_a), "/")
    current = call(app, host_a, "/", if_none_match=hit["ETag"])
    assert current.code == 304 and current.body == b"" and current.headers["etag"] == hit["ETag"]
    assert call(app, host_a, "/", if_modified_since=hit["Last-Modified"]).code == 304
    changed = call(app, host_a, "/", if_none_match='"0123456789abcdef0123456789abcdef"')
    assert changed.code == 200 and changed.body == hit.content
    assert not django.environs


def test_what_is_not_an_anonymous_read_of_a_stored_page_reaches_django(site, host_a, front):
    app, django = front
    fill(anonymous(host_a), "/")
    reached = [
        call(app, host_a, "/", cookie="sessionid=x"),
        call(app, host_a, "/", cookie="messages=x"),
        call(app, host_a, "/", authorization="Basic eDp5"),
        call(app, host_a, "/", method="POST"),
        call(app, host_a, "/admin/login/"),
        call(app, host_a, "/hudong/"),
        # Never stored, or not this query string.
        call(app, host_a, site["urls"]["list"]),
        call(app, host_a, "/?page=2"),
        # A host whose unit this process has not looked up yet: Django's tenant middleware decides.
        call(app, "nobody.localhost", "/"),
    ]
    assert all(reply.headers["x-answered-by"] == "django" for reply in reached)
    assert len(django.environs) == len(reached)


def test_a_chinese_address_reaches_django_as_the_server_gave_it(site, host_a, front):
    app, django = front
    fill(anonymous(host_a), "/")
    for path in ("/政务公开/通知公告/", "/搜索?q=营商环境"):
        reply = call(app, host_a, path)
        assert reply.headers["x-answered-by"] == "django"
    assert django.paths == ["/政务公开/通知公告/", "/搜索"]


def test_a_miss_reaches_django_with_its_lookup_and_the_middleware_uses_it(site, host_a, front, monkeypatch):
    from pagecache import middleware, selectors

    app, django = front
    fill(anonymous(host_a), "/")  # through Django: the tenant middleware has looked the host up
    call(app, host_a, site["urls"]["list"])
    (environ,) = django.environs
    key, lookup = environ[LOOKUP_ENVIRON_KEY]
    assert lookup.entry is None and key.generations == generation_keys(host=host_a, path=site["urls"]["list"])
    # Django's request for it carries the same environ: the middleware takes the lookup instead of reading again.
    monkeypatch.setattr(selectors, "cached_page", lambda *, key: pytest.fail("the cache was read twice"))
    request = type("Request", (), {"META": environ})()
    assert middleware._lookup(request, key) is lookup
    assert LOOKUP_ENVIRON_KEY not in environ


def test_publish_then_read_at_once_before_django(site, unit_a, host_a, front, django_capture_on_commit_callbacks):
    app, _django = front
    client = anonymous(host_a)
    for page in ("home", "list", "item"):
        fill(client, site["urls"][page])
        assert call(app, host_a, site["urls"][page]).headers["x-page-cache"] == "hit"
    republish(django_capture_on_commit_callbacks, unit_a, site["item"], title="乡村振兴工作会议召开")
    for page in ("home", "list", "item"):
        assert call(app, host_a, site["urls"][page]).headers["x-answered-by"] == "django", page
        fresh = client.get(site["urls"][page])
        assert "乡村振兴工作会议召开" in text(fresh) and "营商环境工作会议召开" not in text(fresh)
    # Once stored again, the front answers the new page.
    for page in ("home", "list", "item"):
        reply = call(app, host_a, site["urls"][page])
        assert reply.headers["x-page-cache"] == "hit" and "乡村振兴工作会议召开" in reply.body.decode(), page


def test_unpublished_and_private_pages_are_never_answered_before_django(site, unit_a, host_a, front, content):
    app, _django = front
    client = anonymous(host_a)
    fill(client, site["urls"]["item"])
    fill(client, site["urls"]["other"])
    content.restrict(unit_a, site["item"])
    assert call(app, host_a, site["urls"]["item"]).headers["x-answered-by"] == "django"
    assert 'name="password"' in text(client.get(site["urls"]["item"]))
    # A password form is never stored, so the front keeps handing the page to Django.
    assert call(app, host_a, site["urls"]["item"]).headers["x-answered-by"] == "django"
    with schema_context(unit_a.schema_name):
        Page.objects.get(id=site["other"]).specific.unpublish()
    assert call(app, host_a, site["urls"]["other"]).headers["x-answered-by"] == "django"
    assert client.get(site["urls"]["other"]).status_code == 404


def test_elder_mode_has_its_own_copy_before_django(site, host_a, front):
    app, django = front
    elder = anonymous(host_a)
    elder.cookies["zh_elder_mode"] = "1"
    fill(elder, "/")
    standard = fill(anonymous(host_a), "/")
    assert 'class="elder"' in call(app, host_a, "/", cookie="zh_elder_mode=1").body.decode()
    assert call(app, host_a, "/").body == standard.content
    assert not django.environs


def test_a_hit_before_django_is_still_a_counted_visit(site, unit_a, host_a, front):
    app, django = front
    client = anonymous(host_a)
    fill(client, "/")  # two robot reads (no User-Agent): not counted
    assert not DailyVisits.objects.filter(unit=unit_a).exists()
    for _ in range(3):
        assert call(app, host_a, "/", user_agent=BROWSER).headers["x-page-cache"] == "hit"
    assert call(app, host_a, "/", user_agent="curl/8.0").headers["x-page-cache"] == "hit"
    assert DailyVisits.objects.get(unit=unit_a).views == 3
    assert not django.environs


# --- each process's copies and counters ------------------------------------------------------------------


def _hit_then_purged(front, host: str, purge) -> Reply:
    """The home filled and answered before Django, then `purge`d; the next reply."""
    app, _django = front
    fill(anonymous(host), "/")
    assert call(app, host, "/").headers["x-page-cache"] == "hit"
    purge()
    return call(app, host, "/")


def _bump_elsewhere(host: str, path: str) -> None:
    """What a purge in another web process does to this one: the shared counter moves, the memory here does not."""
    cache = page_cache()
    for name in generation_keys(host=host, path=path)[-1:]:
        cache.incr(name)


def test_a_purge_in_this_process_lands_at_once_whatever_the_counters_memory(site, host_a, front, settings):
    settings.PAGE_CACHE_GENERATION_MS = 60_000
    reply = _hit_then_purged(front, host_a, lambda: bump_generations(generation_keys(host=host_a, path="/")[-1:]))
    assert reply.headers["x-answered-by"] == "django"


def test_a_purge_in_another_process_lands_within_the_counters_memory(site, host_a, front, settings):
    settings.PAGE_CACHE_GENERATION_MS = 300

    def elsewhere_then_wait() -> None:
        _bump_elsewhere(host_a, "/")
        time.sleep(0.35)

    assert _hit_then_purged(front, host_a, elsewhere_then_wait).headers["x-answered-by"] == "django"


def test_without_the_counters_memory_a_purge_elsewhere_lands_at_once(site, host_a, front, settings):
    settings.PAGE_CACHE_GENERATION_MS = 0
    assert _hit_then_purged(front, host_a, lambda: _bump_elsewhere(host_a, "/")).headers["x-answered-by"] == "django"


def test_a_miss_is_stored_against_the_shared_counters_not_remembered_ones(site, host_a, settings):
    settings.PAGE_CACHE_GENERATION_MS = 60_000
    client = anonymous(host_a)
    fill(client, "/")
    _bump_elsewhere(host_a, "/")
    # This process may still answer from its copy within the memory; once the copy is gone, the page is
    # rendered and stored under the counters as they are now, which every process agrees with.
    local.pages.clear()
    assert state(client.get("/")) == "miss"
    names = generation_keys(host=host_a, path="/")
    shared = page_cache().get_many(list(names))
    local.forget_everything()
    assert state(client.get("/")) == "hit"
    assert tuple(shared[name] for name in names) == local.generations.get(names)


def test_local_copies_stay_within_their_byte_limit_least_recently_used_first():
    pages = local.LocalPages()
    now = int(time.time())

    def entry(size: int) -> dict:
        return {"content": b"x" * size, "modified": now, "generations": (1,)}

    with override_settings(PAGE_CACHE_LOCAL_BYTES=250, PAGE_CACHE_SECONDS=300):
        pages.put("a", entry(100))
        pages.put("b", entry(100))
        assert pages.get("a") is not None  # a is now the most recently used
        pages.put("c", entry(100))
        assert pages.get("b") is None and pages.get("a") is not None and pages.get("c") is not None
        pages.put("huge", entry(300))
        assert pages.get("huge") is None and pages.get("a") is not None
    with override_settings(PAGE_CACHE_LOCAL_BYTES=1000, PAGE_CACHE_SECONDS=1):
        pages.put("old", {"content": b"x", "modified": now - 5, "generations": (1,)})
        assert pages.get("old") is None


def test_the_counters_memory_forgets_after_its_time():
    remembered = local.RememberedGenerations()
    with override_settings(PAGE_CACHE_GENERATION_MS=100):
        remembered.remember(("g1", "g2"), (5, 6), mark=remembered.mark())
        assert remembered.get(("g1", "g2")) == (5, 6)
        assert remembered.get(("g1", "g3")) is None
        time.sleep(0.15)
        assert remembered.get(("g1", "g2")) is None
    with override_settings(PAGE_CACHE_GENERATION_MS=0):
        remembered.remember(("g1",), (5,), mark=remembered.mark())
        assert remembered.get(("g1",)) is None


def test_counters_read_before_something_was_forgotten_are_not_remembered():
    # A request reads the counters (mark, then the shared cache); meanwhile a purge in this process, or a purge
    # notice from another, forgets counters. What the request read may predate that purge: not remembered.
    remembered = local.RememberedGenerations()
    with override_settings(PAGE_CACHE_GENERATION_MS=60_000):
        for forget in (lambda: remembered.forget(["g9"]), remembered.clear):
            mark = remembered.mark()
            forget()
            remembered.remember(("g1",), (5,), mark=mark)
            assert remembered.get(("g1",)) is None
        remembered.remember(("g1",), (5,), mark=remembered.mark())
        assert remembered.get(("g1",)) == (5,)
