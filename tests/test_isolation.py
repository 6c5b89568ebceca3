"""Nothing of one unit can be seen, changed or served through another."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django_tasks import task
from django_tenants.utils import schema_context
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from sitepages.models import ColumnListingPage, NewsPage


def _publish_news(unit, *, title: str) -> int:
    with schema_context(unit.schema_name):
        home = Site.objects.get().root_page
        column = home.add_child(instance=ColumnListingPage(title="部门动态", slug="news", item_type="news"))
        column.save_revision().publish()
        page = column.add_child(
            instance=NewsPage(
                title=title,
                slug="n1",
                author="张三",
                source="本局",
                publish_date=dt.date(2026, 11, 20),
                body=[("paragraph", RichText("<p>珠海市召开全市营商环境优化工作会议。</p>"))],
            )
        )
        page.save_revision().publish()
        return page.id


def test_admin_login_of_unit_a_does_not_work_on_unit_b(client, unit_a, unit_b):
    ok = client.post("/admin/login/", {"username": "ta_admin", "password": "pw-ta-12345"}, HTTP_HOST="ta.localhost")
    assert ok.status_code == 302
    assert client.get("/admin/", HTTP_HOST="ta.localhost").status_code == 200
    # The session cookie of A means nothing on B: B's admin asks for a login.
    response = client.get("/admin/", HTTP_HOST="tb.localhost")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    refused = client.post("/admin/login/", {"username": "ta_admin", "password": "pw-ta-12345"}, HTTP_HOST="tb.localhost")
    assert refused.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session or client.get("/admin/", HTTP_HOST="tb.localhost").status_code == 302


def test_page_of_a_is_never_served_on_b(client, unit_a, unit_b):
    _publish_news(unit_a, title="甲局独有的新闻")
    on_a = client.get("/news/n1/", HTTP_HOST="ta.localhost")
    assert on_a.status_code == 200
    assert "甲局独有的新闻" in on_a.content.decode()
    on_b = client.get("/news/n1/", HTTP_HOST="tb.localhost")
    assert on_b.status_code == 404
    home_b = client.get("/", HTTP_HOST="tb.localhost").content.decode()
    assert "甲局独有的新闻" not in home_b


def test_site_root_paths_cache_never_crosses_units(unit_a, unit_b):
    cache.clear()
    with schema_context(unit_a.schema_name):
        paths_a = Site.get_site_root_paths()
    with schema_context(unit_b.schema_name):
        paths_b = Site.get_site_root_paths()
    assert paths_a[0].root_url.startswith("http://ta.localhost")
    assert paths_b[0].root_url.startswith("http://tb.localhost")
    with schema_context(unit_a.schema_name):
        cache.set("probe", "甲")
    with schema_context(unit_b.schema_name):
        assert cache.get("probe") is None


def test_page_urls_use_the_units_own_host(unit_a, unit_b):
    page_id = _publish_news(unit_a, title="链接测试")
    with schema_context(unit_a.schema_name):
        assert Page.objects.get(id=page_id).full_url.startswith("http://ta.localhost")


def test_wagtail_deferred_tasks_run_in_the_enqueuing_schema(unit_a, unit_b):
    """Wagtail's search-index task carries only (app, model, pk); it must run in A, not B."""
    from wagtail.search.backends import get_search_backend

    page_id = _publish_news(unit_a, title="国民经济发展规划征求意见")
    with schema_context(unit_a.schema_name):
        found_a = list(get_search_backend().search("发展规划", NewsPage))
        assert [p.id for p in found_a] == [page_id]
    with schema_context(unit_b.schema_name):
        assert list(get_search_backend().search("发展规划", NewsPage)) == []


def test_schema_aware_backend_stamps_the_schema(unit_a, monkeypatch):
    from handoff import services as handoff_services

    sent = []
    monkeypatch.setattr(handoff_services, "async_task", lambda *args, **kwargs: sent.append(args))
    with schema_context(unit_a.schema_name):
        probe_task.enqueue(7)
    assert sent[0][0] == "govplatform.tasking.run_django_task"
    assert sent[0][1] == unit_a.schema_name
    assert sent[0][3] == [7]


def test_run_in_schema_switches_and_restores(unit_b):
    from govplatform.tasking import run_in_schema

    assert run_in_schema(unit_b.schema_name, "tests.test_isolation.current_schema", {}) == unit_b.schema_name
    assert connection.schema_name == "public"


@task()
def probe_task(value: int) -> str:
    return connection.schema_name


def current_schema() -> str:
    return connection.schema_name


def test_unknown_host_gets_a_404_page(client, db):
    response = client.get("/", HTTP_HOST="nosuchunit.localhost")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_media_files_are_stored_per_unit(unit_a, unit_b, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context(unit_a.schema_name):
        document = Document.objects.create(title="甲局附件", file=ContentFile(b"%PDF-1.4 demo", name="fujian.pdf"))
        path_a = default_storage.path(document.file.name)
    assert f"/{unit_a.schema_name}/" in path_a
    with schema_context(unit_b.schema_name):
        assert not Document.objects.filter(title="甲局附件").exists()
        assert not default_storage.exists(document.file.name)


def test_content_type_ids_are_the_same_in_every_schema(unit_a, unit_b):
    # Django caches ContentType rows per process, not per schema: a page type
    # whose id differed between schemas would resolve to the wrong model.
    def content_types(schema: str) -> set[tuple[int, str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT id, app_label, model FROM "{schema}".django_content_type')
            return set(cursor.fetchall())

    public = content_types("public")
    assert ("sitepages", "newspage") in {(app, model) for _id, app, model in public}
    assert content_types(unit_a.schema_name) == public
    assert content_types(unit_b.schema_name) == public


def test_media_of_one_unit_is_served_on_no_other_host(client, unit_a, unit_b, settings, tmp_path):
    """`/media/<schema>/…` is answered only on that schema's own host, the portal's included."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES}  # rebuild the default storage for the new root
    for schema in (unit_a.schema_name, unit_b.schema_name, "public"):
        folder = tmp_path / schema / "images"
        folder.mkdir(parents=True)
        (folder / "probe.png").write_bytes(b"\x89PNG " + schema.encode())
    hosts = {unit_a.schema_name: "ta.localhost", unit_b.schema_name: "tb.localhost", "public": "localhost"}
    for owner, own_host in hosts.items():
        path = f"/media/{owner}/images/probe.png"
        for host in hosts.values():
            response = client.get(path, HTTP_HOST=host)
            expected = 200 if host == own_host else 404
            assert response.status_code == expected, (path, host)
            if expected == 200:
                assert b"".join(response.streaming_content) == b"\x89PNG " + owner.encode()
