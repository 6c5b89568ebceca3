"""The portal outbox never stalls: poison documents are capped or parked, removals go first, backlogs alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_q.models import Schedule
from django_tenants.utils import schema_context
from elasticsearch.helpers import BulkIndexError

from search import services
from search.backends.base import DocumentRejected, SearchBackendError
from search.backends.postgres import PostgresBackend
from search.documents import UnitDocumentBuilder
from search.models import OutboxAction, OutboxAlert, OutboxEntry, OutboxStatus, PortalDocument
from search.segmentation import MAX_LEXEME_BYTES, build_tsvector
from tests.support.clients import centre_client, logged_in_client
from tests.support.portal import indexed_keys, keys, portal_search

OUTBOX_URL = "/admin/portal-index/"


@pytest.fixture(autouse=True)
def postgres_backend(settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def held_drains(monkeypatch):
    """Changes queue up in the outbox as if no worker had drained it yet."""
    monkeypatch.setattr(services, "schedule_drain", lambda: None)


def poison_body() -> str:
    """A token past PostgreSQL's 2,046-byte lexeme limit, and a body over the indexed length whose vector passes 1 MB."""
    return "超长词" + "x" * 3000 + " 乡村振兴示范点建设 " + " ".join(f"w{n:07d}" for n in range(110_000))


def test_postgresql_limits_are_capped_and_noted():
    vector = build_tsvector([("标题", "A"), ("y" * 5000 + " 正文", "C")])
    assert vector.cut_tokens == 1 and vector.dropped_lexemes == 0
    assert f"'{'y' * MAX_LEXEME_BYTES}'" in vector.literal
    many = " ".join(f"w{n:07d}" for n in range(130_000))
    big = build_tsvector([("标题", "A"), (many, "C")])
    assert big.dropped_lexemes > 0 and "'标题':1A" in big.literal
    assert big.note()


def test_wagtails_own_index_text_stays_within_the_tsvector_limit(db):
    from django.db import connection

    from search.segmentation import segment_for_index

    text = " ".join(f"w{n:07d}" for n in range(130_000))
    with connection.cursor() as cursor:
        cursor.execute("SELECT length(to_tsvector('simple', %s))", [segment_for_index(text)])
        assert 0 < cursor.fetchone()[0] < 130_000
        cursor.execute("SELECT length(to_tsvector('simple', %s))", [segment_for_index("国民经济发展规划")])
        assert cursor.fetchone()[0] >= 3


def test_poison_document_is_capped_and_another_units_changes_go_through_in_one_drain(
    client, unit_a, unit_b, content, held_drains
):
    column_a = content.column(unit_a)
    column_b = content.column(unit_b)
    withdrawn = content.news(unit_b, column=column_b, title="乙局将要撤下的通知", body="撤下")
    private = content.news(unit_b, column=column_b, title="乙局将要设为不公开的稿件", body="内部")
    services.drain_outbox()
    assert indexed_keys() == keys(unit_b, withdrawn, private)

    poison = content.news(unit_a, column=column_a, title="甲局超长正文稿件", body=poison_body())
    content.unpublish(unit_b, withdrawn)
    content.restrict(unit_b, private)
    fresh = content.news(unit_b, column=column_b, title="乙局新发布的稿件", body="新稿")
    assert (
        OutboxEntry.objects.filter(schema_name=unit_a.schema_name).order_by("id").first().id
        < OutboxEntry.objects.filter(schema_name=unit_b.schema_name).order_by("id").first().id
    )

    report = services.drain_outbox()
    assert report.failed == 0, report.errors
    assert OutboxEntry.objects.count() == 0
    assert indexed_keys() == keys(unit_a, poison) | keys(unit_b, fresh)
    doc = PortalDocument.objects.get(key=f"{unit_a.schema_name}:{poison}")
    assert doc.truncated
    assert "2046" in doc.truncation_note and "检索向量" in doc.truncation_note and "只索引前 900000 字" in doc.truncation_note
    assert not PortalDocument.objects.get(key=f"{unit_b.schema_name}:{fresh}").truncated
    html = portal_search(client, q="乡村振兴").content.decode()
    assert "甲局超长正文稿件" in html
    assert "不公开" not in portal_search(client, q="乙局").content.decode()


def test_a_document_postgresql_rejects_is_isolated_retried_and_parked(
    unit_a, unit_b, content, held_drains, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_OUTBOX_MAX_ATTEMPTS = 3
    bad_title = "文号超长的文件"
    real_build = UnitDocumentBuilder.build

    def build(self, page):
        doc = real_build(self, page)
        if doc is not None and doc.title == bad_title:
            doc.doc_number = "号" * 150  # the index column is varchar(100): StringDataRightTruncation
        return doc

    monkeypatch.setattr(UnitDocumentBuilder, "build", build)
    column_a = content.column(unit_a)
    column_b = content.column(unit_b)
    bad = content.news(unit_a, column=column_a, title=bad_title, body="正文")
    good_a = content.news(unit_a, column=column_a, title="甲局正常稿件", body="正文")
    good_b = content.news(unit_b, column=column_b, title="乙局正常稿件", body="正文")

    report = services.drain_outbox()
    assert report.failed == 1 and report.indexed == 2
    assert indexed_keys() == keys(unit_a, good_a) | keys(unit_b, good_b)
    entry = OutboxEntry.objects.get()
    assert (entry.page_id, entry.attempts, entry.status) == (bad, 1, OutboxStatus.PENDING)
    assert "StringDataRightTruncation" in entry.last_error and entry.next_attempt_at > timezone.now()
    # Back-off: not retried before its time.
    assert services.drain_outbox().failed == 0

    services.drain_outbox(ignore_backoff=True)
    services.drain_outbox(ignore_backoff=True)
    entry.refresh_from_db()
    assert (entry.attempts, entry.status) == (3, OutboxStatus.PARKED) and entry.parked_at
    # A parked entry is left alone by every drain.
    assert services.drain_outbox(ignore_backoff=True).failed == 0
    assert OutboxEntry.objects.get().attempts == 3

    centre = centre_client()
    html = centre.get(OUTBOX_URL).content.decode()
    assert "测试甲局" in html and bad_title in html and "StringDataRightTruncation" in html and "重试" in html
    unit_admin = logged_in_client(
        schema_name=unit_a.schema_name, host="ta.localhost", username="ta_admin", password="pw-ta-12345"
    )
    assert unit_admin.get(OUTBOX_URL).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(f"{OUTBOX_URL}{entry.id}/retry/")
    assert response.status_code == 302
    assert OutboxEntry.objects.count() == 0
    assert indexed_keys() == keys(unit_a, good_a, bad) | keys(unit_b, good_b)


def test_a_later_success_clears_the_parked_entry_of_the_page(unit_a, content, held_drains, monkeypatch, settings):
    settings.PORTAL_OUTBOX_MAX_ATTEMPTS = 1
    real_build = UnitDocumentBuilder.build

    def build(self, page):
        doc = real_build(self, page)
        if doc is not None and doc.title.startswith("坏"):
            doc.doc_number = "号" * 150
        return doc

    monkeypatch.setattr(UnitDocumentBuilder, "build", build)
    column = content.column(unit_a)
    page_id = content.news(unit_a, column=column, title="坏稿件", body="正文")
    services.drain_outbox()
    assert OutboxEntry.objects.get().status == OutboxStatus.PARKED
    with schema_context(unit_a.schema_name):
        from wagtail.models import Page

        page = Page.objects.get(id=page_id).specific
        page.title = "改好的稿件"
        page.save_revision().publish()
    services.drain_outbox()
    assert OutboxEntry.objects.count() == 0
    assert indexed_keys() == keys(unit_a, page_id)


def test_removals_are_written_before_any_upsert_of_any_unit(unit_a, unit_b, content, held_drains, monkeypatch):
    column_a = content.column(unit_a)
    column_b = content.column(unit_b)
    withdrawn = content.news(unit_b, column=column_b, title="撤下的", body="正文")
    private = content.news(unit_b, column=column_b, title="设为不公开的", body="正文")
    services.drain_outbox()
    ids_a = [content.news(unit_a, column=column_a, title=f"甲局稿件{n}", body="正文") for n in range(3)]
    content.unpublish(unit_b, withdrawn)
    content.restrict(unit_b, private)
    actions_b = set(OutboxEntry.objects.filter(schema_name=unit_b.schema_name).values_list("action", flat=True))
    assert actions_b == {OutboxAction.DELETE}

    calls: list[tuple[str, list[str]]] = []
    real_upsert, real_delete = PostgresBackend.upsert, PostgresBackend.delete

    def upsert(self, docs):
        docs = list(docs)
        if docs:
            calls.append(("upsert", [d.key for d in docs]))
        return real_upsert(self, docs)

    def delete(self, keys_):
        keys_ = list(keys_)
        if keys_:
            calls.append(("delete", keys_))
        return real_delete(self, keys_)

    monkeypatch.setattr(PostgresBackend, "upsert", upsert)
    monkeypatch.setattr(PostgresBackend, "delete", delete)
    services.drain_outbox(batch_size=1)
    assert [kind for kind, _ in calls[:2]] == ["delete", "delete"]
    assert {key for _, batch in calls[:2] for key in batch} == keys(unit_b, withdrawn, private)
    assert indexed_keys() == keys(unit_a, *ids_a)


def test_stale_outbox_alerts_the_centre_once_per_episode(unit_a, mailoutbox, settings):
    settings.PORTAL_OUTBOX_ALERT_MINUTES = 5
    with schema_context("public"):
        get_user_model().objects.filter(username="centre").update(email="centre@zhuhai.gov.cn")
    entry = OutboxEntry.objects.create(schema_name=unit_a.schema_name, page_id=4242, action=OutboxAction.UPSERT)
    assert services.check_outbox_backlog() is None and not mailoutbox

    OutboxEntry.objects.filter(id=entry.id).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    alert = services.check_outbox_backlog()
    assert alert is not None and alert.closed_at is None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["centre@zhuhai.gov.cn"]
    assert "门户索引" in mailoutbox[0].subject and OUTBOX_URL in mailoutbox[0].body
    # Every minute's check while the backlog lasts: no second mail.
    services.check_outbox_backlog()
    services.check_outbox_backlog()
    assert len(mailoutbox) == 1 and OutboxAlert.objects.count() == 1
    html = centre_client().get(OUTBOX_URL).content.decode()
    assert "超过 5 分钟" in html

    OutboxEntry.objects.all().delete()
    assert services.check_outbox_backlog() is None
    assert OutboxAlert.objects.get().closed_at is not None
    # A new backlog is a new episode and a new mail.
    OutboxEntry.objects.create(schema_name=unit_a.schema_name, page_id=4243, action=OutboxAction.DELETE)
    OutboxEntry.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    services.check_outbox_backlog()
    assert len(mailoutbox) == 2 and OutboxAlert.objects.count() == 2


def test_the_backlog_check_and_the_drain_have_schedules(db):
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert {"search.tasks.drain_outbox", "search.tasks.check_outbox_backlog"} <= funcs


def test_elasticsearch_bulk_errors_are_classified(monkeypatch):
    from search.backends import elastic

    backend = elastic.ElasticsearchBackend(url="http://127.0.0.1:9", index="govportal-test")

    def failing(status):
        def bulk(*args, **kwargs):
            errors = [{"index": {"_id": "unit_ta:1", "status": status, "error": {"type": "mapper_parsing_exception"}}}]
            raise BulkIndexError("1 document(s) failed to index.", errors)

        return bulk

    monkeypatch.setattr(elastic, "bulk", failing(400))
    with pytest.raises(DocumentRejected):
        backend._bulk([])
    monkeypatch.setattr(elastic, "bulk", failing(429))
    with pytest.raises(SearchBackendError) as raised:
        backend._bulk([])
    assert not isinstance(raised.value, DocumentRejected)
