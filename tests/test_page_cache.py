"""The full-page cache of anonymous readers (pagecache/), through real pages of the test units and the portal:
a page is rendered once and then served from the cache with validators; every request that is not an
anonymous read bypasses it and every response that is not a public page is never stored; publishing,
unpublishing, moving, deleting and privacy changes purge at once (zero stale pages), unit by unit; and
the purges reach nginx over HTTP PURGE after the commit."""

from __future__ import annotations

import logging
import re

import pytest
from aiohttp import web
from django.core.cache import caches
from django.http import HttpResponse, StreamingHttpResponse
from django.template import RequestContext, Template
from django.urls import path
from django.utils.cache import patch_vary_headers
from django_tenants.utils import schema_context
from wagtail.models import Page, PageViewRestriction

from pagecache import checks
from pagecache.backends import DjangoCacheBackend, NginxPurgeBackend
from pagecache.keys import generation_keys, purge_keys
from pagecache.local import forget_everything
from tests.support.clients import unit_admin_client
from tests.support.pagecache import BROWSER, anonymous, build_site, fill, republish, state, text, url_of
from tests.support.servers import ServerThread, closed_port
from visits.models import DailyVisits


def found(response, unit, page_id: int) -> bool:
    """The portal's search results list the page."""
    return f'data-key="{unit.schema_name}:{page_id}"' in text(response)


@pytest.fixture
def site(unit_a, content):
    return build_site(unit_a, content)


# --- hits, headers, conditional requests ------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "list", "item", "sitemap", "feed"])
def test_a_unit_page_is_rendered_once_then_served_from_the_cache(site, host_a, page):
    client = anonymous(host_a)
    first = client.get(site["urls"][page])
    assert first.status_code == 200 and state(first) == "miss"
    second = client.get(site["urls"][page])
    assert state(second) == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=1"
        assert response["X-Accel-Expires"] == "1"
        assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
        assert response["Last-Modified"].endswith("GMT")
    assert second["ETag"] == first["ETag"] and second["Content-Type"] == first["Content-Type"]
    # The headers the rest of the stack added when the page was rendered are replayed.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"]


def test_portal_pages_are_cached_too(site, unit_a):
    client = anonymous("localhost")
    for path_, params in (("/", {}), ("/search/", {"q": "营商环境"}), ("/units/", {})):
        response = fill(client, path_, **params)
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert found(client.get("/search/", {"q": "营商环境"}), unit_a, site["item"])


def test_conditional_requests_answer_304_from_a_hit_and_from_a_fresh_render(site, host_a):
    client = anonymous(host_a)
    item = site["urls"]["item"]
    first = client.get(item)
    etag, modified = first["ETag"], first["Last-Modified"]
    not_modified = client.get(item, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and state(not_modified) == "hit"
    assert not_modified["ETag"] == etag and not not_modified.content
    assert not_modified["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert client.get(item, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    changed = client.get(item, HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')
    assert changed.status_code == 200 and changed.content == first.content
    # Rendered again (the cache emptied): the same page has the same ETag, so the browser's copy is still good.
    caches["pagecache"].clear()
    # This process's copies and counters too (other processes let theirs go within PAGE_CACHE_GENERATION_MS).
    forget_everything()
    again = client.get(item, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and state(again) == "miss"


def test_head_is_answered_from_the_cache(site, host_a):
    client = anonymous(host_a)
    fill(client, "/")
    head = client.head("/")
    assert head.status_code == 200 and state(head) == "hit"


def test_a_cache_hit_costs_no_query(site, host_a, django_assert_max_num_queries):
    client = anonymous(host_a)
    fill(client, site["urls"]["item"])
    with django_assert_max_num_queries(0):
        assert state(client.get(site["urls"]["item"])) == "hit"
    portal = anonymous("localhost")
    fill(portal, "/")
    with django_assert_max_num_queries(0):
        assert state(portal.get("/")) == "hit"


def test_a_cache_hit_is_still_a_counted_visit(site, unit_a, host_a):
    client = anonymous(host_a)
    assert state(client.get("/", HTTP_USER_AGENT=BROWSER)) == "miss"
    assert state(client.get("/", HTTP_USER_AGENT=BROWSER)) == "hit"
    assert DailyVisits.objects.get(unit=unit_a).views == 2


def test_switched_off_nothing_is_cached(site, host_a, settings):
    settings.PAGE_CACHE_ENABLED = False
    client = anonymous(host_a)
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert not response.has_header("X-Page-Cache") and not response.has_header("ETag")


# --- never cached -------------------------------------------------------------------------------------


def test_requests_that_are_not_anonymous_reads_bypass_the_cache(site, host_a):
    client = anonymous(host_a)
    fill(client, "/")
    # A session cookie (an editor, a reader who passed a page password) or a waiting message: never from the cache.
    for cookie in ("sessionid", "messages"):
        other = anonymous(host_a)
        other.cookies[cookie] = "x"
        response = other.get("/")
        assert response.status_code == 200 and state(response) == "bypass"
        assert response["Cache-Control"] == "private" and response["X-Accel-Expires"] == "0"
    assert state(client.get("/", HTTP_AUTHORIZATION="Basic eDp5")) == "bypass"
    assert state(client.post("/", {})) == "bypass"
    for admin in ("/admin/login/", "/django-admin/"):
        assert state(client.get(admin)) == "bypass"
        assert state(client.get(admin)) == "bypass"
    # Wagtail's preview lives in the admin.
    assert state(client.get(f"/admin/pages/{site['item']}/edit/preview/")) == "bypass"


def test_a_logged_in_editor_never_gets_nor_fills_the_cache(site, unit_a, host_a):
    reader = anonymous(host_a)
    fill(reader, "/")
    editor = unit_admin_client(unit_a)
    for _ in range(2):
        response = editor.get("/")
        assert response.status_code == 200 and state(response) == "bypass"
        assert "Cache-Control" in response and "public" not in response["Cache-Control"]
        item = editor.get(site["urls"]["item"])
        assert state(item) == "bypass"
    # The editor's reads stored nothing: the reader renders the item itself.
    assert state(reader.get(site["urls"]["item"])) == "miss"


def test_errors_are_never_stored(site, host_a):
    client = anonymous(host_a)
    for _ in range(2):
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404 and state(missing) == "miss"
        assert missing["Cache-Control"] == "private" and missing["X-Accel-Expires"] == "0"


def test_password_and_login_restricted_pages_and_their_forms_are_never_stored(site, unit_a, host_a, content):
    content.restrict(unit_a, site["item"])
    with schema_context(unit_a.schema_name):
        PageViewRestriction.objects.create(page=Page.objects.get(id=site["other"]), restriction_type="login")
    client = anonymous(host_a)
    for _ in range(2):
        form = client.get(site["urls"]["item"])
        assert form.status_code == 200 and state(form) == "miss"
        assert "会议部署营商环境工作" not in text(form) and 'name="password"' in text(form)
        assert "public" not in form["Cache-Control"]
        login = client.get(site["urls"]["other"])
        assert login.status_code == 302 and state(login) == "miss"


# Responses no page of the platform gives today, served on the portal's host by this module's URLs.
_renders = {"count": 0}


def _render(body: str = "<p>页面</p>") -> HttpResponse:
    _renders["count"] += 1
    return HttpResponse(f"{body}<p>{_renders['count']}</p>")


def _plain(request):
    return _render()


def _sets_cookie(request):
    response = _render()
    response.set_cookie("probe", "1")
    return response


def _cache_control(directive):
    def view(request):
        response = _render()
        response["Cache-Control"] = directive
        return response

    return view


def _varies_on_user_agent(request):
    response = _render()
    patch_vary_headers(response, ["User-Agent"])
    return response


def _csrf_form(request):
    return HttpResponse(Template('<form method="post">{% csrf_token %}</form>').render(RequestContext(request)))


def _streaming(request):
    return StreamingHttpResponse(iter([b"<p>", b"stream", b"</p>"]))


urlpatterns = [
    path("probe/plain/", _plain),
    path("probe/cookie/", _sets_cookie),
    path("probe/private/", _cache_control("private, max-age=60")),
    path("probe/no-store/", _cache_control("no-store")),
    path("probe/no-cache/", _cache_control("no-cache")),
    path("probe/vary/", _varies_on_user_agent),
    path("probe/csrf/", _csrf_form),
    path("probe/streaming/", _streaming),
]


@pytest.mark.parametrize("probe", ["cookie", "private", "no-store", "no-cache", "vary", "csrf", "streaming"])
def test_responses_that_are_not_public_pages_are_never_stored(db, settings, probe):
    settings.PUBLIC_SCHEMA_URLCONF = __name__
    client = anonymous("localhost")
    # The same URLs are cached when the response is an ordinary page.
    fill(client, "/probe/plain/")
    first = client.get(f"/probe/{probe}/")
    second = client.get(f"/probe/{probe}/")
    if probe == "streaming":
        # Read to the end: the test client finishes the request (and its URL conf) only then.
        for response in (first, second):
            assert b"".join(response.streaming_content) == b"<p>stream</p>"
    assert first.status_code == second.status_code == 200
    assert state(first) == state(second) == "miss"
    assert "public" not in second.get("Cache-Control", "")
    if probe != "streaming":
        assert first.content != second.content or probe == "csrf"


# --- purges: zero stale pages ------------------------------------------------------------------------------


def test_publish_then_read_at_once_shows_the_change_everywhere(site, unit_a, host_a, django_capture_on_commit_callbacks):
    client, portal = anonymous(host_a), anonymous("localhost")
    for page in ("home", "list", "item", "sitemap", "feed", "other"):
        fill(client, site["urls"][page])
    fill(portal, "/")
    assert not found(fill(portal, "/search/", q="乡村振兴"), unit_a, site["item"])

    republish(django_capture_on_commit_callbacks, unit_a, site["item"], title="乡村振兴工作会议召开")
    for page in ("home", "list", "item", "feed"):
        response = client.get(site["urls"][page])
        assert state(response) == "miss", page
        assert "乡村振兴工作会议召开" in text(response) and "营商环境工作会议召开" not in text(response), page
    home = text(portal.get("/"))
    assert "乡村振兴工作会议召开" in home and "营商环境工作会议召开" not in home
    assert found(portal.get("/search/", {"q": "乡村振兴"}), unit_a, site["item"])
    # The other column's item was not purged by this item's publish.
    assert state(client.get(site["urls"]["other"])) == "hit"


def test_a_new_item_appears_in_its_list_the_home_the_sitemap_and_the_portal_at_once(site, unit_a, host_a, content):
    client, portal = anonymous(host_a), anonymous("localhost")
    for page in ("home", "list", "sitemap"):
        fill(client, site["urls"][page])
    fill(portal, "/")
    new = content.news(unit_a, column=site["first"], title="刚刚发布的新闻", body="正文")
    new_url = url_of(unit_a, new)
    assert "刚刚发布的新闻" in text(client.get("/"))
    assert "刚刚发布的新闻" in text(client.get(site["urls"]["list"]))
    assert new_url in text(client.get("/sitemap.xml"))
    assert "刚刚发布的新闻" in text(portal.get("/"))


def test_an_unpublished_page_is_a_404_not_the_cached_page(site, unit_a, host_a, content):
    client = anonymous(host_a)
    fill(client, site["urls"]["item"])
    fill(client, site["urls"]["list"])
    fill(client, "/")
    content.unpublish(unit_a, site["item"])
    assert client.get(site["urls"]["item"]).status_code == 404
    assert "营商环境工作会议召开" not in text(client.get(site["urls"]["list"]))
    assert "营商环境工作会议召开" not in text(client.get("/"))


def test_a_deleted_page_is_a_404_not_the_cached_page(site, unit_a, host_a, content):
    client = anonymous(host_a)
    fill(client, site["urls"]["item"])
    fill(client, site["urls"]["list"])
    content.delete(unit_a, site["item"])
    assert client.get(site["urls"]["item"]).status_code == 404
    assert "营商环境工作会议召开" not in text(client.get(site["urls"]["list"]))


def test_a_moved_page_leaves_its_old_place_and_list_and_reaches_its_new_ones(site, unit_a, host_a, content):
    client = anonymous(host_a)
    old = site["urls"]["item"]
    for page in ("item", "list", "other"):
        fill(client, site["urls"][page])
    fill(client, url_of(unit_a, site["second"]))
    content.move(unit_a, site["item"], to=site["second"])
    new = url_of(unit_a, site["item"])
    assert new != old
    moved = client.get(old)
    assert moved.status_code in (301, 302, 404)
    if moved.status_code != 404:
        assert moved["Location"].endswith(new)
    assert "营商环境工作会议召开" not in text(client.get(site["urls"]["list"]))
    assert "营商环境工作会议召开" in text(client.get(url_of(unit_a, site["second"])))
    arrived = client.get(new)
    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', text(arrived), re.S).group(0)
    assert arrived.status_code == 200 and url_of(unit_a, site["second"]) in breadcrumbs


def test_a_page_published_under_a_new_slug_leaves_its_old_address(site, unit_a, host_a, django_capture_on_commit_callbacks):
    client = anonymous(host_a)
    old = site["urls"]["item"]
    fill(client, old)
    # The unit's schema outside the commit: Wagtail's redirect task is stamped with the schema its commit runs in.
    with schema_context(unit_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        page = Page.objects.get(id=site["item"]).specific
        page.slug = "renamed"
        page.save_revision().publish()
    new = url_of(unit_a, site["item"])
    assert new.endswith("/renamed/")
    moved = client.get(old)
    assert moved.status_code in (301, 302, 404)
    assert client.get(new).status_code == 200


def test_a_page_made_private_is_gone_from_every_cache_at_once(site, unit_a, host_a, content):
    client, portal = anonymous(host_a), anonymous("localhost")
    for page in ("home", "list", "item", "sitemap"):
        fill(client, site["urls"][page])
    assert found(fill(portal, "/search/", q="营商环境"), unit_a, site["item"])
    restriction = content.restrict(unit_a, site["item"])
    form = client.get(site["urls"]["item"])
    assert form.status_code == 200 and 'name="password"' in text(form) and "会议部署营商环境工作" not in text(form)
    assert "营商环境工作会议召开" not in text(client.get("/"))
    assert "营商环境工作会议召开" not in text(client.get(site["urls"]["list"]))
    assert site["urls"]["item"] not in text(client.get("/sitemap.xml"))
    assert not found(portal.get("/search/", {"q": "营商环境"}), unit_a, site["item"])
    # Public again: back at once.
    content.unrestrict(unit_a, restriction)
    assert "会议部署营商环境工作" in text(client.get(site["urls"]["item"]))


def test_a_column_made_private_leaves_the_menus_of_every_page(site, unit_a, host_a, content):
    client = anonymous(host_a)
    other = site["urls"]["other"]
    assert "部门动态" in text(fill(client, other))
    content.restrict(unit_a, site["first"])
    response = client.get(other)
    assert state(response) == "miss" and "部门动态" not in text(response)
    # Its items are private with it (the whole subtree).
    assert 'name="password"' in text(client.get(site["urls"]["item"]))


def test_elder_mode_is_a_variant_of_its_own(site, host_a):
    standard = anonymous(host_a)
    elder = anonymous(host_a)
    elder.cookies["zh_elder_mode"] = "1"
    assert 'class="elder"' not in text(fill(standard, "/"))
    first = elder.get("/")
    assert state(first) == "miss" and 'class="elder"' in text(first)
    assert 'class="elder"' in text(fill(elder, "/"))
    assert 'class="elder"' not in text(standard.get("/"))


def test_a_publish_in_unit_a_leaves_unit_b_cached(site, unit_a, unit_b, host_a, host_b, content):
    a, b = anonymous(host_a), anonymous(host_b)
    fill(a, "/")
    fill(b, "/")
    content.news(unit_a, column=site["first"], title="甲局新发布", body="正文")
    assert state(a.get("/")) == "miss"
    assert state(b.get("/")) == "hit"


def test_a_unit_change_purges_every_host(site, unit_a, unit_b, host_a, host_b):
    a, b, portal = anonymous(host_a), anonymous(host_b), anonymous("localhost")
    for client in (a, b, portal):
        fill(client, "/")
    unit_b.address = "珠海市香洲区新地址路1号"
    unit_b.save()
    assert "珠海市香洲区新地址路1号" in text(b.get("/"))
    assert state(a.get("/")) == "miss" and state(portal.get("/")) == "miss"


# --- the backends -----------------------------------------------------------------------------------------


def test_purge_keys_are_one_counter_each_whatever_they_cover():
    host = "fgj.example.cn"
    item = generation_keys(host=host, path="/c1/n2/")
    # Exact: the page's own counter (every query string of it); prefix: one counter per subtree or host.
    assert purge_keys("https://fgj.example.cn/c1/n2/") == (item[-1],)
    assert purge_keys("https://fgj.example.cn/c1/*") == (item[2],)
    assert purge_keys("https://www.fgj.example.cn:8443/*") == (item[1],)
    assert purge_keys("https://fgj.example.cn/c1/n2/?*") == (item[-1],)
    # A prefix that does not end at a "/" drops from the last "/" on: more, never less.
    assert purge_keys("https://fgj.example.cn/c1/n*") == (item[2],)
    assert not set(purge_keys("https://other.example.cn/*")) & set(item)


def test_prefix_and_exact_purges_of_the_django_cache_backend(site, unit_a, unit_b, host_a, host_b):
    client = anonymous(host_a)
    list_url, item, other = site["urls"]["list"], site["urls"]["item"], site["urls"]["other"]
    for path_ in (list_url, item, other, "/"):
        fill(client, path_)
    fill(client, list_url, page="2")
    fill(anonymous(host_b), "/")
    backend = DjangoCacheBackend({})
    # Exact: the list with every query string, not the items below it.
    backend.purge(f"http://{host_a}{list_url}")
    assert state(client.get(list_url)) == "miss" and state(client.get(list_url, {"page": "2"})) == "miss"
    assert state(client.get(item)) == "hit"
    # Prefix: the list and everything below it; nothing else.
    backend.purge(f"http://{host_a}{list_url}*")
    assert state(client.get(item)) == "miss" and state(client.get(list_url)) == "miss"
    assert state(client.get(other)) == "hit" and state(client.get("/")) == "hit"
    # A host: every page of it, and only of it.
    backend.purge(f"http://{host_a}/*")
    assert state(client.get(other)) == "miss" and state(client.get("/")) == "miss"
    assert state(anonymous(host_b).get("/")) == "hit"


@pytest.fixture
def nginx():
    """A stand-in for nginx's purge location: records each request, answers 200 for a cached key, 404 otherwise."""
    received: list[dict] = []

    async def purge(request):
        received.append(
            {
                "method": request.method,
                "target": request.raw_path,
                "host": request.headers.get("Host"),
                "cookie": request.headers.get("Cookie", ""),
            }
        )
        return web.Response(status=200 if request.raw_path == "/" else 404)

    def build(ports):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", purge)
        return [app]

    with ServerThread(build) as server:
        yield server.ports[0], received


def test_nginx_is_purged_over_http_after_the_commit(
    site, unit_a, host_a, nginx, settings, django_capture_on_commit_callbacks, caplog
):
    port, received = nginx
    settings.WAGTAILFRONTENDCACHE = {
        "pagecache": {"BACKEND": "pagecache.backends.DjangoCacheBackend"},
        "nginx": {"BACKEND": "pagecache.backends.NginxPurgeBackend", "LOCATION": f"http://127.0.0.1:{port}"},
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks, schema_context(unit_a.schema_name):
        page = Page.objects.get(id=site["item"]).specific
        page.title = "横琴口岸开通"
        page.save_revision().publish()
    # Nothing reaches nginx before the commit (it could fetch the old page again).
    assert received == []
    with caplog.at_level(logging.WARNING, logger="pagecache.backends"):
        for callback in callbacks:
            callback()
    sent = {(r["method"], r["target"], r["host"], r["cookie"]) for r in received}
    item, listing = site["urls"]["item"], site["urls"]["list"]
    for target in (item, f"{item}?*", listing, f"{listing}?*", "/", "/?*", "/sitemap.xml", "/feeds/*"):
        assert ("PURGE", target, host_a, "") in sent, target
    # Only this unit's pages (and the portal's, once the index has the change); never the other unit's.
    assert {r["host"] for r in received} <= {host_a, "localhost", "www.localhost"}
    assert {r["method"] for r in received} == {"PURGE"}
    # 200 (purged) and 404 (not cached) are both fine.
    assert not [record for record in caplog.records if record.name == "pagecache.backends"]


def test_a_cache_key_with_a_cookie_is_purged_in_each_variant(nginx):
    port, received = nginx
    backend = NginxPurgeBackend({"LOCATION": f"http://127.0.0.1:{port}", "VARIANT_COOKIES": ["", "zh_elder_mode=1"]})
    backend.purge_batch(["https://ta.localhost/c1/*", "https://tb.localhost/"])
    sent = [(r["target"], r["host"], r["cookie"]) for r in received]
    assert sent == [
        ("/c1/", "ta.localhost", ""),
        ("/c1/", "ta.localhost", "zh_elder_mode=1"),
        ("/c1/*", "ta.localhost", ""),
        ("/c1/*", "ta.localhost", "zh_elder_mode=1"),
        ("/", "tb.localhost", ""),
        ("/", "tb.localhost", "zh_elder_mode=1"),
        ("/?*", "tb.localhost", ""),
        ("/?*", "tb.localhost", "zh_elder_mode=1"),
    ]


def test_an_unreachable_nginx_never_breaks_the_publish(site, unit_a, host_a, settings, content, caplog):
    settings.WAGTAILFRONTENDCACHE = {
        "pagecache": {"BACKEND": "pagecache.backends.DjangoCacheBackend"},
        "nginx": {"BACKEND": "pagecache.backends.NginxPurgeBackend", "LOCATION": f"http://127.0.0.1:{closed_port()}"},
    }
    client = anonymous(host_a)
    fill(client, "/")
    with caplog.at_level(logging.ERROR, logger="pagecache.backends"):
        content.news(unit_a, column=site["first"], title="nginx 不在时发布的新闻", body="正文")
    assert "nginx 不在时发布的新闻" in text(client.get("/"))
    # One line per batch (the rest of a batch is skipped once nginx cannot be reached).
    errors = [record for record in caplog.records if record.name == "pagecache.backends"]
    assert errors and all("清除失败" in record.getMessage() for record in errors)


def test_nginx_purge_targets():
    targets = NginxPurgeBackend.targets
    assert targets("https://h/c1/n2/") == ["/c1/n2/", "/c1/n2/?*"]
    assert targets("https://h/c1/*") == ["/c1/", "/c1/*"]
    assert targets("https://h/*") == ["/", "/*"]
    assert targets("https://h/c1/?page=2") == ["/c1/?page=2"]
    assert targets("https://h/%E6%96%B0%E9%97%BB/") == ["/%E6%96%B0%E9%97%BB/", "/%E6%96%B0%E9%97%BB/?*"]


def test_the_page_cache_refuses_to_run_without_its_purge_backend(settings):
    assert checks.purge_backend_configured(None) == []
    settings.WAGTAILFRONTENDCACHE = {}
    assert [error.id for error in checks.purge_backend_configured(None)] == ["pagecache.E001"]
    settings.PAGE_CACHE_ENABLED = False
    assert checks.purge_backend_configured(None) == []
