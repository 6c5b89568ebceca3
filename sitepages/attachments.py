"""Attachments (documents and images) are part of what is reviewed and published.

Two rules, both read from what pages really contain (Wagtail's reference
extraction: foreign keys such as 图片/照片, inline attachments such as
PolicyAttachment and ServiceForm, StreamField `image`/`attachment` blocks and
document links in rich text):

- **Serving.** A document is public only when a live page that the visitor may
  see (no page view restriction on it or its ancestors that the request does
  not pass) uses it. Anyone else gets a 404 — except the unit's own logged-in
  staff, who can fetch every document of their unit (sitepages.wagtail_hooks).
  Collection privacy is checked before this by Wagtail's own hook.
- **Freezing.** A document or image that a live page uses, or that the
  revision of a page in an in-progress workflow (or a revision scheduled to go
  live) uses, is frozen: its file cannot be replaced, neither in the admin
  (the form bases below, set as WAGTAILDOCS_DOCUMENT_FORM_BASE and
  WAGTAILIMAGES_IMAGE_FORM_BASE) nor by any other code (a pre_save guard). A
  new file must be uploaded as a new document/image, put into the page, and
  the page submitted for review again. Titles and tags can still change.

Live pages are found through Wagtail's ReferenceIndex (kept current by its
post-save task; `manage.py rebuild_references_index` rebuilds it), revisions
under review by reading the revisions themselves.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images import get_image_model
from wagtail.images.forms import BaseImageForm
from wagtail.models import Page, ReferenceIndex, Revision, WorkflowState

from tenants.media import is_unit_staff

MAX_NAMED_PAGES = 5


# --- what uses what -----------------------------------------------------------


def _key(target) -> tuple[int, str]:
    """How the reference index names `target`: (base content type id, pk as text)."""
    return ReferenceIndex._get_base_content_type(target).id, str(target.pk)


def references_of(obj) -> set[tuple[int, str]]:
    """Everything a page object (a live page, or `revision.as_object()`) uses."""
    return {
        (content_type_id, object_id)
        for content_type_id, object_id, _model_path, _content_path in ReferenceIndex._extract_references_from_object(obj)
    }


def _page_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Page)


def live_pages_using(target) -> list[Page]:
    """Live pages whose (live) content uses `target`, per the reference index."""
    page_ids = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(target)
        .filter(base_content_type=_page_content_type())
        .values_list("object_id", flat=True)
        if object_id.isdigit()
    }
    if not page_ids:
        return []
    return list(Page.objects.live().filter(pk__in=page_ids).order_by("path"))


def pages_under_review_using(target) -> list[Page]:
    """Pages whose revision in an in-progress workflow, or scheduled to go live, uses `target`."""
    revision_ids: dict[int, set[int]] = {}
    states = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS, base_content_type=_page_content_type()
    ).select_related("current_task_state")
    for state in states:
        ids = revision_ids.setdefault(int(state.object_id), set())
        if state.current_task_state is not None and state.current_task_state.revision_id:
            ids.add(state.current_task_state.revision_id)
    for page_id, latest_revision_id in Page.objects.filter(pk__in=revision_ids).values_list("pk", "latest_revision_id"):
        if latest_revision_id:
            revision_ids[page_id].add(latest_revision_id)
    scheduled = Revision.page_revisions.filter(approved_go_live_at__isnull=False).values_list("pk", "object_id")
    for revision_id, object_id in scheduled:
        revision_ids.setdefault(int(object_id), set()).add(revision_id)
    wanted = {revision_id for ids in revision_ids.values() for revision_id in ids}
    if not wanted:
        return []
    key = _key(target)
    using: set[int] = set()
    for revision in Revision.objects.filter(pk__in=wanted):
        page_id = int(revision.object_id)
        if page_id not in using and key in references_of(revision.as_object()):
            using.add(page_id)
    return list(Page.objects.filter(pk__in=using).order_by("path"))


def freezing_pages(target) -> list[Page]:
    """The pages that freeze `target`'s file: live ones first, then those under review."""
    pages = {page.pk: page for page in live_pages_using(target)}
    for page in pages_under_review_using(target):
        pages.setdefault(page.pk, page)
    return list(pages.values())


def frozen_message(target, pages: list[Page]) -> str:
    kind = "图片" if isinstance(target, get_image_model()) else "附件"
    titles = "、".join(f"《{page.get_admin_display_title()}》" for page in pages[:MAX_NAMED_PAGES])
    if len(pages) > MAX_NAMED_PAGES:
        titles += f"等 {len(pages)} 个页面"
    return f"该{kind}正被已发布或审核中的页面{titles}使用，不能替换文件；请上传新文件，在页面中改用新文件后重新提交审核"


# --- serving ------------------------------------------------------------------


def document_is_public(document, request) -> bool:
    """A live page the request may see uses `document`."""
    key = _key(document)
    for page in live_pages_using(document):
        # The index may lag behind an edit that just removed the document.
        if key not in references_of(page.specific):
            continue
        if all(restriction.accept_request(request) for restriction in page.get_view_restrictions()):
            return True
    return False


def refuse_unless_public(document, request) -> None:
    """`before_serve_document`: only documents in use on a visible page, or to the unit's staff."""
    if is_unit_staff(request.user) or document_is_public(document, request):
        return None
    raise Http404("文件不存在")


# --- freezing -----------------------------------------------------------------


class FrozenFileFormMixin:
    """Refuses a new file for a document/image that a live page or a page under review uses."""

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and "file" in self.changed_data:
            pages = freezing_pages(self.instance)
            if pages:
                self.add_error("file", frozen_message(self.instance, pages))
        return cleaned_data


class FrozenFileDocumentForm(FrozenFileFormMixin, BaseDocumentForm):
    pass


class FrozenFileImageForm(FrozenFileFormMixin, BaseImageForm):
    pass


def file_changed(instance, update_fields=None) -> bool:
    if update_fields is not None and "file" not in update_fields:
        return False
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("file", flat=True).first()
    if stored is None:
        return False
    current = instance.file
    return not getattr(current, "_committed", True) or (current.name or "") != stored


def refuse_frozen_file_swap(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save guard: whatever code saves the document/image, a frozen file stays."""
    if raw or instance.pk is None or not file_changed(instance, update_fields):
        return
    pages = freezing_pages(instance)
    if pages:
        raise ValidationError({"file": frozen_message(instance, pages)})


def connect_guards() -> None:
    for model in (get_document_model(), get_image_model()):
        pre_save.connect(refuse_frozen_file_swap, sender=model, dispatch_uid=f"sitepages.frozen_file.{model._meta.label_lower}")
