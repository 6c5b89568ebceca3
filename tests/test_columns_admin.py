"""The information centre's admin screens for the responsibility table."""

from __future__ import annotations

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from columns.models import ColumnRequirement
from columns.table import parse_file, rows_to_xlsx, source_document_path
from sitepages.models import ColumnListingPage
from tenants.models import Unit
from tests.support.clients import centre_client, unit_admin_client

ATTACHMENT = source_document_path()


def _upload(client, name: str, data: bytes, *, dry_run: bool):
    form = {"table": SimpleUploadedFile(name, data)}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/admin/columns/import/", form, HTTP_HOST="localhost")


def test_upload_dry_run_then_import(db):
    client = centre_client()
    preview = _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=True)
    html = preview.content.decode()
    assert "试运行结果（未写入）" in html and "市经贸局（jmj）：将开通新单位子站" in html
    assert ColumnRequirement.objects.count() == 0
    done = _upload(client, "table.xlsx", rows_to_xlsx(parse_file(ATTACHMENT)), dry_run=False)
    html = done.content.decode()
    assert "导入结果" in html and "jmj_admin" in html
    assert ColumnRequirement.objects.count() == 32
    # The centre's user lives in the public schema: no unit log entry may name a user by that id.
    from wagtail.models import PageLogEntry

    with schema_context(Unit.objects.get(code="fgj").schema_name):
        entries = PageLogEntry.objects.all()
        assert entries.exists() and not entries.filter(user__isnull=False).exists()


def test_malformed_upload_names_line_and_writes_nothing(db):
    client = centre_client()
    text = ATTACHMENT.read_text(encoding="utf-8").replace("│信息服│市长之窗│", "│信息服│市长之窗", 1)
    response = _upload(client, "broken.txt", text.encode("utf-8"), dry_run=False)
    html = response.content.decode()
    assert "broken.txt" in html and "行" in html
    assert ColumnRequirement.objects.count() == 0
    assert not Unit.objects.filter(code="szfb").exists()


def test_unit_admin_cannot_reach_the_import(unit_a):
    client = unit_admin_client(unit_a)
    assert client.get("/admin/columns/import/", HTTP_HOST="ta.localhost").status_code == 404


def test_information_centre_changes_a_column_policy(db):
    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    requirement = ColumnRequirement.objects.get(unit__code="fgj", page_type="news")
    response = client.post(f"/admin/column_requirements/edit/{requirement.pk}/", {"policy_days": "7"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.policy_days == 7 and requirement.policy_overridden
    with schema_context(requirement.unit.schema_name):
        assert ColumnListingPage.objects.get(requirement_key=requirement.key).policy_days == 7
    # A later import keeps the centre's decision.
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    requirement.refresh_from_db()
    assert requirement.policy_days == 7


def test_download_current_table(db):
    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    response = client.get("/admin/columns/download/", HTTP_HOST="localhost")
    from io import BytesIO

    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet.max_row == 33
