"""What a visitor can read on a page, as the 保密审查 reads it — derived from the models.

A hand-written list of fields per page type falls behind the models: secret
text in the SEO title (shown in the public <title>), in a column's 栏目说明 or
in a leader's 分管范围 passed the review. Here the texts are found by
introspection instead:

- every CharField (and its subclasses: SlugField, EmailField, URLField),
  TextField (and RichTextField) and StreamField of the page's concrete model,
  ``title``, ``seo_title`` and ``search_description`` included;
- the same fields of its inline child models (modelcluster child relations,
  the InlinePanels of the editor), in memory on a ``revision.as_object()``;
- rich text as the plain text a browser shows (entities decoded, one block per
  line, image alternative text included); StreamFields walked block by block
  at any depth, with what a visitor sees of chosen documents and images.

Labels are the verbose names the editor sees (标题标签, 领导（第1项）分管范围), so a
finding says where it is. Keys are stable identifiers for the content hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import translation
from modelcluster.models import ClusterableModel, get_all_child_relations
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import RichText

from .markup import html_to_text

__all__ = [
    "PageContent",
    "PageText",
    "page_content",
    "page_documents",
    "page_texts",
    "rich_text_plain",
    "scanned_fields",
    "stream_text",
]


@dataclass(frozen=True)
class PageText:
    key: str  # "seo_title", "leaders[2].scope": stable, for the content hash
    label: str  # "标题标签", "领导（第2项）分管范围": shown with the finding
    text: str


# Always read, whatever their flags: the page title, and the SEO title and
# description Wagtail renders into <title> and <meta name="description">.
ALWAYS_SCANNED = ("title", "seo_title", "search_description")
# Wagtail's and treebeard's bookkeeping: the materialised tree path, the
# title of the latest draft (the draft itself is what is scanned) and the
# URL path computed from the slugs.
BOOKKEEPING_FIELDS = frozenset({"path", "draft_title", "url_path"})
# `slug` is scanned on purpose: Wagtail allows Unicode slugs, and the slug is
# the page's public address (address bar, links, sitemap), so "内部资料" or an
# ID number typed into it is published as surely as the title.
#
# Fields with editable=False are not scanned: the platform's own code sets
# them (the column import, 已核查), no editor types them and no template
# renders them — requirement_key is a hex digest whose digit runs would read
# as phone numbers. tests/test_secrecy_fields.py lists every text field it
# expects to be skipped, so a new one is a decision, not an accident.

# Inline child models reached through these apps are not published: Wagtail's
# editorial comments on a draft (wagtailcore.Comment) are for the editors.
UNPUBLISHED_CHILD_APPS = frozenset({"wagtailcore"})
MAX_CHILD_DEPTH = 3
MAX_BLOCK_DEPTH = 32

_DOCUMENT_LINK = re.compile(r"<a\b[^>]*\blinktype=[\"']document[\"'][^>]*>", re.IGNORECASE)
_LINK_ID = re.compile(r"\bid=[\"']?([0-9]+)")


def _is_text_field(field: models.Field) -> bool:
    return isinstance(field, (models.CharField, models.TextField, StreamField))


@cache
def scanned_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The text fields of ``model`` the review reads, in model order."""
    chosen: list[models.Field] = []
    for field in model._meta.concrete_fields:
        if not _is_text_field(field):
            continue
        if field.name in ALWAYS_SCANNED or (field.editable and field.name not in BOOKKEEPING_FIELDS):
            chosen.append(field)
    return tuple(chosen)


def rich_text_plain(html: str) -> str:
    return html_to_text(html)


# --- StreamField ---------------------------------------------------------------------


class _Collector:
    """Text parts and documents found while walking a page."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.documents: list[AbstractDocument] = []
        self.document_ids: list[int] = []

    def rich_text(self, html: str) -> None:
        self.parts.append(rich_text_plain(html))
        for link in _DOCUMENT_LINK.findall(html):
            found = _LINK_ID.search(link)
            if found:
                self.document_ids.append(int(found.group(1)))


def _walk_block(block: blocks.Block, value: object, collector: _Collector, *, depth: int) -> None:
    if value is None or depth > MAX_BLOCK_DEPTH:
        return
    if isinstance(block, blocks.StreamBlock):
        for child in value:  # a StreamValue: children carry their own block
            _walk_block(child.block, child.value, collector, depth=depth + 1)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            _walk_block(block.child_block, item, collector, depth=depth + 1)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            _walk_block(child_block, value.get(name), collector, depth=depth + 1)
    elif isinstance(block, blocks.RichTextBlock):
        collector.rich_text(value.source if isinstance(value, RichText) else str(value))
    elif isinstance(block, blocks.RawHTMLBlock):
        collector.rich_text(str(value))
    elif isinstance(block, blocks.ChooserBlock):
        # What a visitor sees of a chosen object: a document's title as the
        # link text, an image's alternative text.
        if isinstance(value, AbstractDocument):
            collector.documents.append(value)
        text = getattr(value, "default_alt_text", None) or getattr(value, "title", "")
        collector.parts.append(str(text or ""))
    else:
        _walk_value(value, collector, depth=depth + 1)


def _walk_value(value: object, collector: _Collector, *, depth: int) -> None:
    """Field blocks (CharBlock, TextBlock, BlockQuoteBlock, ChoiceBlock …) and plain
    containers of them (a TableBlock's rows)."""
    if depth > MAX_BLOCK_DEPTH or value is None:
        return
    if isinstance(value, RichText):
        collector.rich_text(value.source)
    elif isinstance(value, str):
        collector.parts.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _walk_value(item, collector, depth=depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk_value(item, collector, depth=depth + 1)


def _walk_stream(value: object, collector: _Collector) -> None:
    for child in value or ():
        _walk_block(child.block, child.value, collector, depth=0)


def stream_text(value: object) -> str:
    """Plain text of a StreamValue: every block at any depth, one per line."""
    collector = _Collector()
    _walk_stream(value, collector)
    return "\n".join(part for part in collector.parts if part)


# --- pages and their inline children ------------------------------------------------


def _field_text(obj: models.Model, field: models.Field, collector: _Collector) -> str:
    value = getattr(obj, field.attname)
    if value is None:
        return ""
    if isinstance(field, (StreamField, RichTextField)):
        # Each field's own text; the documents it chooses or links go to the page's collector.
        inner = _Collector()
        if isinstance(field, StreamField):
            _walk_stream(value, inner)
        else:
            inner.rich_text(str(value))
        collector.documents += inner.documents
        collector.document_ids += inner.document_ids
        return "\n".join(part for part in inner.parts if part)
    if field.choices:
        # What the page shows (有效), not the stored code (valid).
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@cache
def _inline_labels(model: type[models.Model]) -> dict[str, object]:
    """relation name → the label of its InlinePanel in the model's editor (lazy strings)."""
    labels: dict[str, object] = {}
    get_edit_handler = getattr(model, "get_edit_handler", None)
    if not callable(get_edit_handler):
        return labels
    pending = [get_edit_handler()]
    while pending:
        panel = pending.pop()
        relation_name = getattr(panel, "relation_name", None)
        if relation_name and (getattr(panel, "label", "") or getattr(panel, "heading", "")):
            labels.setdefault(relation_name, panel.label or panel.heading)
        pending.extend(getattr(panel, "children", ()) or ())
    return labels


def _published_child_relations(model: type[models.Model]) -> list:
    return [
        relation
        for relation in get_all_child_relations(model)
        if relation.related_model._meta.app_label not in UNPUBLISHED_CHILD_APPS
    ]


def _texts_of(obj: models.Model, *, key_prefix: str, label_prefix: str, depth: int, collector: _Collector) -> Iterator[PageText]:
    model = type(obj)
    for field in scanned_fields(model):
        yield PageText(
            key=f"{key_prefix}{field.name}",
            label=f"{label_prefix}{field.verbose_name}",
            text=_field_text(obj, field, collector),
        )
    for field in model._meta.concrete_fields:
        # Files chosen in a ForeignKey (a policy's 附件, a guide's 表格文件) are published with the page.
        if isinstance(field, models.ForeignKey) and issubclass(field.related_model, AbstractDocument):
            if getattr(obj, field.attname) is None:
                continue
            try:
                collector.documents.append(getattr(obj, field.name))
            except ObjectDoesNotExist:
                continue  # deleted since the revision was saved: nothing to publish
    if depth > MAX_CHILD_DEPTH or not isinstance(obj, ClusterableModel):
        return
    labels = _inline_labels(model)
    for relation in _published_child_relations(model):
        accessor = relation.get_accessor_name()
        heading = labels.get(accessor) or relation.related_model._meta.verbose_name
        for index, child in enumerate(getattr(obj, accessor).all(), start=1):
            yield from _texts_of(
                child,
                key_prefix=f"{key_prefix}{accessor}[{index}].",
                label_prefix=f"{label_prefix}{heading}（第{index}项）",
                depth=depth + 1,
                collector=collector,
            )


@dataclass(frozen=True)
class PageContent:
    texts: list[PageText]
    documents: list[AbstractDocument]


def page_content(*, page: models.Model) -> PageContent:
    """The texts and documents of ``page`` (the specific page, usually ``revision.as_object()``), in one walk."""
    collector = _Collector()
    # Labels go into stored findings, logs and mail: always in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        texts = list(_texts_of(page, key_prefix="", label_prefix="", depth=1, collector=collector))
    return PageContent(texts=texts, documents=_documents(page=page, collector=collector))


def page_texts(*, page: models.Model) -> list[PageText]:
    """Every text of ``page`` a visitor can read."""
    return page_content(page=page).texts


def page_documents(*, page: models.Model) -> list[AbstractDocument]:
    """Every document published with ``page``."""
    return page_content(page=page).documents


def _documents(*, page: models.Model, collector: _Collector) -> list[AbstractDocument]:
    """The page type's own ``attached_documents()``, plus documents chosen in its StreamFields
    (at any depth), in document ForeignKeys of the page and its inline children, and linked
    from its rich text. Each once, in the order found."""
    found: dict[int | None, AbstractDocument] = {}
    getter = getattr(page, "attached_documents", None)
    try:
        own = list(getter()) if callable(getter) else []
    except ObjectDoesNotExist:
        # A revision may still name a document deleted since; the walk found the others.
        own = []
    for document in own + collector.documents:
        if document is not None and document.pk not in found:
            found[document.pk] = document
    missing = [pk for pk in dict.fromkeys(collector.document_ids) if pk not in found]
    if missing:
        linked = get_document_model().objects.in_bulk(missing)
        for pk in missing:
            if pk in linked:
                found[pk] = linked[pk]
    return list(found.values())
