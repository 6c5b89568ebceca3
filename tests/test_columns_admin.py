"""The information centre's admin screens for the responsibility table."""

from __future__ import annotations

import re

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
    assert "试运行结果（未写入）" in html and "市经贸局（jmj）：新单位，拟定单位代码 jmj，将开通子站" in html
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


def test_upload_of_an_unregistered_unit_provisions_it(db):
    client = centre_client()
    table = (
        "单位,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别\n市统筹局,信息服务,部门动态,,动态。,及时发布,工作动态\n"
    )
    preview = _upload(client, "new.csv", table.encode("utf-8"), dry_run=True)
    assert "市统筹局（tcj）：新单位，拟定单位代码 tcj，将开通子站" in preview.content.decode()
    assert not Unit.objects.filter(name="市统筹局").exists()
    done = _upload(client, "new.csv", table.encode("utf-8"), dry_run=False)
    assert "tcj_admin" in done.content.decode()
    unit = Unit.objects.get(code="tcj")
    with schema_context(unit.schema_name):
        assert ColumnListingPage.objects.filter(title="部门动态").exists()


def test_upload_with_over_long_cell_or_nul_names_line_and_column_and_writes_nothing(db):
    client = centre_client()
    units_before = set(Unit.objects.values_list("code", flat=True))
    text = ATTACHMENT.read_text(encoding="utf-8")
    for name, data in (
        (
            "long.csv",
            (
                "单位,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别\n市统筹局,信息服务,部门动态,,动态。,及时发布,"
                + "类" * 81
                + "\n"
            ).encode("utf-8"),
        ),
        ("nul.txt", text.replace("三、市经贸局", "三、市经\x00贸局").encode("utf-8")),
    ):
        for dry_run in (True, False):
            response = _upload(client, name, data, dry_run=dry_run)
            assert response.status_code == 200
            html = response.content.decode()
            assert name in html and "行第" in html and "列" in html, html[-2000:]
    assert set(Unit.objects.values_list("code", flat=True)) == units_before and ColumnRequirement.objects.count() == 0


def test_unit_admin_cannot_reach_the_import(unit_a):
    client = unit_admin_client(unit_a)
    assert client.get("/admin/columns/import/", HTTP_HOST="ta.localhost").status_code == 404


def test_information_centre_changes_a_column_policy(db):
    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    requirement = ColumnRequirement.objects.get(unit__code="fgj", page_type="news")
    response = client.post(
        f"/admin/column_requirements/edit/{requirement.pk}/", {**_form(requirement), "policy_days": "7"}, HTTP_HOST="localhost"
    )
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


def _form(requirement) -> dict:
    return {
        "level1": requirement.level1,
        "level2": requirement.level2,
        "level3": requirement.level3,
        "content": requirement.content,
        "guarantee": requirement.guarantee,
        "categories": "、".join(requirement.categories),
        "page_type": requirement.page_type,
        "policy_days": "" if requirement.policy_days is None else str(requirement.policy_days),
    }


def test_requirement_list_is_chinese(db):
    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    html = client.get("/admin/column_requirements/", HTTP_HOST="localhost").content.decode()
    for label in ("领导之窗", "规划计划类", "机构目录", "静态信息类", "在用", "否", "天"):
        assert label in html, label
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", cell) for cell in cells)
    for raw in ("leader", "org_directory", "static", "plan", "False", "True", "None"):
        assert not re.search(rf"\b{raw}\b", text), raw


def test_centre_adds_edits_and_retires_a_requirement_and_the_page_stays(db):
    from oversight.selectors import unit_state

    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    unit = Unit.objects.get(code="fgj")
    form = {
        "unit": str(unit.pk),
        "level1": "信息服务",
        "level2": "人事信息",
        "level3": "",
        "content": "人事任免信息。",
        "guarantee": "及时发布",
        "categories": "人事信息、工作动态",
        "page_type": "news",
        "policy_days": "",
    }
    response = client.post("/admin/column_requirements/new/", form, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = ColumnRequirement.objects.get(unit=unit, level2="人事信息")
    assert (added.categories, added.column_kind, added.policy_days, added.policy_overridden) == (
        ["人事信息", "工作动态"],
        "dynamic",
        14,
        False,
    )
    with schema_context(unit.schema_name):
        page = ColumnListingPage.objects.get(requirement_key=added.key)
        assert page.title == "人事信息" and page.item_type == "news"
    # Edit: content, categories and period.
    response = client.post(
        f"/admin/column_requirements/edit/{added.pk}/",
        {**_form(added), "content": "人事任免和招录信息。", "categories": "人事信息", "policy_days": "10"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.content, added.categories, added.policy_days, added.policy_overridden) == (
        "人事任免和招录信息。",
        ["人事信息"],
        10,
        True,
    )
    with schema_context(unit.schema_name):
        page = ColumnListingPage.objects.get(requirement_key=added.key)
        assert (page.content_requirement, page.policy_days) == ("人事任免和招录信息。", 10)
    # An over-long value is refused on the form.
    response = client.post(
        f"/admin/column_requirements/edit/{added.pk}/", {**_form(added), "level1": "信" * 61}, HTTP_HOST="localhost"
    )
    errors = re.findall(r'class="error-message"[^>]*>(.*?)</', response.content.decode(), flags=re.S)
    assert response.status_code == 200 and any("60" in e for e in errors), errors
    added.refresh_from_db()
    assert added.level1 == "信息服务"
    # Retire: asks first, then keeps the page, and monitoring no longer judges it.
    assert "停用" in client.get(f"/admin/column_requirements/retire/{added.pk}/", HTTP_HOST="localhost").content.decode()
    assert any(c.title == "人事信息" for c in unit_state(unit=unit).columns)
    response = client.post(f"/admin/column_requirements/retire/{added.pk}/", {}, HTTP_HOST="localhost")
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.retired_at is not None
    with schema_context(unit.schema_name):
        assert ColumnListingPage.objects.get(requirement_key=added.key).live
    assert not any(c.title == "人事信息" for c in unit_state(unit=unit).columns)
    # No delete: the policy allows add, change and view only.
    assert client.get(f"/admin/column_requirements/delete/{added.pk}/", HTTP_HOST="localhost").status_code in (403, 302)
    assert ColumnRequirement.objects.filter(pk=added.pk).exists()
    # And back.
    client.post(f"/admin/column_requirements/retire/{added.pk}/", {}, HTTP_HOST="localhost")
    added.refresh_from_db()
    assert added.retired_at is None


def test_centre_sets_the_period_of_every_column_of_a_type(db):
    client = centre_client()
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    news = ColumnRequirement.objects.filter(page_type="news", retired_at__isnull=True)
    assert news.values("unit").distinct().count() > 1
    response = client.post("/admin/column_requirements/policy/", {"page_type": "news", "policy_days": "7"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert set(news.values_list("policy_days", "policy_overridden")) == {(7, True)}
    assert not ColumnRequirement.objects.exclude(page_type="news").filter(policy_days=7).exists()
    for unit in Unit.objects.filter(requirements__page_type="news").distinct():
        with schema_context(unit.schema_name):
            keys = set(news.filter(unit=unit).values_list("key", flat=True))
            assert {p.policy_days for p in ColumnListingPage.objects.filter(requirement_key__in=keys)} == {7}
    # Kept by the next import.
    _upload(client, "table.txt", ATTACHMENT.read_bytes(), dry_run=False)
    assert set(news.values_list("policy_days", flat=True)) == {7}


def test_unit_admin_has_no_requirement_screens(unit_a):
    client = unit_admin_client(unit_a)
    for url in ("/admin/column_requirements/", "/admin/column_requirements/policy/", "/admin/column_requirements/new/"):
        assert client.get(url, HTTP_HOST="ta.localhost").status_code in (403, 404, 302), url


def test_centre_renames_a_unit_and_a_table_under_the_former_name_still_maps_to_it(db):
    from tenants.models import UnitAlias
    from tenants.services import provision_unit

    provision_unit(code="jtj", name="市交通局")
    provision_unit(code="sfj", name="市司法局")
    client = centre_client()
    listing = client.get("/admin/units/").content.decode()
    assert "/admin/units/jtj/edit/" in listing
    form = client.get("/admin/units/jtj/edit/")
    assert form.status_code == 200 and "曾用名或别名" in form.content.decode()

    fields = {"unit_type": "department", "sort_order": "100", "min_distinct_people": "2", "full_name": "珠海市交通运输局"}
    # Another unit's name, or its alias, is refused with the unit named.
    taken = client.post("/admin/units/jtj/edit/", {**fields, "name": "市交通运输局", "aliases": "市司法局"})
    assert "「市司法局」已是单位「市司法局」的名称或别名" in taken.content.decode()
    assert Unit.objects.get(code="jtj").name == "市交通局"

    done = client.post("/admin/units/jtj/edit/", {**fields, "name": "市交通运输局", "aliases": "交通运输局\n"})
    assert done.status_code == 302
    unit = Unit.objects.get(code="jtj")
    assert (unit.name, unit.full_name) == ("市交通运输局", "珠海市交通运输局")
    assert set(UnitAlias.objects.filter(unit=unit).values_list("name", flat=True)) == {"市交通局", "交通运输局"}
    assert "曾用名或别名：交通运输局、市交通局" in client.get("/admin/units/").content.decode()

    old_table = (
        "单位,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别\n市交通局,信息服务,部门动态,,动态。,及时发布,工作动态\n"
    )
    preview = _upload(client, "old.csv", old_table.encode("utf-8"), dry_run=True).content.decode()
    assert "新单位，拟定单位代码" not in preview and "市交通运输局（jtj）" in preview
    _upload(client, "old.csv", old_table.encode("utf-8"), dry_run=False)
    assert ColumnRequirement.objects.filter(unit=unit).count() == 1
    assert not Unit.objects.filter(name="市交通局").exists()

    # A too-long alias names its line.
    long_alias = client.post("/admin/units/jtj/edit/", {**fields, "name": "市交通运输局", "aliases": "甲\n" + "乙" * 61})
    assert "第 2 行" in long_alias.content.decode()


def test_unit_admin_cannot_edit_units(unit_a):
    response = unit_admin_client(unit_a).get(f"/admin/units/{unit_a.code}/edit/")
    assert response.status_code == 404
