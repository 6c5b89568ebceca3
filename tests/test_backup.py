"""Per-unit backup and restore (backups/): one archive with checksums, restored as a copy, identical.

pg_dump runs in its own connection and sees only committed rows, so the round trip works on a unit of
its own, built, backed up and restored outside the per-test transaction (the module fixture, as the
session's units are provisioned in tests/support/fixtures.py), and removed again at the end of the
module with everything it wrote (schemas, public rows, portal index entries, media).
The refusals and the failure in the middle of a restore run inside the test's transaction, which is
where they must leave nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from annualreport.models import AnnualReport, ReportCell
from backups import pgdump, selectors, services
from backups.archive import MANIFEST, SCHEMA_SQL
from backups.errors import ArchiveCorrupted, BackupError, TargetExists
from columns.models import ColumnRequirement
from contests.models import Contest, Criterion, Nomination, Score
from oversight.models import CheckRun, FreshnessSnapshot
from search.backends import get_backend
from search.models import OutboxEntry, PortalDocument
from sitepages.models import ColumnListingPage, NewsPage
from tenants.models import Domain, Unit, UnitAlias
from tenants.services import provision_unit
from tests.support.units import CENTRE_USERNAME
from visits.models import DailyVisits, VisitorDigest

SOURCE = "bksrc"
COPY = "bkcopy"
DOCUMENT_BYTES = "珠海市备份测试局关于网站备份演练的通知（附件原文）".encode()


def _png() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 40), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _build_source() -> Unit:
    """A unit with pages (published and with a later draft), a document, an image with a rendition,
    and public-schema rows of several kinds, one of them two foreign keys away (report cells)."""
    provision_unit(code=SOURCE, name="备份测试局", full_name="珠海市备份测试局", admin_password="pw-bksrc-12345")
    unit = Unit.objects.get(code=SOURCE)
    with schema_context(unit.schema_name):
        document = Document.objects.create(title="备份演练通知附件", file=ContentFile(DOCUMENT_BYTES, name="beifen.txt"))
        image = Image.objects.create(title="备份演练现场", file=ImageFile(io.BytesIO(_png()), name="xianchang.png"))
        image.get_rendition("fill-30x20")
        home = Site.objects.get().root_page
        column = home.add_child(instance=ColumnListingPage(title="部门动态", slug="bk-news", item_type="news"))
        column.save_revision().publish()
        for number in range(1, 4):
            page = column.add_child(
                instance=NewsPage(
                    title=f"备份演练第{number}次会议",
                    slug=f"bk-meeting-{number}",
                    author="李四",
                    source="本局",
                    publish_date=dt.date(2026, 11, number),
                    live=False,
                    body=[
                        ("paragraph", RichText(f"<p>第{number}次演练：备份、校验、恢复，逐项核对。</p>")),
                        ("attachment", document),
                        ("image", image),
                    ],
                )
            )
            page.save_revision().publish()
        draft = NewsPage.objects.get(slug="bk-meeting-3")
        draft.title = "备份演练第3次会议（修改稿，未发布）"
        draft.save_revision()
    ColumnRequirement.objects.create(
        unit=unit, key="bk-1", level1="政务公开", level2="部门动态", page_type="leader", column_kind="dynamic"
    )
    ColumnRequirement.objects.create(
        unit=unit, key="bk-2", level1="政务公开", level2="领导信息", page_type="leader", column_kind="dynamic", policy_days=14
    )
    now = timezone.now()
    FreshnessSnapshot.objects.create(
        unit=unit,
        taken_at=now,
        score=93,
        passed=True,
        stale_columns=1,
        empty_columns=0,
        broken_links=0,
        detail={"reasons": ["部门动态超期"]},
    )
    CheckRun.objects.create(unit=unit, kind="links", started_at=now, finished_at=now, outcome="ok", detail="备份前检查")
    DailyVisits.objects.create(unit=unit, day=dt.date(2026, 11, 1), views=120, unique_visitors=30)
    DailyVisits.objects.create(unit=unit, day=dt.date(2026, 11, 2), views=80, unique_visitors=21)
    VisitorDigest.objects.create(unit=unit, day=dt.date(2026, 11, 3), digest="0123456789abcdef0123456789abcdef")
    from annualreport.services import create_draft

    create_draft(unit=unit, year=2025)
    # A nomination is unique per contest and address across units, and its score names a public user.
    contest = Contest.objects.create(
        title="备份演练评比",
        year=2026,
        nomination_opens_at=now,
        nomination_closes_at=now,
        scoring_closes_at=now,
        created_by_name="信息中心",
        created_at=now,
    )
    criterion = Criterion.objects.create(contest=contest, name="内容", max_points=10)
    nomination = Nomination.objects.create(
        contest=contest,
        unit=unit,
        title="备份演练专题",
        url="http://bksrc.localhost/bk-news/",
        statement="专题申报",
        submitted_by="李四",
        submitted_at=now,
    )
    Score.objects.create(
        nomination=nomination,
        criterion=criterion,
        juror=get_user_model().objects.get(username=CENTRE_USERNAME),
        points=8,
        created_at=now,
        updated_at=now,
    )
    # A rename keeps the former name as an alias (tenants.Unit.save).
    unit.name = "备份测试局（新）"
    unit.save()
    return Unit.objects.get(pk=unit.pk)


def _drop_unit(code: str) -> None:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        return
    backend = get_backend()
    backend.delete(backend.keys_of_unit(code))
    OutboxEntry.objects.filter(schema_name=unit.schema_name).delete()
    for item in reversed(selectors.unit_owned_models()):
        item.rows(unit).delete()
    unit.delete(force_drop=True)


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("backup-media")
    override = override_settings(MEDIA_ROOT=str(root), STORAGES={**settings.STORAGES})
    override.enable()
    yield root
    override.disable()


@pytest.fixture(scope="module")
def round_trip(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    """The source unit, its archive, and the copy restored from it as COPY, all committed."""
    folder = tmp_path_factory.mktemp("backup-archives")
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        try:
            for code in (COPY, SOURCE):
                _drop_unit(code)  # of a run stopped before its teardown (pytest --reuse-db)
            Contest.objects.filter(title="备份演练评比").delete()
            source = _build_source()
            started = time.perf_counter()
            backup = services.backup_unit(code=SOURCE, output=folder / "bksrc.tar.gz")
            backup_seconds = time.perf_counter() - started
            started = time.perf_counter()
            restore = services.restore_unit(archive=backup.path, new_code=COPY, new_name="备份复制局")
            restore_seconds = time.perf_counter() - started
            yield {
                "source": source,
                "copy": Unit.objects.get(code=COPY),
                "backup": backup,
                "restore": restore,
                "seconds": (backup_seconds, restore_seconds),
                "folder": folder,
            }
        finally:
            connection.set_schema_to_public()
            for code in (COPY, SOURCE):
                _drop_unit(code)
            Contest.objects.filter(title="备份演练评比").delete()
            for schema in ("unit_" + SOURCE, "unit_" + COPY):
                shutil.rmtree(media_root / schema, ignore_errors=True)


def _table_counts(schema: str) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in selectors.schema_tables(schema):
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _page_hashes(schema: str) -> dict[str, str]:
    """Per page (by tree path): a SHA-256 of all its specific fields and of its latest revision's content."""
    hashes = {}
    with schema_context(schema):
        for page in Page.objects.all().specific().order_by("path"):
            revision = page.latest_revision
            payload = {
                "page": json.loads(serializers.serialize("json", [page]))[0],
                "revision": revision.content if revision else None,
            }
            hashes[page.path] = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return hashes


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        return tar.extractfile(name).read()


def _leftovers(code: str, media_root: Path) -> list[str]:
    """What a refused or failed restore of `code` must not have left anywhere."""
    found = []
    if Unit.objects.filter(code=code).exists():
        found.append("unit row")
    if Domain.objects.filter(domain=f"{code}.{settings.PORTAL_DOMAIN}").exists():
        found.append("domain")
    if schema_exists(f"unit_{code}"):
        found.append("schema")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'restore\\_%'")
        found += [f"scratch schema {row[0]}" for row in cursor.fetchall()]
    if (media_root / f"unit_{code}").exists():
        found.append("media folder")
    found += [f"staged media {path.name}" for path in media_root.glob(".restore-*")]
    return found


# --- the archive ------------------------------------------------------------------------------


def test_manifest_holds_a_checksum_of_every_member_and_of_the_contents(round_trip, db):
    archive = round_trip["backup"].path
    manifest = _manifest(archive)
    with tarfile.open(archive, "r:gz") as tar:
        names = [member.name for member in tar.getmembers()]
        actual = {name: hashlib.sha256(tar.extractfile(name).read()).hexdigest() for name in names if name != MANIFEST}
    assert names[-1] == MANIFEST
    assert {name: entry["sha256"] for name, entry in manifest["members"].items()} == actual
    assert {"schema.sql", "public_rows.jsonl", "media/documents/beifen.txt"} <= set(actual)
    assert any(name.startswith("media/images/") for name in actual), "the rendition is archived"
    assert any(name.startswith("media/original_images/") for name in actual), "the original image is archived"
    digest = hashlib.sha256()
    for name in sorted(manifest["members"]):
        digest.update(f"{name}\t{manifest['members'][name]['size']}\t{manifest['members'][name]['sha256']}\n".encode())
    assert manifest["contents_sha256"] == digest.hexdigest()
    assert round_trip["backup"].sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert manifest["consistent_snapshot"] is True


def test_manifest_says_which_public_models_were_included_with_their_rows(round_trip, db):
    source = round_trip["source"]
    included = {entry["model"]: entry for entry in _manifest(round_trip["backup"].path)["public_rows"]["models"]}
    discovered = {item.label for item in selectors.unit_owned_models()}
    assert set(included) == discovered | {"tenants.unit"}
    expected = {
        "tenants.unit": 1,
        "tenants.domain": 1,
        "tenants.unitalias": 1,
        "columns.columnrequirement": 2,
        "oversight.freshnesssnapshot": 1,
        "oversight.checkrun": CheckRun.objects.filter(unit=source).count(),
        "visits.dailyvisits": 2,
        "visits.visitordigest": 1,
        "annualreport.annualreport": 1,
        "annualreport.reportcell": ReportCell.objects.filter(report__unit=source).count(),
        "contests.nomination": 1,
        "contests.score": 1,
    }
    assert expected["annualreport.reportcell"] > 0
    assert {label: included[label]["rows"] for label in expected} == expected
    assert included["annualreport.reportcell"]["via"] == ["report__unit"]
    assert "门户检索索引" in _manifest(round_trip["backup"].path)["public_rows"]["not_included"]
    rows = [json.loads(line) for line in _member(round_trip["backup"].path, "public_rows.jsonl").splitlines()]
    score = next(row for row in rows if row["model"] == "contests.score")
    assert score["fields"]["juror"] == [CENTRE_USERNAME], "a public user is named by its natural key"


def test_schema_sql_has_nothing_postgresql_15_cannot_load(round_trip, db):
    sql = _member(round_trip["backup"].path, SCHEMA_SQL).decode()
    assert "CREATE TABLE unit_bksrc.wagtailcore_page" in sql
    assert "transaction_timeout" not in sql
    assert "\\restrict" not in sql and "\\unrestrict" not in sql
    tables = _manifest(round_trip["backup"].path)["schema"]["tables"]
    assert tables == _table_counts("unit_bksrc")
    assert tables["sitepages_newspage"] == 3


# --- the restored copy is identical -----------------------------------------------------------


def test_every_table_of_the_copy_has_the_same_rows(round_trip, db):
    source, copy = _table_counts("unit_bksrc"), _table_counts("unit_bkcopy")
    assert len(source) > 50  # every table of a unit schema (100 at the time of writing)
    assert copy == source
    assert round_trip["restore"].rows == sum(source.values())


def test_every_page_and_its_latest_revision_are_identical(round_trip, db):
    source, copy = _page_hashes("unit_bksrc"), _page_hashes("unit_bkcopy")
    assert len(source) == 6  # root, home, column, three news pages
    assert copy == source
    with schema_context("unit_bkcopy"):
        draft = NewsPage.objects.get(slug="bk-meeting-3")
        assert draft.has_unpublished_changes
        assert draft.latest_revision.content["title"] == "备份演练第3次会议（修改稿，未发布）"


def test_every_media_file_is_identical(round_trip, media_root, db):
    source = _file_hashes(media_root / "unit_bksrc")
    assert "documents/beifen.txt" in source
    assert len(source) >= 3
    assert _file_hashes(media_root / "unit_bkcopy") == source
    assert round_trip["restore"].media_files == len(source)


def _public_rows(item: selectors.UnitOwnedModel, unit: Unit) -> list[dict]:
    """An owned model's rows of `unit` without ids and references to the unit's own rows."""
    skip = {"id", "unit", "report", "tenant"}
    rows = []
    # The python serializer: datetimes compared to the microsecond (the JSON one keeps milliseconds).
    for row in serializers.serialize("python", item.rows(unit)):
        rows.append({key: value for key, value in row["fields"].items() if key not in skip})
    return sorted(rows, key=lambda fields: repr(sorted(fields.items())))


def test_public_rows_are_copied_and_point_at_the_new_unit(round_trip, db):
    source, copy = round_trip["source"], round_trip["copy"]
    assert copy.pk != source.pk
    assert copy.name == "备份复制局" and copy.full_name == source.full_name
    assert copy.created_at == source.created_at
    left_to_the_original = ("tenants.domain", "tenants.unitalias", "contests.nomination", "contests.score")
    for item in selectors.unit_owned_models():
        if item.label in left_to_the_original:
            continue
        assert _public_rows(item, copy) == _public_rows(item, source), item.label
    assert ReportCell.objects.filter(report__unit=copy).count() == ReportCell.objects.filter(report__unit=source).count()
    assert not ReportCell.objects.filter(report__unit=copy).filter(report__in=AnnualReport.objects.filter(unit=source))
    assert VisitorDigest.objects.filter(unit=copy).count() == 1
    # What a uniqueness rule spanning units gives to one holder stays with the original: the former
    # name, the nomination of the same address in the same contest, and the nomination's score with it.
    assert round_trip["restore"].skipped == {"tenants.unitalias": 1, "contests.nomination": 1, "contests.score": 1}
    assert list(UnitAlias.objects.filter(unit=source).values_list("name", flat=True)) == ["备份测试局"]
    assert not UnitAlias.objects.filter(unit=copy).exists()
    assert not Nomination.objects.filter(unit=copy).exists()
    assert Score.objects.filter(nomination__unit=source).count() == 1


def test_the_copy_gets_its_own_domain_and_site_host(round_trip, db):
    copy = round_trip["copy"]
    assert list(Domain.objects.filter(tenant=copy).values_list("domain", "is_primary")) == [("bkcopy.localhost", True)]
    assert list(Domain.objects.filter(tenant=round_trip["source"]).values_list("domain", flat=True)) == ["bksrc.localhost"]
    with schema_context("unit_bkcopy"):
        assert Site.objects.get().hostname == "bkcopy.localhost"


def test_the_copy_serves_its_pages_and_documents_on_its_new_host(round_trip, client, db):
    home = client.get("/", HTTP_HOST="bkcopy.localhost")
    assert home.status_code == 200
    assert "珠海市备份测试局" in home.content.decode()
    with schema_context("unit_bkcopy"):
        page = NewsPage.objects.get(slug="bk-meeting-1")
        page_url = page.get_url()
        document_url = Document.objects.get(title="备份演练通知附件").url
    response = client.get(page_url, HTTP_HOST="bkcopy.localhost")
    assert response.status_code == 200
    assert "第1次演练：备份、校验、恢复" in response.content.decode()
    served = client.get(document_url, HTTP_HOST="bkcopy.localhost")
    assert served.status_code == 200
    body = b"".join(served.streaming_content) if served.streaming else served.content
    assert body == DOCUMENT_BYTES


def test_the_copy_is_in_the_portal_index(round_trip, db):
    source_docs = PortalDocument.objects.filter(unit_code=SOURCE).count()
    assert source_docs >= 3
    assert PortalDocument.objects.filter(unit_code=COPY).count() == source_docs


def test_commands_back_up_and_restore(round_trip, media_root, db):
    """The thin commands print the checksum and the result; restore refuses the existing code."""
    output = io.StringIO()
    target = round_trip["folder"] / "by-command.tar.gz"
    call_command("backup_unit", SOURCE, "--output", str(target), stdout=output)
    assert "归档 SHA-256" in output.getvalue()
    assert target.is_file()
    with pytest.raises(CommandError, match="已存在"):
        call_command("restore_unit", str(target), stdout=io.StringIO())


# --- refusals and failures leave nothing ------------------------------------------------------


def _rewrite(archive: Path, target: Path, *, change: str, data: bytes) -> None:
    """A copy of the archive with one member's bytes replaced and the original manifest kept."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as out:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == change:
                content = data
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))


def test_a_truncated_archive_is_refused_and_nothing_is_created(round_trip, media_root, tmp_path, db):
    data = round_trip["backup"].path.read_bytes()
    broken = tmp_path / "truncated.tar.gz"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveCorrupted, match="已损坏"):
        services.restore_unit(archive=broken, new_code="bkbad", new_name="损坏局")
    assert _leftovers("bkbad", media_root) == []


def test_an_altered_member_is_refused_by_name_and_nothing_is_created(round_trip, media_root, tmp_path, db):
    altered = tmp_path / "altered.tar.gz"
    _rewrite(round_trip["backup"].path, altered, change="media/documents/beifen.txt", data=b"tampered")
    with pytest.raises(ArchiveCorrupted) as refused:
        services.restore_unit(archive=altered, new_code="bkbad", new_name="损坏局")
    assert "校验失败" in str(refused.value)
    assert "media/documents/beifen.txt" in str(refused.value)
    assert _leftovers("bkbad", media_root) == []

    sql = _member(round_trip["backup"].path, SCHEMA_SQL).replace(b"bk-meeting-2", b"bk-meeting-X")
    _rewrite(round_trip["backup"].path, altered, change=SCHEMA_SQL, data=sql)
    with pytest.raises(ArchiveCorrupted, match=r"schema\.sql"):
        services.restore_unit(archive=altered, new_code="bkbad", new_name="损坏局")
    assert _leftovers("bkbad", media_root) == []


def test_a_wrong_archive_checksum_is_refused(round_trip, media_root, db):
    with pytest.raises(ArchiveCorrupted, match="SHA-256 与给出的值不符"):
        services.restore_unit(archive=round_trip["backup"].path, new_code="bkbad", new_name="损坏局", expected_sha256="0" * 64)
    assert _leftovers("bkbad", media_root) == []


def test_restore_onto_an_existing_unit_is_refused(round_trip, media_root, unit_a, db):
    units = Unit.objects.count()
    with pytest.raises(TargetExists, match=r"已存在.*--replace"):
        services.restore_unit(archive=round_trip["backup"].path)
    with pytest.raises(TargetExists, match="测试甲局"):
        services.restore_unit(archive=round_trip["backup"].path, new_code="ta", new_name="另一个名字")
    assert Unit.objects.count() == units
    assert _page_hashes("unit_ta")  # untouched and still readable
    (media_root / "unit_bkorphan").mkdir()
    try:
        with pytest.raises(TargetExists, match="媒体文件夹"):
            services.restore_unit(archive=round_trip["backup"].path, new_code="bkorphan", new_name="孤儿局")
    finally:
        (media_root / "unit_bkorphan").rmdir()


def test_messages_for_unknown_units_and_codes(round_trip, db):
    with pytest.raises(BackupError, match="没有单位代码为「nosuch」的单位"):
        services.backup_unit(code="nosuch")
    with pytest.raises(BackupError, match="门户"):
        services.backup_unit(code="www")
    with pytest.raises(BackupError, match="单位代码「Bad-Code」无效"):
        services.restore_unit(archive=round_trip["backup"].path, new_code="Bad-Code")
    with pytest.raises(BackupError, match="单位简称「备份测试局（新）」已被单位「bksrc」使用"):
        services.restore_unit(archive=round_trip["backup"].path, new_code="bkname")


def test_a_failure_late_in_the_restore_leaves_nothing(round_trip, media_root, monkeypatch, db):
    """The schema loaded and renamed, the rows written, the media moved into place: then a failure."""
    original = services._MediaMove.into_place

    def into_place_then_fail(self, **kwargs):
        original(self, **kwargs)
        assert (media_root / "unit_bkfail" / "documents" / "beifen.txt").is_file()
        assert schema_exists("unit_bkfail") and Unit.objects.filter(code="bkfail").exists()
        raise BackupError("模拟故障：媒体文件移入后失败")

    monkeypatch.setattr(services._MediaMove, "into_place", into_place_then_fail)
    with pytest.raises(BackupError, match="模拟故障"):
        services.restore_unit(archive=round_trip["backup"].path, new_code="bkfail", new_name="失败局")
    assert _leftovers("bkfail", media_root) == []


def test_replace_restores_the_unit_over_itself(round_trip, media_root, db):
    """--replace: the unit at the code is replaced by the archive's (inside the test's transaction)."""
    before = _page_hashes("unit_bksrc")
    source = Unit.objects.get(code=SOURCE)
    with schema_context("unit_bksrc"):
        Page.objects.filter(slug="bk-meeting-2").delete()
    result = services.restore_unit(archive=round_trip["backup"].path, replace=True)
    restored = Unit.objects.get(code=SOURCE)
    assert restored.pk != source.pk and restored.name == "备份测试局（新）"
    assert _page_hashes("unit_bksrc") == before
    assert list(UnitAlias.objects.filter(unit=restored).values_list("name", flat=True)) == ["备份测试局"]
    assert list(Domain.objects.filter(tenant=restored).values_list("domain", flat=True)) == ["bksrc.localhost"]
    assert result.skipped == {}
    score = Score.objects.get(nomination__unit=restored)
    assert (score.juror.username, score.points, score.nomination.url) == (CENTRE_USERNAME, 8, "http://bksrc.localhost/bk-news/")
    archived = {
        name.removeprefix("media/"): entry["sha256"]
        for name, entry in _manifest(round_trip["backup"].path)["members"].items()
        if name.startswith("media/")
    }
    assert _file_hashes(media_root / "unit_bksrc") == archived
    assert not list(media_root.glob(".replaced-*"))


# --- PostgreSQL 15 --------------------------------------------------------------------------------

PG15 = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture
def postgres15():
    """Debian's PostgreSQL 15 (the production stack's server), started for this test on a socket of its own."""
    if not (PG15 / "initdb").exists():
        pytest.skip("Debian 的 PostgreSQL 15 未安装（/usr/lib/postgresql/15）")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres and not shutil.which("runuser"):
        pytest.skip("以 root 运行且没有 runuser，无法启动 PostgreSQL 15")
    # Outside pytest's tmp_path, whose parents only root may enter.
    home = Path(tempfile.mkdtemp(prefix="pg15-backup-test-"))
    data, sockets = home / "data", home / "socket"
    sockets.mkdir()
    if as_postgres:
        shutil.chown(home, "postgres")
        shutil.chown(sockets, "postgres")
    pg_ctl = [*as_postgres, str(PG15 / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_postgres, str(PG15 / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses='' -k {sockets} -c fsync=off"
        subprocess.run([*pg_ctl, "-o", options, "-l", str(home / "server.log"), "-w", "start"], check=True, capture_output=True)
        yield {"host": str(sockets)}
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _psql15(server: dict, database: str, *args: str, sql_input: bytes | None = None) -> str:
    command = [str(PG15 / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-h", server["host"], "-U", "postgres", "-d", database]
    completed = subprocess.run([*command, *args], input=sql_input, capture_output=True, check=False)
    assert completed.returncode == 0, completed.stderr.decode()
    return completed.stdout.decode()


def test_the_archive_loads_into_postgresql_15_and_dumps_from_it(round_trip, postgres15, tmp_path, db):
    """schema.sql (dumped from the embedded PostgreSQL 18) loads with psql 15 into a PostgreSQL 15 server
    with every row, and the wheel's pg_dump dumps that server into SQL that PostgreSQL 15 loads again."""
    sql = _member(round_trip["backup"].path, SCHEMA_SQL)
    _psql15(postgres15, "postgres", "-c", "CREATE DATABASE first")
    _psql15(postgres15, "first", "-q", sql_input=sql)
    expected = _manifest(round_trip["backup"].path)["schema"]["tables"]
    counts = _psql15(
        postgres15,
        "first",
        "-At",
        "-c",
        "SELECT string_agg(format('%s=%s', table_name, (xpath('/row/c/text()', query_to_xml(format("
        "'SELECT count(*) AS c FROM unit_bksrc.%I', table_name), false, true, '')))[1]::text), ',' ORDER BY table_name) "
        "FROM information_schema.tables WHERE table_schema = 'unit_bksrc'",
    )
    loaded = dict(pair.split("=") for pair in counts.strip().split(","))
    assert {table: int(rows) for table, rows in loaded.items()} == expected

    params = {"dbname": "first", "host": postgres15["host"], "user": "postgres"}
    with open(tmp_path / "from15.sql", "wb") as handle:
        dump = pgdump.dump_schema(schema_name="unit_bksrc", destination=handle, params=params)
    assert dump.server_version.startswith("15")
    assert dump.rows == expected
    again = (tmp_path / "from15.sql").read_bytes()
    assert b"transaction_timeout" not in again and b"\\restrict" not in again
    _psql15(postgres15, "postgres", "-c", "CREATE DATABASE second")
    _psql15(postgres15, "second", "-q", sql_input=again)
    assert _psql15(postgres15, "second", "-At", "-c", "SELECT count(*) FROM unit_bksrc.sitepages_newspage").strip() == "3"
