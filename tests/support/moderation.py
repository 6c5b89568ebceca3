"""Helpers of the moderation tests (test_moderation, test_publishing_integrity, test_secrecy_notifications):
staff in a unit, a policy page built and edited through the admin's form, workflow actions and their traces."""

from __future__ import annotations

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tenants.utils import schema_context
from wagtail.models import Page, PageLogEntry, WorkflowState
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from sitepages.models import ColumnListingPage, PolicyAttachment, PolicyDocumentPage
from tests.support.clients import PublicSchemaClient, logged_in_client

PASSWORD = "pw-user-12345"
CLEAN_BODY = "本办法自发布之日起施行。"


def valid_resident_id() -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    first17 = "44040219900101123"
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def luhn_card(prefix: str = "622202100112345678") -> str:
    digits = [int(d) for d in prefix]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return prefix + str((10 - total % 10) % 10)


def pdf_with_text(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_user(unit, username: str, *groups: str):
    with schema_context(unit.schema_name):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.gov.cn", is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def client_for(unit, host: str, username: str, password: str = PASSWORD) -> PublicSchemaClient:
    return logged_in_client(schema_name=unit.schema_name, host=host, username=username, password=password)


def build_policy_page(
    unit, *, owner, title="关于印发珠海市测试管理办法的通知", body=CLEAN_BODY, item_type="policy_document", documents=()
):
    with schema_context(unit.schema_name):
        from wagtail.models import Site

        home = Site.objects.get().root_page
        column = ColumnListingPage.objects.child_of(home).filter(item_type=item_type).first()
        if column is None:
            column = home.add_child(instance=ColumnListingPage(title="政策文件", slug=f"col-{item_type}", item_type=item_type))
        page = PolicyDocumentPage(
            title=title,
            slug=f"doc-{PolicyDocumentPage.objects.count() + 1}",
            doc_number="珠测〔2025〕1号",
            issuing_body="珠海市测试甲局",
            publish_date=date(2025, 3, 1),
            subject_words="管理 办法",
            body=[("paragraph", RichText(f"<p>{body}</p>"))],
            owner=owner,
            live=False,
        )
        column.add_child(instance=page)
        for document in documents:
            PolicyAttachment.objects.create(page=page, document=document)
        page.save_revision(user=owner)
        return PolicyDocumentPage.objects.get(pk=page.pk)


def edit_form_data(unit, page, *, body: str | None = None, **actions) -> dict:
    """The POST of the page editor for a PolicyDocumentPage, as the browser sends it."""
    with schema_context(unit.schema_name):
        attachments = [{"id": a.pk, "document": a.document_id} for a in PolicyAttachment.objects.filter(page_id=page.pk)]
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "document_kind": page.document_kind,
            "doc_number": page.doc_number,
            "index_number": page.index_number,
            "issuing_body": page.issuing_body,
            "topic": page.topic,
            "written_date": "",
            "publish_date": page.publish_date.isoformat() if page.publish_date else "",
            "validity": page.validity,
            "subject_words": page.subject_words,
            "summary": page.summary,
            "body": streamfield([("paragraph", rich_text(f"<p>{body if body is not None else CLEAN_BODY}</p>"))]),
            "attachments": inline_formset(attachments, initial=len(attachments)),
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
        }
    )
    data.update({f"action-{name}": value for name, value in actions.items()})
    return data


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def current_task_state(unit, page):
    """The page's latest workflow state and its current task state, loaded in the unit's schema.

    Related objects are fetched here, inside the schema: read lazily afterwards they would be
    looked up in whatever schema the connection is on (the public one, after any request).
    """
    with schema_context(unit.schema_name):
        state = WorkflowState.objects.for_instance(Page.objects.get(pk=page.pk)).order_by("-created_at").first()
        if state is None or state.current_task_state is None:
            return state, None
        task_state = state.current_task_state.specific
        task_state.task = task_state.task.specific
        state.workflow  # noqa: B018  (loaded in the unit's schema)
        return state, task_state


def act(client, unit, page, action: str, comment: str = ""):
    _, task_state = current_task_state(unit, page)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    return client.post(url, {"comment": comment})


def is_live(unit, page) -> bool:
    with schema_context(unit.schema_name):
        return Page.objects.get(pk=page.pk).live


def page_actions(unit, page) -> list[str]:
    with schema_context(unit.schema_name):
        return list(PageLogEntry.objects.filter(page_id=page.pk).order_by("timestamp", "id").values_list("action", flat=True))
