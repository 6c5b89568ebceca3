"""Files are served only where they belong; attachments under review or live cannot be swapped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tenants.utils import schema_context
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, PageViewRestriction, Site, WorkflowState
from wagtail.rich_text import RichText

from sitepages.models import ColumnListingPage, NewsPage, PolicyAttachment, PolicyDocumentPage
from tests.support.clients import logged_in_client

ORIGINAL = "珠海市测试甲局关于公开征求意见的通知（原件）".encode()
REPLACEMENT = "被替换的内容".encode()


@pytest.fixture
def media(settings, tmp_path):
    """Media of this test in its own folder. STORAGES is set again so that the
    default storage is rebuilt: django-tenants caches the media root per instance."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES}
    return tmp_path


def staff_client(unit, host):
    return logged_in_client(
        schema_name=unit.schema_name, host=host, username=f"{unit.code}_admin", password=f"pw-{unit.code}-12345"
    )


def make_document(unit, *, title="征求意见稿", content=ORIGINAL, name="zqyj.txt") -> Document:
    with schema_context(unit.schema_name):
        return Document.objects.create(title=title, file=ContentFile(content, name=name))


def png_bytes(colour: str = "white") -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_image(unit, *, title="会议现场", colour="white") -> Image:
    with schema_context(unit.schema_name):
        return Image.objects.create(title=title, file=ImageFile(io.BytesIO(png_bytes(colour)), name="huiyi.png"))


def news_column(unit) -> ColumnListingPage:
    home = Site.objects.get().root_page
    column = ColumnListingPage.objects.child_of(home).filter(slug="news").first()
    if column is None:
        column = home.add_child(instance=ColumnListingPage(title="部门动态", slug="news", item_type="news"))
        column.save_revision().publish()
    return column


def news_page(unit, *, slug: str, title: str, document=None, image=None, publish=True) -> NewsPage:
    with schema_context(unit.schema_name):
        body = [("paragraph", RichText("<p>珠海市召开全市营商环境优化工作会议。</p>"))]
        if document is not None:
            body.append(("attachment", document))
        page = NewsPage(
            title=title,
            slug=slug,
            author="张三",
            source="本局",
            publish_date=dt.date(2026, 11, 20),
            body=body,
            image=image,
            live=False,
        )
        news_column(unit).add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        return NewsPage.objects.get(pk=page.pk)


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def document_url(unit, document) -> str:
    with schema_context(unit.schema_name):
        return Document.objects.get(pk=document.pk).url


# --- serving documents --------------------------------------------------------


def test_serve_method_is_the_view(settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


def test_unattached_document_is_not_served_anonymously(client, unit_a, host_a, media):
    document = make_document(unit_a)
    url = document_url(unit_a, document)
    assert url.startswith("/documents/")
    assert client.get(url, HTTP_HOST=host_a).status_code == 404


def test_staff_of_the_unit_can_fetch_an_unattached_document(unit_a, host_a, media):
    document = make_document(unit_a)
    response = staff_client(unit_a, host_a).get(document_url(unit_a, document))
    assert response.status_code == 200
    assert content_of(response) == ORIGINAL


def test_document_on_a_live_public_page_is_served(client, unit_a, host_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-public", title="公开征求意见", document=document)
    response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert response.status_code == 200
    assert content_of(response) == ORIGINAL


def test_document_linked_from_rich_text_or_attached_inline_is_served(client, unit_a, host_a, media):
    linked = make_document(unit_a, title="正文链接的附件", name="lianjie.txt")
    inline = make_document(unit_a, title="政策文件附件", name="zhengce.txt")
    with schema_context(unit_a.schema_name):
        home = Site.objects.get().root_page
        page = NewsPage(
            title="正文链接",
            slug="n-link",
            author="张三",
            source="本局",
            publish_date=dt.date(2026, 11, 20),
            body=[("paragraph", RichText(f'<p>详见<a linktype="document" id="{linked.pk}">附件</a>。</p>'))],
            live=False,
        )
        news_column(unit_a).add_child(instance=page)
        page.save_revision().publish()
        column = home.add_child(instance=ColumnListingPage(title="政策文件", slug="zcwj", item_type="policy_document"))
        column.save_revision().publish()
        policy = PolicyDocumentPage(
            title="关于印发测试办法的通知",
            slug="p-inline",
            doc_number="珠测〔2026〕1号",
            issuing_body="珠海市测试甲局",
            publish_date=dt.date(2026, 11, 20),
            subject_words="测试 办法",
            body=[("paragraph", RichText("<p>本办法自发布之日起施行。</p>"))],
            live=False,
        )
        column.add_child(instance=policy)
        PolicyAttachment.objects.create(page=policy, document=inline)
        policy.save_revision().publish()
    for document, content in ((linked, ORIGINAL), (inline, ORIGINAL)):
        response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
        assert response.status_code == 200, document.title
        assert content_of(response) == content


def test_collection_privacy_still_applies(client, unit_a, host_a, media):
    from wagtail.models import CollectionViewRestriction

    with schema_context(unit_a.schema_name):
        private = Collection.get_first_root_node().add_child(name="仅限登录")
        CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    document = make_document(unit_a)
    with schema_context(unit_a.schema_name):
        Document.objects.filter(pk=document.pk).update(collection=private)
    news_page(unit_a, slug="n-collection", title="公开页面上的登录限定文件", document=document)
    response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert response.status_code in (302, 403, 404)
    assert ORIGINAL not in content_of(response)
    assert staff_client(unit_a, host_a).get(document_url(unit_a, document)).status_code == 200


def test_document_on_a_draft_page_is_not_public(client, unit_a, host_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-draft", title="草稿", document=document, publish=False)
    assert client.get(document_url(unit_a, document), HTTP_HOST=host_a).status_code == 404


@pytest.mark.parametrize("restriction", ["login", "password"])
def test_document_on_a_private_page_is_not_public(client, unit_a, host_a, media, restriction):
    document = make_document(unit_a)
    page = news_page(unit_a, slug=f"n-{restriction}", title="内部通知", document=document)
    with schema_context(unit_a.schema_name):
        PageViewRestriction.objects.create(page=page, restriction_type=restriction, password="secret-1")
    response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert response.status_code in (403, 404)
    assert ORIGINAL not in content_of(response)
    # The unit's staff still can.
    assert staff_client(unit_a, host_a).get(document_url(unit_a, document)).status_code == 200


def test_document_url_of_a_unit_is_404_on_other_hosts(client, unit_a, unit_b, host_a, host_b, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-cross", title="公开征求意见", document=document)
    url = document_url(unit_a, document)
    assert client.get(url, HTTP_HOST=host_a).status_code == 200
    assert client.get(url, HTTP_HOST=host_b).status_code == 404
    assert client.get(url, HTTP_HOST="localhost").status_code == 404
    # Not even B's logged-in staff.
    assert staff_client(unit_b, host_b).get(url).status_code == 404


def test_documents_folder_is_never_served_as_media(client, unit_a, host_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-media", title="公开征求意见", document=document)
    path = f"/media/{unit_a.schema_name}/{document.file.name}"
    assert client.get(path, HTTP_HOST=host_a).status_code == 404
    assert staff_client(unit_a, host_a).get(path).status_code == 404


def test_x_accel_redirect_when_configured(client, unit_a, host_a, media, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/_protected_media/"
    document = make_document(unit_a)
    news_page(unit_a, slug="n-accel", title="公开征求意见", document=document)
    response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{unit_a.schema_name}/{document.file.name}"
    assert content_of(response) == b""

    image = make_image(unit_a)
    with schema_context(unit_a.schema_name):
        rendition = image.get_rendition("width-20")
        url = rendition.url
    response = client.get(url, HTTP_HOST=host_a)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{unit_a.schema_name}/{rendition.file.name}"


def test_no_x_accel_redirect_by_default(client, unit_a, host_a, media, settings):
    assert not settings.MEDIA_X_ACCEL_REDIRECT_PREFIX
    document = make_document(unit_a)
    news_page(unit_a, slug="n-plain", title="公开征求意见", document=document)
    response = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert "X-Accel-Redirect" not in response
    assert content_of(response) == ORIGINAL


# --- serving images -----------------------------------------------------------


def test_renditions_are_served_on_their_unit_only(client, unit_a, host_a, host_b, media):
    image = make_image(unit_a)
    with schema_context(unit_a.schema_name):
        rendition = image.get_rendition("width-20")
        url = rendition.url  # media URLs name the schema active when they are built
    assert url.startswith(f"/media/{unit_a.schema_name}/images/")
    assert (media / unit_a.schema_name / rendition.file.name).is_file()
    response = client.get(url, HTTP_HOST=host_a)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get(url, HTTP_HOST=host_b).status_code == 404
    assert client.get(url, HTTP_HOST="localhost").status_code == 404


def test_original_images_only_to_staff(client, unit_a, host_a, media):
    image = make_image(unit_a)
    with schema_context(unit_a.schema_name):
        url = image.file.url
    assert url.startswith(f"/media/{unit_a.schema_name}/original_images/")
    assert client.get(url, HTTP_HOST=host_a).status_code == 404
    assert staff_client(unit_a, host_a).get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/{a}/images/../original_images/huiyi.png",
        "/media/{a}/images/%2e%2e/original_images/huiyi.png",
        "/media/{a}/images/..%2foriginal_images/huiyi.png",
        "/media/{a}/../{a}/original_images/huiyi.png",
        "/media/{a}/images//etc/passwd",
        "/media/{a}/images/%00.png",
        "/media/{a}/",
        "/media/{a}/other/huiyi.png",
        "/media/",
    ],
)
def test_media_path_tricks_are_404(client, unit_a, host_a, media, path):
    make_image(unit_a)
    assert client.get(path.format(a=unit_a.schema_name), HTTP_HOST=host_a).status_code == 404


# --- attachments are frozen while live or under review ------------------------


def edit_document(client, document, *, title: str, new_content: bytes | None):
    data = {"title": title, "collection": document.collection_id, "tags": ""}
    if new_content is not None:
        data["file"] = SimpleUploadedFile("replacement.txt", new_content, content_type="text/plain")
    return client.post(reverse("wagtaildocs:edit", args=[document.pk]), data)


def stored_file_name(unit, model, pk) -> str:
    with schema_context(unit.schema_name):
        return model.objects.get(pk=pk).file.name


def test_document_on_a_live_page_cannot_be_replaced(client, unit_a, host_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-frozen", title="公开征求意见的通知", document=document)
    before = stored_file_name(unit_a, Document, document.pk)
    response = edit_document(staff_client(unit_a, host_a), document, title=document.title, new_content=REPLACEMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不能替换文件" in html and "《公开征求意见的通知》" in html
    assert stored_file_name(unit_a, Document, document.pk) == before
    served = client.get(document_url(unit_a, document), HTTP_HOST=host_a)
    assert served.status_code == 200 and content_of(served) == ORIGINAL


def test_title_of_a_frozen_document_can_change(unit_a, host_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-retitle", title="公开征求意见的通知", document=document)
    response = edit_document(staff_client(unit_a, host_a), document, title="征求意见稿（修订标题）", new_content=None)
    assert response.status_code == 302
    with schema_context(unit_a.schema_name):
        assert Document.objects.get(pk=document.pk).title == "征求意见稿（修订标题）"


def test_document_on_a_page_awaiting_review_cannot_be_replaced(unit_a, host_a, media):
    document = make_document(unit_a)
    page = news_page(unit_a, slug="n-review", title="待审核的通知", document=document, publish=False)
    with schema_context(unit_a.schema_name):
        from django.contrib.auth import get_user_model

        editor = get_user_model().objects.get(username="ta_admin")
        page.get_workflow().start(page, editor)
        assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS
    staff = staff_client(unit_a, host_a)
    before = stored_file_name(unit_a, Document, document.pk)
    response = edit_document(staff, document, title=document.title, new_content=REPLACEMENT)
    assert response.status_code == 200
    assert "《待审核的通知》" in response.content.decode()
    assert stored_file_name(unit_a, Document, document.pk) == before
    assert content_of(staff.get(document_url(unit_a, document))) == ORIGINAL


def test_unused_document_can_be_replaced(unit_a, host_a, media):
    document = make_document(unit_a)
    staff = staff_client(unit_a, host_a)
    response = edit_document(staff, document, title=document.title, new_content=REPLACEMENT)
    assert response.status_code == 302
    assert content_of(staff.get(document_url(unit_a, document))) == REPLACEMENT


def test_model_guard_refuses_a_swap_outside_the_form(unit_a, media):
    document = make_document(unit_a)
    news_page(unit_a, slug="n-model", title="公开征求意见的通知", document=document)
    with schema_context(unit_a.schema_name):
        document = Document.objects.get(pk=document.pk)
        document.file = ContentFile(REPLACEMENT, name="swap.txt")
        with pytest.raises(ValidationError) as info:
            document.save()
        assert "公开征求意见的通知" in str(info.value)
        document = Document.objects.get(pk=document.pk)
        document.title = "只改标题"
        document.save()
        with document.file.open("rb") as handle:
            assert handle.read() == ORIGINAL


def test_image_on_a_live_page_cannot_be_replaced(unit_a, host_a, media):
    image = make_image(unit_a)
    news_page(unit_a, slug="n-image", title="图片新闻", image=image)
    before = stored_file_name(unit_a, Image, image.pk)
    with schema_context(unit_a.schema_name):
        collection_id = Collection.get_first_root_node().pk
    response = staff_client(unit_a, host_a).post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": image.title,
            "collection": collection_id,
            "tags": "",
            "description": "",
            "file": SimpleUploadedFile("new.png", png_bytes("red"), content_type="image/png"),
            "focal_point_x": "",
            "focal_point_y": "",
            "focal_point_width": "",
            "focal_point_height": "",
        },
    )
    assert response.status_code == 200
    assert "《图片新闻》" in response.content.decode()
    assert stored_file_name(unit_a, Image, image.pk) == before


def test_unused_image_can_be_replaced(unit_a, host_a, media):
    image = make_image(unit_a)
    before = stored_file_name(unit_a, Image, image.pk)
    with schema_context(unit_a.schema_name):
        collection_id = Collection.get_first_root_node().pk
    response = staff_client(unit_a, host_a).post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": image.title,
            "collection": collection_id,
            "tags": "",
            "description": "",
            "file": SimpleUploadedFile("new.png", png_bytes("red"), content_type="image/png"),
            "focal_point_x": "",
            "focal_point_y": "",
            "focal_point_width": "",
            "focal_point_height": "",
        },
    )
    assert response.status_code == 302
    assert stored_file_name(unit_a, Image, image.pk) != before
