"""Importing the 责任分解表 and building unit sites from shared page types."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from columns.models import ColumnRequirement, ImportRun
from columns.services import build_column_tree, import_requirements
from columns.table import parse_csv, parse_file, parse_xlsx, rows_to_csv, rows_to_xlsx, source_document_path
from sitepages.models import ColumnListingPage, LeaderPage, NewsPage, PolicyDocumentPage
from sitepages.publishing import PublishBlocked
from tenants.models import Unit
from tests.support.clients import unit_admin_client

ATTACHMENT = source_document_path()


@pytest.fixture
def imported(db):
    report = import_requirements(rows=parse_file(ATTACHMENT), source_name=ATTACHMENT.name)
    return report


def test_attachment_imports_exactly_its_rows(imported):
    counts = {
        u.name: ColumnRequirement.objects.filter(unit=u).count()
        for u in Unit.objects.filter(name__in=["市府办公室", "市发展改革局", "市经贸局"])
    }
    assert counts == {"市府办公室": 15, "市发展改革局": 7, "市经贸局": 10}
    leaders = ColumnRequirement.objects.filter(unit__name="市府办公室", page_type="leader")
    assert leaders.count() == 8
    notice = ColumnRequirement.objects.get(unit__name="市府办公室", page_type="notice")
    assert notice.categories == ["政府重点工作", "市政府提交市人大及其常委会的报告"]
    assert ImportRun.objects.count() == 1


def test_tree_is_built_from_shared_page_types(imported):
    office = Unit.objects.get(name="市府办公室")
    with schema_context(office.schema_name):
        home = Site.objects.get().root_page
        leaders = LeaderPage.objects.descendant_of(home)
        assert sorted(p.name for p in leaders) == sorted(
            ["钟世坚", "何宁卡", "霍荣荫", "陈洪辉", "邓群芳", "金展扬", "陈英", "赵建国"]
        )
        window = leaders.first().get_parent()
        assert window.title == "市长之窗" and window.get_parent().title == "信息服务"
        documents = ColumnListingPage.objects.descendant_of(home).get(title="政府文件")
        assert documents.item_type == "policy_document" and documents.live
        assert documents.column_kind == "policy" and documents.policy_days == 183
    trade = Unit.objects.get(name="市经贸局")
    with schema_context(trade.schema_name):
        titles = set(Page.objects.descendant_of(Site.objects.get().root_page).values_list("title", flat=True))
        # Three requirements share one path: the profile and two 办事指南 columns.
        assert {"市政府(市经济贸易局)", "市政府(市经济贸易局)·办事指南"} <= titles
        assert any(t.startswith("市政府(市经济贸易局)·办事指南（") for t in titles)


def test_second_import_changes_nothing(imported):
    with schema_context(Unit.objects.get(name="市发展改革局").schema_name):
        before = Page.objects.count()
    again = import_requirements(rows=parse_file(ATTACHMENT), source_name="again.txt")
    assert not again.has_changes
    assert "未做任何更改" in "\n".join(again.lines())
    with schema_context(Unit.objects.get(name="市发展改革局").schema_name):
        assert Page.objects.count() == before
    for unit in Unit.objects.filter(name__in=["市发展改革局"]):
        assert build_column_tree(unit=unit) == {"created": 0, "updated": 0}


def test_changed_table_adds_changes_and_retires_without_deleting_content(imported):
    unit = Unit.objects.get(name="市发展改革局")
    rows = [r for r in parse_file(ATTACHMENT) if not (r.unit == "市发展改革局" and r.page_type == "plan")]
    changed = [
        r
        if not (r.unit == "市发展改革局" and r.page_type == "news")
        else r.__class__(**{**r.__dict__, "content": "本部门重要动态信息（修订）"})
        for r in rows
    ]
    report = import_requirements(rows=changed, source_name="v2.txt", dry_run=True)
    fgj = next(u for u in report.units if u.unit_name == "市发展改革局")
    assert len(fgj.retired) == 1 and len(fgj.changed) == 1 and not fgj.added
    assert ColumnRequirement.objects.filter(unit=unit, retired_at__isnull=False).count() == 0  # dry run wrote nothing
    import_requirements(rows=changed, source_name="v2.txt")
    assert ColumnRequirement.objects.get(unit=unit, page_type="plan").retired_at is not None
    with schema_context(unit.schema_name):
        assert ColumnListingPage.objects.filter(item_type="plan").exists()  # the column and its content stay
        assert ColumnListingPage.objects.get(item_type="news").content_requirement == "本部门重要动态信息（修订）"


def test_csv_and_xlsx_give_the_same_rows():
    rows = parse_file(ATTACHMENT)
    strip = lambda rs: [r.as_json() for r in rs]  # noqa: E731
    assert strip(parse_csv(rows_to_csv(rows))) == strip(rows)
    assert strip(parse_xlsx(rows_to_xlsx(rows))) == strip(rows)


@pytest.mark.parametrize(
    "mutate, line_word",
    [
        (lambda lines, i: lines.__setitem__(i, lines[i].replace("│", "", 1)), "第"),
        (lambda lines, i: lines.__delitem__(slice(i, None)), "第"),
    ],
)
def test_malformed_table_is_refused_with_its_line_and_nothing_written(db, tmp_path, mutate, line_word):
    lines = ATTACHMENT.read_text(encoding="utf-8").splitlines()
    first_row = next(i for i, line in enumerate(lines) if line.startswith("│信息服"))
    mutate(lines, first_row)
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    before = Unit.objects.count()
    with pytest.raises(CommandError) as info:
        call_command("import_responsibilities", str(broken))
    assert "行" in str(info.value)
    assert Unit.objects.count() == before
    assert ColumnRequirement.objects.count() == 0


def _csv(tmp_path, body: str, *, header: str = "单位,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别") -> str:
    path = tmp_path / "table.csv"
    path.write_text(f"{header}\n{body}", encoding="utf-8")
    return str(path)


NEW_UNIT_ROWS = (
    "市统筹局,信息服务,部门动态,,本局工作动态。,及时发布,工作动态\n市统筹局,信息服务,通知公告,,通知公告。,及时发布,公告公示\n"
)


def test_unregistered_unit_is_listed_as_new_then_provisioned_with_its_columns(db, tmp_path, capsys):
    path = _csv(tmp_path, NEW_UNIT_ROWS)
    call_command("import_responsibilities", path, "--dry-run")
    out = capsys.readouterr().out
    assert "市统筹局（tcj）：新单位，拟定单位代码 tcj，将开通子站" in out
    assert not Unit.objects.filter(name="市统筹局").exists() and ColumnRequirement.objects.count() == 0
    call_command("import_responsibilities", path)
    out = capsys.readouterr().out
    assert "市统筹局（tcj）：新单位，单位代码 tcj，已开通子站" in out and "tcj_admin" in out
    unit = Unit.objects.get(name="市统筹局")
    assert unit.code == "tcj" and ColumnRequirement.objects.filter(unit=unit).count() == 2
    with schema_context(unit.schema_name):
        assert ColumnListingPage.objects.filter(title="部门动态", item_type="news").exists()


def test_proposed_code_is_unique_and_a_code_column_is_used(db, tmp_path, capsys):
    from tenants.services import provision_unit

    provision_unit(code="tcj", name="市投产局")
    call_command("import_responsibilities", _csv(tmp_path, NEW_UNIT_ROWS), "--dry-run")
    assert "市统筹局（tcj2）：新单位" in capsys.readouterr().out
    header = "单位,单位代码,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别"
    call_command(
        "import_responsibilities",
        _csv(tmp_path, "市统筹局,tongchou,信息服务,部门动态,,动态。,及时发布,工作动态\n", header=header),
    )
    assert Unit.objects.get(name="市统筹局").code == "tongchou"
    # A code that belongs to another unit is refused, nothing written.
    with pytest.raises(CommandError) as info:
        call_command(
            "import_responsibilities", _csv(tmp_path, "市新局,tcj,信息服务,部门动态,,动态。,及时发布,工作动态\n", header=header)
        )
    assert "tcj" in str(info.value) and "市投产局" in str(info.value)
    assert not Unit.objects.filter(name="市新局").exists()


def test_a_renamed_unit_keeps_its_old_name_and_its_columns(imported, tmp_path, capsys):
    from tenants.models import UnitAlias

    unit = Unit.objects.get(code="fgj")
    before = {r.key for r in ColumnRequirement.objects.filter(unit=unit)}
    unit.name = "市发展和改革局"
    unit.save()
    assert UnitAlias.objects.filter(unit=unit, name="市发展改革局").exists()
    # The 2007 table (old name) still maps to the unit: nothing new, nothing retired.
    report = import_requirements(rows=parse_file(ATTACHMENT), source_name=ATTACHMENT.name)
    assert not report.has_changes
    assert not Unit.objects.filter(name="市发展改革局").exists()
    # And a table with the new name finds the same columns.
    renamed = tmp_path / "renamed.txt"
    renamed.write_text(ATTACHMENT.read_text(encoding="utf-8").replace("二、市发展改革局", "二、市发展和改革局"), encoding="utf-8")
    report = import_requirements(rows=parse_file(renamed), source_name="renamed.txt")
    assert not report.has_changes
    assert {r.key for r in ColumnRequirement.objects.filter(unit=unit, retired_at__isnull=True)} == before


def test_the_table_with_todays_name_imports(db, tmp_path, capsys):
    from tenants.models import UnitAlias

    today = tmp_path / "today.txt"
    today.write_text(ATTACHMENT.read_text(encoding="utf-8").replace("三、市经贸局", "三、市交通运输局"), encoding="utf-8")
    call_command("import_responsibilities", str(today), "--dry-run")
    # The seed catalogue knows 市交通运输局 as today's name of 市交通局 (jtj).
    assert "市交通运输局（jtj）：新单位，拟定单位代码 jtj" in capsys.readouterr().out
    call_command("import_responsibilities", str(today))
    unit = Unit.objects.get(code="jtj")
    assert unit.name == "市交通运输局" and ColumnRequirement.objects.filter(unit=unit).exists()
    assert UnitAlias.objects.filter(unit=unit, name="市交通局").exists()
    # The 2007 name maps to the same unit.
    old = tmp_path / "old.txt"
    old.write_text(ATTACHMENT.read_text(encoding="utf-8").replace("三、市经贸局", "三、市交通局"), encoding="utf-8")
    report = import_requirements(rows=parse_file(old), source_name="old.txt")
    assert not report.has_changes and not Unit.objects.filter(name="市交通局").exists()


def test_a_registered_unit_is_found_by_its_seed_alias(db, tmp_path):
    from tenants.services import provision_unit

    provision_unit(code="jtj", name="市交通局")
    rows = parse_csv(
        "单位,一级栏目,二级栏目,三级栏目,具体内容,保障方式,政务公开类别\n市交通运输局,信息服务,部门动态,,动态。,及时发布,工作动态\n"
    )
    report = import_requirements(rows=rows, source_name="t.csv")
    assert [(u.unit_name, u.create_unit) for u in report.units] == [("市交通局", False)]
    assert ColumnRequirement.objects.filter(unit__code="jtj").count() == 1


@pytest.mark.parametrize(
    "cell, column, reason",
    [("信" * 61, 2, "一级栏目过长"), ("信息\x00服务", 2, "空字符"), ("信息服务", 6, "保障方式过长")],
)
def test_over_long_cell_and_nul_are_refused_by_the_command_and_nothing_written(db, tmp_path, cell, column, reason):
    units_before = set(Unit.objects.values_list("code", flat=True))
    guarantee = "保" * 41 if column == 6 else "及时发布"
    path = _csv(
        tmp_path,
        f"市府办公室,信息服务,公告公示,,公告。,及时发布,政府重点工作\n市统筹局,{cell},部门动态,,动态。,{guarantee},工作动态\n",
    )
    for args in ((path, "--dry-run"), (path,)):
        with pytest.raises(CommandError) as info:
            call_command("import_responsibilities", *args)
        assert f"第3行第{column}列" in str(info.value) and reason in str(info.value)
    assert set(Unit.objects.values_list("code", flat=True)) == units_before and ColumnRequirement.objects.count() == 0


def test_length_limits_are_the_model_fields():
    from columns.table.rows import MAX_LENGTHS
    from sitepages.models import ColumnPage

    field = ColumnRequirement._meta.get_field
    assert {
        "unit": Unit._meta.get_field("name").max_length,
        "unit_code": Unit._meta.get_field("code").max_length,
        "level1": field("level1").max_length,
        "level2": field("level2").max_length,
        "level3": field("level3").max_length,
        "guarantee": field("guarantee").max_length,
        "category": field("categories").base_field.max_length,
        "categories": ColumnPage._meta.get_field("disclosure_categories").max_length,
    } == MAX_LENGTHS
    from tenants.models import UnitAlias

    assert UnitAlias._meta.get_field("name").max_length == MAX_LENGTHS["unit"]


def test_json_output(capsys, db):
    call_command("import_responsibilities", str(ATTACHMENT), "--json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert len(data) == 32
    assert set(data[0]) == {"unit", "level1", "level2", "level3", "content", "guarantee", "categories", "page_type"}


def _document_column(unit):
    home = Site.objects.get().root_page
    column = home.add_child(instance=ColumnListingPage(title="政府文件", slug="zfwj", item_type="policy_document"))
    column.save_revision().publish()
    return column


def test_publishing_without_a_required_field_is_refused(unit_a):
    with schema_context(unit_a.schema_name):
        column = _document_column(unit_a)
        page = column.add_child(
            instance=PolicyDocumentPage(title="关于印发某办法的通知", slug="d1", publish_date=dt.date(2026, 11, 1), live=False)
        )
        revision = page.save_revision(clean=False)  # a draft may be incomplete
        with pytest.raises(PublishBlocked) as info:
            revision.publish()
        message = str(info.value)
        assert "文号" in message and "发布机构" in message and "主题词" in message
        page.refresh_from_db()
        assert not page.live
        with pytest.raises(PublishBlocked):
            column.add_child(instance=PolicyDocumentPage(title="直接上线", slug="d2", publish_date=dt.date(2026, 11, 1)))


def test_admin_publish_without_required_field_names_it(unit_a):
    client = unit_admin_client(unit_a)
    with schema_context(unit_a.schema_name):
        column = _document_column(unit_a)
    response = client.post(
        f"/admin/pages/add/sitepages/policydocumentpage/{column.id}/",
        {
            "title": "关于加强政务信息维护管理的通知",
            "slug": "notice-1",
            "document_kind": "gov_document",
            "doc_number": "",
            "issuing_body": "珠海市测试甲局",
            "publish_date": "2026-11-20",
            "subject_words": "政务 信息",
            "validity": "valid",
            "body-count": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
            "action-publish": "action-publish",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        },
        HTTP_HOST="ta.localhost",
    )
    assert "文号" in response.content.decode()
    with schema_context(unit_a.schema_name):
        assert not PolicyDocumentPage.objects.filter(live=True).exists()


def _publish_news(unit):
    with schema_context(unit.schema_name):
        home = Site.objects.get().root_page
        column = home.add_child(
            instance=ColumnListingPage(title="部门动态", slug="bmdt", item_type="news", disclosure_categories="工作动态类")
        )
        column.save_revision().publish()
        for n in range(3):
            page = column.add_child(
                instance=NewsPage(
                    title=f"营商环境工作会议第{n + 1}次",
                    slug=f"n{n}",
                    author="李四",
                    source="市测试甲局",
                    publish_date=dt.date(2026, 11, 10 + n),
                    body=[("paragraph", RichText("<p>会议部署了下一阶段重点工作。</p>"))],
                )
            )
            page.save_revision().publish()
        return column


def test_unit_and_column_feeds_are_valid_with_absolute_urls(client, unit_a):
    column = _publish_news(unit_a)
    for url in ("/feeds/rss/", "/feeds/atom/", f"/feeds/column/{column.id}/rss/", f"/feeds/column/{column.id}/atom/"):
        response = client.get(url, HTTP_HOST="ta.localhost")
        assert response.status_code == 200, url
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (url, feed.bozo_exception)
        assert len(feed.entries) == 3
        assert all(entry.link.startswith("http://ta.localhost/") for entry in feed.entries)
        assert feed.entries[0].title == "营商环境工作会议第3次"


def test_article_page_has_footer_and_meta_tags(client, unit_a):
    _publish_news(unit_a)
    html = client.get("/bmdt/n0/", HTTP_HOST="ta.localhost").content.decode()
    for tag in ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource"):
        assert f'name="{tag}"' in html, tag
    assert 'content="部门动态"' in html and 'content="2026-11-10' in html
    for text in ("党政机关", "网站标识码", "ICP备", "公安备案", "主办单位"):
        assert text in html, text


def test_repealed_document_says_so_at_the_top(client, unit_a):
    with schema_context(unit_a.schema_name):
        column = _document_column(unit_a)
        page = column.add_child(
            instance=PolicyDocumentPage(
                title="旧办法",
                slug="old",
                doc_number="珠府〔2001〕1号",
                issuing_body="珠海市人民政府",
                subject_words="管理 办法",
                publish_date=dt.date(2001, 1, 1),
                validity="repealed",
                body=[("paragraph", RichText("<p>正文。</p>"))],
            )
        )
        page.save_revision().publish()
    html = client.get("/zfwj/old/", HTTP_HOST="ta.localhost").content.decode()
    assert "本文件已废止" in html
    assert html.index("本文件已废止") < html.index("<h1>旧办法</h1>")


def test_sitemap_and_robots(client, unit_a):
    _publish_news(unit_a)
    sitemap = client.get("/sitemap.xml", HTTP_HOST="ta.localhost")
    assert sitemap.status_code == 200 and "http://ta.localhost/bmdt/n0/" in sitemap.content.decode()
    robots = client.get("/robots.txt", HTTP_HOST="ta.localhost").content.decode()
    assert "Sitemap: http://ta.localhost/sitemap.xml" in robots
