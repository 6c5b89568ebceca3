"""The 保密审查 reads every text a visitor can read on a page, whatever the page type.

The fields are enumerated here independently of moderation.secrecy.page_fields: every
concrete subclass of sitepages.models.GovPage, every text-like field of it
and of its inline child models. A marker is put into exactly one field of an
in-memory page and the scan must report it under that field's verbose name —
so a text field added to a page type without being scanned fails this test.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.utils import translation
from django_tenants.utils import schema_context
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import RichText

from moderation.models import SensitiveWord
from moderation.secrecy.page_fields import page_documents, page_texts, stream_text
from moderation.secrecy.selectors import inspect_page, page_text_fields
from sitepages.models import GovPage, PolicyDocumentPage, UnitLeader, UnitProfilePage
from sitepages.publishing import PublishBlocked

MARKER = "绝密★"

# Text fields that are deliberately not scanned, with the reason. Any other
# text field must be found by the scan.
NOT_SCANNED = {
    "path": "treebeard's materialised tree path",
    "draft_title": "Wagtail's copy of the latest draft's title; the draft itself is scanned",
    "url_path": "Wagtail's path computed from the slugs, which are scanned",
    "requirement_key": "set by the column import (a hex digest), never rendered",
    "item_type": "set by the column import (a code), never rendered",
    "last_confirmed_by": "set by 已核查 (a user name), never rendered",
}
# Inline child models that are not published.
UNPUBLISHED_CHILDREN = {"wagtailcore.comment": "editorial comments on the draft"}

TEXT_FIELD_TYPES = (models.CharField, models.TextField, StreamField)


def concrete_page_types() -> list[type[GovPage]]:
    return sorted(
        (model for model in apps.get_models() if issubclass(model, GovPage) and not model._meta.abstract),
        key=lambda model: model.__name__,
    )


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and isinstance(field, TEXT_FIELD_TYPES) and field.name not in NOT_SCANNED
    ]


def inline_children(model: type[models.Model]) -> list:
    return [
        relation
        for relation in model._meta.related_objects
        if isinstance(relation.field, ParentalKey) and relation.related_model._meta.label_lower not in UNPUBLISHED_CHILDREN
    ]


def marked_value(field: models.Field) -> object:
    if isinstance(field, StreamField):
        for name, block in field.stream_block.child_blocks.items():
            if isinstance(block, blocks.RichTextBlock):
                return [(name, RichText(f"<p>{MARKER}</p>"))]
            if isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
                return [(name, MARKER)]
        raise AssertionError(f"{field} has no text block to put the marker in")
    if isinstance(field, RichTextField):
        return f"<p>{MARKER}</p>"
    return MARKER


def cases() -> list:
    found = []
    for model in concrete_page_types():
        for field in text_fields(model):
            found.append(pytest.param(model, None, field.name, id=f"{model.__name__}.{field.name}"))
        for relation in inline_children(model):
            for field in text_fields(relation.related_model):
                found.append(
                    pytest.param(model, relation, field.name, id=f"{model.__name__}.{relation.get_accessor_name()}.{field.name}")
                )
    return found


CASES = cases()


def test_the_enumeration_sees_the_fields_that_were_missed() -> None:
    ids = {case.id for case in CASES}
    assert len(concrete_page_types()) >= 15
    assert {
        "UnitHomePage.seo_title",
        "UnitHomePage.intro",
        "SectionPage.intro",
        "InteractionPage.channels",
        "LeaderPage.division_of_work",
        "UnitProfilePage.leaders.scope",
        "UnitProfilePage.departments.duties",
        "ServiceGuidePage.forms.title",
        "PhoneDirectoryPage.entries.note",
        "NewsPage.search_description",
    } <= ids


@pytest.mark.parametrize(("model", "relation", "field_name"), CASES)
def test_marker_in_any_text_field_is_found_under_its_name(db, model, relation, field_name) -> None:
    page = model(title="测试页面", slug="test")
    if relation is None:
        field = model._meta.get_field(field_name)
        setattr(page, field.attname, marked_value(field))
    else:
        child_model = relation.related_model
        field = child_model._meta.get_field(field_name)
        child = child_model()
        setattr(child, field.attname, marked_value(field))
        setattr(page, relation.get_accessor_name(), [child])
    with translation.override("zh-hans"):
        verbose_name = str(field.verbose_name)
    findings = [f for f in inspect_page(page).findings if f["kind"] == "marking"]
    if relation is None:
        assert [f["field"] for f in findings] == [verbose_name], findings
    else:
        assert len(findings) == 1 and findings[0]["field"].endswith(f"（第1项）{verbose_name}"), findings
    assert findings[0]["match"] == MARKER


def test_labels_of_inline_children_name_the_panel_and_position(db) -> None:
    page = UnitProfilePage(title="机构概况", slug="jggk")
    page.leaders = [UnitLeader(name="张三", post="局长"), UnitLeader(name="李四", post="副局长", scope="分管办公室")]
    labels = dict(page_text_fields(page))
    assert labels["领导（第2项）分管范围"] == "分管办公室"
    assert labels["领导（第1项）姓名"] == "张三"
    assert "标题标签" in labels and "元描述" in labels and "缩略名" in labels
    assert not any("comment" in label.lower() for label in labels)


PROFILE = {
    "org_name": "珠海市测试甲局",
    "address": "珠海市香洲区测试路1号",
    "public_phone": "0756-2120000",
    "supervision_phone": "0756-2120001",
    "email": "ta@example.gov.cn",
    "website": "http://ta.example.gov.cn",
    "responsibilities": "<p>负责测试工作。</p>",
}


def test_revision_object_carries_in_memory_children(unit_a) -> None:
    with schema_context(unit_a.schema_name):
        from wagtail.models import Site

        home = Site.objects.get().root_page
        page = home.add_child(instance=UnitProfilePage(title="机构概况", slug="jggk-rev", live=False, **PROFILE))
        page.leaders = [UnitLeader(name="张三", post="局长", scope="分管财务（内部资料）")]
        revision = page.save_revision()
        # Only the revision has the leader: nothing was written to the child table.
        assert not UnitLeader.objects.filter(page_id=page.pk).exists()
        findings = inspect_page(revision.as_object()).findings
    assert [(f["field"], f["match"]) for f in findings] == [("领导（第1项）分管范围", "内部资料")]


def test_content_hash_covers_seo_title_children_and_choices(db) -> None:
    def fingerprint(**changes: object) -> str:
        page = UnitProfilePage(title="机构概况", slug="jggk")
        page.leaders = [UnitLeader(name="张三", post="局长", scope=str(changes.pop("scope", "")))]
        for name, value in changes.items():
            setattr(page, name, value)
        return inspect_page(page).content_hash

    base = fingerprint()
    assert fingerprint() == base
    assert fingerprint(seo_title="机构概况 - 珠海") != base
    assert fingerprint(search_description="简介") != base
    assert fingerprint(scope="分管办公室") != base
    assert fingerprint(column_kind="dynamic") != base


def test_stream_blocks_are_walked_at_any_depth() -> None:
    stream = blocks.StreamBlock(
        [
            ("paragraph", blocks.RichTextBlock()),
            ("quote", blocks.BlockQuoteBlock()),
            (
                "card",
                blocks.StructBlock(
                    [
                        ("heading", blocks.CharBlock()),
                        ("lines", blocks.ListBlock(blocks.TextBlock())),
                        ("inner", blocks.StreamBlock([("note", blocks.CharBlock()), ("html", blocks.RawHTMLBlock())])),
                    ]
                ),
            ),
        ]
    )
    value = stream.to_python(
        [
            {"type": "paragraph", "value": "<p>第一段</p><p>&#26426;&#23494;&#9733;1年</p>"},
            {"type": "quote", "value": "引文内部资料"},
            {
                "type": "card",
                "value": {
                    "heading": "卡片标题",
                    "lines": ["第一行", "联系电话13812345678"],
                    "inner": [{"type": "note", "value": "备注"}, {"type": "html", "value": "<b>请勿</b>外传"}],
                },
            },
        ]
    )
    text = stream_text(value)
    assert text.splitlines() == [
        "第一段",
        "机密★1年",
        "引文内部资料",
        "卡片标题",
        "第一行",
        "联系电话13812345678",
        "备注",
        "请勿外传",
    ]


def test_rich_text_keeps_lines_so_a_lone_level_is_a_marking(db) -> None:
    page = UnitProfilePage(title="机构概况", slug="jggk", responsibilities="<p>秘密</p><p>关于机构职责的说明</p>")
    findings = inspect_page(page).findings
    assert [(f["field"], f["label"], f["match"]) for f in findings] == [("主要职责", "密级标志", "秘密")]


def test_documents_linked_from_rich_text_or_chosen_in_children_are_scanned(unit_a, settings, tmp_path) -> None:
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context(unit_a.schema_name):
        linked = Document.objects.create(title="链接的文件", file=ContentFile("内部资料".encode(), name="linked.txt"))
        page = UnitProfilePage(
            title="机构概况", slug="jggk", responsibilities=f'<p>见<a linktype="document" id="{linked.pk}">附件</a></p>'
        )
        assert [document.title for document in page_documents(page=page)] == ["链接的文件"]
        findings = inspect_page(page).findings
    assert [(f["field"], f["match"]) for f in findings] == [("附件《链接的文件》", "内部资料")]


def test_document_title_is_scanned_and_masked_in_the_label(unit_a, settings, tmp_path) -> None:
    from wagtail.documents.models import Document

    from sitepages.models import PolicyAttachment

    settings.MEDIA_ROOT = str(tmp_path)
    number = "13812345678"
    with schema_context(unit_a.schema_name):
        document = Document.objects.create(title=f"联系人{number}名单", file=ContentFile(b"ok", name="list.txt"))
        page = PolicyDocumentPage(title="通知", slug="tz")
        page.attachments = [PolicyAttachment(document=document)]
        findings = inspect_page(page).findings
    assert [(f["label"], f["field"], f["match"]) for f in findings] == [
        ("手机号码", "附件《联系人138****5678名单》的标题", "138****5678")
    ]
    assert number not in str(findings)


def test_seo_title_with_secret_text_blocks_publishing(unit_a) -> None:
    with schema_context(unit_a.schema_name):
        from wagtail.models import Site

        from sitepages.models import ColumnListingPage

        home = Site.objects.get().root_page
        column = home.add_child(instance=ColumnListingPage(title="政策文件", slug="col-seo", item_type="policy_document"))
        page = column.add_child(
            instance=PolicyDocumentPage(
                title="关于印发测试办法的通知",
                slug="seo-doc",
                doc_number="珠测〔2025〕9号",
                issuing_body="珠海市测试甲局",
                publish_date=date(2025, 3, 1),
                subject_words="管理",
                body=[("paragraph", RichText("<p>本办法自发布之日起施行。</p>"))],
                live=False,
            )
        )
        page.seo_title = "内部资料 请勿外传"
        revision = page.save_revision()
        with pytest.raises(PublishBlocked) as blocked:
            revision.publish()
        assert not type(page).objects.get(pk=page.pk).live
    message = str(blocked.value)
    assert "保密审查" in message and "标题标签" in message and "内部信息标志" in message


def test_the_centres_dictionary_adds_to_the_built_in_phrases(db) -> None:
    with schema_context("public"):
        SensitiveWord.objects.create(word="内部参考", note="按保密办通知不得上网")
        SensitiveWord.objects.create(word="请勿 转发", note="")
    page = UnitProfilePage(title="机构概况", slug="jggk", seo_title="内部参考", search_description="此件不公开，请勿转发")
    findings = inspect_page(page).findings
    assert [(f["field"], f["kind"], f["match"], f["detail"]) for f in findings] == [
        ("标题标签", "internal", "内部参考", "按保密办通知不得上网"),
        ("元描述", "internal", "此件不公开", ""),
        ("元描述", "sensitive_word", "请勿转发", ""),
    ]
    assert [label for label, _ in page_text_fields(page)][:4] == ["标题", "缩略名", "标题标签", "元描述"]
    assert all(item.key for item in page_texts(page=page))
