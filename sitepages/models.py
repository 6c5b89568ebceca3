"""Page types shared by every unit's sub-site.

Columns (栏目) are container pages built from the imported responsibility
table; items are the articles editors publish in them. The fields are those
the table demands (标题, 文号, 发布机构, 发布日期, 主题词, 作者, 来源, 图片 …).
A draft may be incomplete; `required_on_publish` is enforced at publish time.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index

from columns.types import KIND_CHOICES, ColumnKind

from .publishing import assert_publishable, content_revised

# The page tree every unit's site has (each class declares its own place):
# UnitHomePage → columns (SectionPage groups nest) → items in listing columns
# and under a leader's page.
COLUMN_PARENTS = ["sitepages.UnitHomePage", "sitepages.SectionPage"]
COLUMN_PAGES = [
    "sitepages.SectionPage",
    "sitepages.ColumnListingPage",
    "sitepages.UnitProfilePage",
    "sitepages.LeaderPage",
    "sitepages.OrgDirectoryPage",
    "sitepages.DisclosureCataloguePage",
    "sitepages.PhoneDirectoryPage",
    "sitepages.OverviewPage",
    "sitepages.InteractionPage",
]
ITEM_PARENTS = ["sitepages.ColumnListingPage", "sitepages.LeaderPage"]
ITEM_PAGES = [
    "sitepages.NewsPage",
    "sitepages.NoticePage",
    "sitepages.PolicyDocumentPage",
    "sitepages.SpeechPage",
    "sitepages.GazettePage",
    "sitepages.WorkReportPage",
    "sitepages.PlanPage",
    "sitepages.ServiceGuidePage",
]
# The plain item types share one template.
ARTICLE_TEMPLATE = "sitepages/article_page.html"


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    REPEALED = "repealed", "废止"
    EXPIRED = "expired", "失效"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label="正文段落", features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
    )
    image = ImageChooserBlock(label="图片")
    attachment = DocumentChooserBlock(label="附件")
    quote = blocks.BlockQuoteBlock(label="引文")


def body_text(stream) -> str:
    """Plain text of a StreamField, for search and summaries (the secrecy review reads every field itself: moderation.secrecy.page_fields)."""
    parts: list[str] = []
    for block in stream:
        if block.block_type == "paragraph":
            from django.utils.html import strip_tags

            parts.append(strip_tags(block.value.source))
        elif block.block_type == "quote":
            parts.append(str(block.value))
    return "\n".join(part for part in parts if part)


class GovPage(Page):
    """Base of every platform page: publish goes through the platform's checks."""

    required_on_publish: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def publish(self, revision, *args, **kwargs):
        assert_publishable(page=revision.as_object(), revision=revision, user=kwargs.get("user"))
        return super().publish(revision, *args, **kwargs)

    def save_revision(self, *args, **kwargs):
        revision = super().save_revision(*args, **kwargs)
        content_revised.send(sender=type(self), page=self, revision=revision, user=kwargs.get("user"))
        return revision

    def save(self, *args, **kwargs):
        # Code that creates a page straight into the live tree (add_child with
        # the default live=True) publishes it too; the same checks apply.
        if self._state.adding and self.live:
            assert_publishable(page=self)
        return super().save(*args, **kwargs)

    def get_column(self) -> ColumnPage | None:
        for ancestor in reversed(self.get_ancestors(inclusive=True).specific()):
            if isinstance(ancestor, ColumnPage):
                return ancestor
        return None

    def breadcrumbs(self):
        return self.get_ancestors(inclusive=False).filter(depth__gt=1)


class ColumnPage(GovPage):
    """A 栏目 from the responsibility table, with its update policy."""

    requirement_key = models.CharField("责任表条目", max_length=64, blank=True, db_index=True, editable=False)
    content_requirement = models.TextField(
        "具体内容要求", blank=True, help_text="《责任分解表》对本栏目内容的要求，由市信息中心导入和维护，单位不能修改。"
    )
    guarantee = models.CharField(
        "保障方式", max_length=40, blank=True, help_text="《责任分解表》规定的保障方式（如“及时发布”），由市信息中心维护。"
    )
    disclosure_categories = models.CharField(
        "政务公开类别",
        max_length=255,
        blank=True,
        help_text="本栏目在政府信息公开目录中所属的类别，多个类别以“、”分隔；由市信息中心维护。",
    )
    column_kind = models.CharField(
        "栏目类型",
        max_length=20,
        choices=KIND_CHOICES,
        default=ColumnKind.STATIC,
        help_text="决定更新期限和监测扣分：动态类 14 天、政策文件类 183 天、规划计划类 365 天，静态信息类每 30 天核查一次，互动类不设更新期限；由市信息中心维护。",
    )
    policy_days = models.PositiveIntegerField(
        "更新期限（天）",
        null=True,
        blank=True,
        help_text="超过这个天数没有发布新信息（静态栏目没有核查）就是超期栏目，监测会扣分；空白表示不设期限。由市信息中心在“栏目责任”中设置。",
    )
    last_confirmed_at = models.DateTimeField("最近核查时间", null=True, blank=True, editable=False)
    last_confirmed_by = models.CharField("核查人", max_length=150, blank=True, editable=False)
    intro = RichTextField("栏目说明", blank=True, help_text="显示在栏目页顶部的简短说明，介绍本栏目公开哪些信息；可不填。")

    column_panels = [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("content_requirement", read_only=True),
                FieldRowPanel([FieldPanel("guarantee", read_only=True), FieldPanel("disclosure_categories", read_only=True)]),
                FieldRowPanel([FieldPanel("column_kind", read_only=True), FieldPanel("policy_days", read_only=True)]),
            ],
            heading="栏目责任（由市信息中心维护）",
        ),
    ]
    content_panels = Page.content_panels + column_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]

    # Set by the column import and the “已核查” confirmation, not by editing:
    # a revision (an editor's draft, or an old revision being republished)
    # must not bring back the values it was saved with.
    CARRIED_OVER_FIELDS = (
        "requirement_key",
        "content_requirement",
        "guarantee",
        "disclosure_categories",
        "column_kind",
        "policy_days",
        "last_confirmed_at",
        "last_confirmed_by",
    )

    class Meta:
        abstract = True

    def with_content_json(self, content):
        page = super().with_content_json(content)
        for field in self.CARRIED_OVER_FIELDS:
            setattr(page, field, getattr(self, field))
        return page

    @property
    def categories(self) -> list[str]:
        # Split only at top-level separators: 行政审批(含行政许可、非行政许可审批事项) is one category.
        from columns.table.rows import split_categories

        return list(split_categories(self.disclosure_categories))


class UnitHomePage(GovPage):
    intro = RichTextField("首页简介", blank=True, help_text="显示在本单位子站首页的简介，用一两句话介绍本单位。")
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = COLUMN_PAGES
    max_count_per_parent = 1
    template = "sitepages/unit_home_page.html"

    class Meta:
        verbose_name = "单位首页"

    def route(self, request, path_components):
        """Every address of the unit's site is routed from here (its Site's root): one lookup by url_path
        instead of Wagtail's two queries per segment (sitepages.routing)."""
        if path_components:
            from .routing import page_at

            page = page_at(root=self, path_components=path_components)
            if page is not None:
                return page.route(request, [])
        # The home itself, and addresses no page has as its own (Http404, or a page type routing the rest).
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from .navigation import home_lists

        # Cached per unit and emptied on every publish, unpublish, move or privacy change (sitepages.navigation).
        lists = home_lists(home=self)
        context.update(latest_news=lists["news"], latest_notices=lists["notices"], latest_documents=lists["documents"])
        return context


class SectionPage(ColumnPage):
    """一级/二级栏目: a container that lists its sub-columns."""

    parent_page_types = COLUMN_PARENTS
    subpage_types = COLUMN_PAGES
    template = "sitepages/section_page.html"

    class Meta:
        verbose_name = "栏目分组"


class ColumnListingPage(ColumnPage):
    """A column whose items are listed by date with pagination (and feeds)."""

    item_type = models.CharField("条目类型", max_length=40, editable=False, default="news")
    CARRIED_OVER_FIELDS = ColumnPage.CARRIED_OVER_FIELDS + ("item_type",)
    parent_page_types = COLUMN_PARENTS
    subpage_types = ITEM_PAGES
    template = "sitepages/column_listing_page.html"
    per_page = 15

    class Meta:
        verbose_name = "列表栏目"

    def items(self):
        model = ITEM_TYPES.get(self.item_type, NewsPage)
        from .visibility import public

        return public(model.objects.live().child_of(self)).order_by("-publish_date", "-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.items(), self.per_page)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        context["page_obj"] = page_obj
        context["items"] = page_obj.object_list
        return context


class ArticlePage(GovPage):
    """Base of every item page: 标题, 发布日期, 正文."""

    publish_date = models.DateField(
        "发布日期",
        null=True,
        help_text="信息的正式发布日期，显示在列表和正文页；监测按这个日期判断栏目是否按期更新。发布时必填。",
    )
    summary = models.TextField("摘要", blank=True, help_text="列表和检索结果中显示的摘要；不填时自动取正文前 120 字。")
    body = StreamField(
        BodyBlock(),
        verbose_name="正文",
        help_text="信息正文，可插入正文段落、图片、附件和引文；附件内容同样经过保密审查。发布时必填。",
    )

    item_type_key = ""
    required_on_publish = ("publish_date", "body")
    parent_page_types: list[str] = []
    subpage_types: list[str] = []
    template = ARTICLE_TEMPLATE

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body_text"),
        index.FilterField("publish_date"),
    ]

    class Meta:
        abstract = True

    @classmethod
    def can_create_at(cls, parent) -> bool:
        if not super().can_create_at(parent):
            return False
        specific = parent.specific
        if isinstance(specific, ColumnListingPage):
            return specific.item_type == cls.item_type_key
        return isinstance(specific, LeaderPage) and cls.item_type_key == "speech"

    @property
    def body_text(self) -> str:
        return body_text(self.body)

    def metadata_rows(self) -> list[tuple[str, str]]:
        return [("发布日期", self.publish_date.isoformat() if self.publish_date else "")]

    def content_source(self) -> str:
        return getattr(self, "source", "") or getattr(self, "issuing_body", "") or getattr(self, "author", "")

    def attached_documents(self):
        docs = [block.value for block in self.body if block.block_type == "attachment" and block.value]
        return docs

    def save(self, *args, **kwargs):
        if not self.summary and self.body:
            self.summary = self.body_text[:120]
        return super().save(*args, **kwargs)


class NewsPage(ArticlePage):
    author = models.CharField("作者", max_length=100, help_text="撰稿人姓名，是动态信息的新闻要素之一。发布时必填。")
    source = models.CharField("来源", max_length=100, help_text="信息来源，如“本局”“珠海特区报”。发布时必填。")
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="新闻配图，显示在正文上方；可不选。图片须有替代文本（图片说明）。",
    )

    item_type_key = "news"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("publish_date", "author", "source", "body")
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("author"), FieldPanel("source"), FieldPanel("publish_date")]),
        FieldPanel("image"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = ArticlePage.search_fields + [index.SearchField("author"), index.SearchField("source")]

    class Meta:
        verbose_name = "动态信息"

    def metadata_rows(self):
        return [("作者", self.author), ("来源", self.source), *super().metadata_rows()]


class NoticePage(ArticlePage):
    issuing_body = models.CharField("发布机构", max_length=120, help_text="发布公告或公示的机构全称。发布时必填。")

    item_type_key = "notice"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("issuing_body", "publish_date", "body")
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("publish_date")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = ArticlePage.search_fields + [index.SearchField("issuing_body")]

    class Meta:
        verbose_name = "公告公示"

    def metadata_rows(self):
        return [("发布机构", self.issuing_body), *super().metadata_rows()]


class PolicyDocumentPage(ArticlePage):
    """政府文件 / 规范性文件."""

    document_kind = models.CharField(
        "文件类别",
        max_length=30,
        choices=[("gov_document", "政府文件"), ("normative_document", "规范性文件")],
        default="gov_document",
        help_text="政府文件或规范性文件，决定文件在信息公开目录中的归类。",
    )
    doc_number = models.CharField(
        "文号", max_length=100, help_text="发文字号，如“珠府〔2026〕1号”，年份用六角括号〔〕。发布时必填。"
    )
    issuing_body = models.CharField("发布机构", max_length=120, help_text="制发文件的机关全称。发布时必填。")
    written_date = models.DateField("成文日期", null=True, blank=True, help_text="文件落款的成文日期，可以早于发布日期；可不填。")
    subject_words = models.CharField("主题词", max_length=200, help_text="文件的主题词，多个词之间用空格分隔。发布时必填。")
    index_number = models.CharField(
        "索引号", max_length=60, blank=True, help_text="政府信息公开目录中的索引号，按本单位信息公开编目规则填写；可不填。"
    )
    topic = models.CharField(
        "主题分类", max_length=60, blank=True, help_text="政府信息公开的主题分类，如“综合政务”“城乡建设”；可不填。"
    )
    validity = models.CharField(
        "有效性",
        max_length=20,
        choices=Validity.choices,
        default=Validity.VALID,
        help_text="文件现行有效、已废止或已失效；废止或失效的文件会在正文页顶部醒目标示。",
    )

    item_type_key = "policy_document"
    parent_page_types = ITEM_PARENTS
    required_on_publish = ("doc_number", "issuing_body", "publish_date", "subject_words", "body")
    template = "sitepages/policy_document_page.html"
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("document_kind"), FieldPanel("doc_number"), FieldPanel("index_number")]),
                FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("topic")]),
                FieldRowPanel([FieldPanel("written_date"), FieldPanel("publish_date"), FieldPanel("validity")]),
                FieldPanel("subject_words"),
            ],
            heading="文件信息",
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel(
            "attachments",
            label="附件",
            help_text="文件的附件（PDF、DOCX、XLSX 等），按顺序显示在正文之后；附件内容同样经过保密审查。",
        ),
    ]
    search_fields = ArticlePage.search_fields + [
        index.SearchField("doc_number", boost=2),
        index.SearchField("issuing_body"),
        index.SearchField("subject_words"),
        index.FilterField("validity"),
    ]

    class Meta:
        verbose_name = "政府文件"

    def metadata_rows(self):
        return [
            ("索引号", self.index_number),
            ("主题分类", self.topic),
            ("发布机构", self.issuing_body),
            ("成文日期", self.written_date.isoformat() if self.written_date else ""),
            ("文号", self.doc_number),
            ("主题词", self.subject_words),
            ("有效性", self.get_validity_display()),
            *super().metadata_rows(),
        ]

    def attached_documents(self):
        return super().attached_documents() + [a.document for a in self.attachments.all() if a.document]


class PolicyAttachment(Orderable):
    page = ParentalKey(PolicyDocumentPage, related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="附件",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="从文档库选择或上传附件文件。",
    )
    panels = [FieldPanel("document")]


class SpeechPage(ArticlePage):
    """A leader's 讲话/文章 or 重要活动."""

    kind = models.CharField(
        "类别",
        max_length=20,
        choices=[("speech", "讲话/文章"), ("activity", "重要活动")],
        default="speech",
        help_text="“讲话/文章”或“重要活动”，决定列在领导之窗的哪一栏。",
    )
    author = models.CharField("作者", max_length=100, help_text="讲话人或文章作者。发布时必填。")

    item_type_key = "speech"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("author", "publish_date", "body")
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("author"), FieldPanel("publish_date")]),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "领导讲话与活动"

    def metadata_rows(self):
        return [("作者", self.author), *super().metadata_rows()]


class GazettePage(ArticlePage):
    year = models.PositiveIntegerField("年份", null=True, help_text="公报所属年份。发布时必填。")
    issue_number = models.CharField("期号", max_length=40, help_text="公报期号，如“第1期”。发布时必填。")

    item_type_key = "gazette"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("year", "issue_number", "publish_date", "body")
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("year"), FieldPanel("issue_number"), FieldPanel("publish_date")]),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "政府公报"

    def metadata_rows(self):
        return [("年份", str(self.year or "")), ("期号", self.issue_number), *super().metadata_rows()]


class WorkReportPage(ArticlePage):
    year = models.PositiveIntegerField("年度", null=True, help_text="工作报告所属年度。发布时必填。")

    item_type_key = "work_report"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("year", "publish_date", "body")
    content_panels = Page.content_panels + [FieldRowPanel([FieldPanel("year"), FieldPanel("publish_date")]), FieldPanel("body")]

    class Meta:
        verbose_name = "政府工作报告"

    def metadata_rows(self):
        return [("年度", str(self.year or "")), *super().metadata_rows()]


class PlanPage(ArticlePage):
    issuing_body = models.CharField("发布机构", max_length=120, help_text="制定规划或计划的机关。发布时必填。")
    period = models.CharField("规划期", max_length=40, blank=True, help_text="规划或计划的起止年份，如“2026—2030年”；可不填。")

    item_type_key = "plan"
    parent_page_types = ITEM_PARENTS
    template = ARTICLE_TEMPLATE
    required_on_publish = ("issuing_body", "publish_date", "body")
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("period"), FieldPanel("publish_date")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "规划计划"

    def metadata_rows(self):
        return [("发布机构", self.issuing_body), ("规划期", self.period), *super().metadata_rows()]


class ServiceGuidePage(ArticlePage):
    """办事指南: the ten elements of the national inspection indicators, plus 表格下载."""

    legal_basis = models.TextField("设定依据", help_text="设定该事项的法律、法规、规章或规范性文件名称及条款。发布时必填。")
    conditions = models.TextField("申请条件", help_text="申请人应当具备的条件。发布时必填。")
    materials = models.TextField("办理材料", help_text="需提交的材料清单，注明原件或复印件及份数。发布时必填。")
    location = models.CharField("办理地点", max_length=200, help_text="受理窗口的地址。发布时必填。")
    agency = models.CharField("办理机构", max_length=120, help_text="受理和办理该事项的机构。发布时必填。")
    fees = models.CharField("收费标准", max_length=200, help_text="收费项目、标准和依据；不收费的填写“不收费”。发布时必填。")
    hours = models.CharField(
        "办理时间", max_length=200, help_text="窗口受理时间，如“工作日 9:00—12:00，14:30—17:30”。发布时必填。"
    )
    phone = models.CharField(
        "联系电话", max_length=60, help_text="咨询电话，请填写办公电话：个人手机号会被保密审查拦下。发布时必填。"
    )
    process = models.TextField("办理流程", help_text="从申请到办结的步骤和办理时限。发布时必填。")

    item_type_key = "service_guide"
    parent_page_types = ITEM_PARENTS
    required_on_publish = (
        "legal_basis",
        "conditions",
        "materials",
        "location",
        "agency",
        "fees",
        "hours",
        "phone",
        "process",
        "publish_date",
    )
    template = "sitepages/service_guide_page.html"
    content_panels = Page.content_panels + [
        FieldPanel("publish_date"),
        FieldPanel("legal_basis"),
        FieldPanel("conditions"),
        FieldPanel("materials"),
        FieldRowPanel([FieldPanel("location"), FieldPanel("agency")]),
        FieldRowPanel([FieldPanel("fees"), FieldPanel("hours"), FieldPanel("phone")]),
        FieldPanel("process"),
        FieldPanel("body", heading="补充说明"),
        InlinePanel("forms", label="表格下载", help_text="供下载的申请表格，每行一个表格。"),
    ]
    search_fields = ArticlePage.search_fields + [
        index.SearchField("conditions"),
        index.SearchField("materials"),
        index.SearchField("agency"),
    ]

    body = StreamField(BodyBlock(), verbose_name="补充说明", blank=True, help_text="其他需要说明的事项，可插入附件；可不填。")

    GUIDE_FIELDS = ("legal_basis", "conditions", "materials", "location", "agency", "fees", "hours", "phone", "process")

    class Meta:
        verbose_name = "办事指南"

    def guide_rows(self) -> list[tuple[str, str]]:
        rows = [("事项名称", self.title)]
        rows += [(str(self._meta.get_field(name).verbose_name), getattr(self, name)) for name in self.GUIDE_FIELDS]
        return rows

    def attached_documents(self):
        return super().attached_documents() + [f.document for f in self.forms.all() if f.document]


class ServiceForm(Orderable):
    page = ParentalKey(ServiceGuidePage, related_name="forms", on_delete=models.CASCADE)
    title = models.CharField("表格名称", max_length=120, help_text="表格的名称，如“××事项申请表”。")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="表格文件",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="空白表格文件（DOCX、XLSX 或 PDF）。",
    )
    panels = [FieldPanel("title"), FieldPanel("document")]


ITEM_TYPES: dict[str, type[ArticlePage]] = {
    cls.item_type_key: cls
    for cls in (NewsPage, NoticePage, PolicyDocumentPage, SpeechPage, GazettePage, WorkReportPage, PlanPage, ServiceGuidePage)
}


# --- static columns ---------------------------------------------------------


class UnitProfilePage(ColumnPage):
    """机构概况."""

    org_name = models.CharField("机构名称", max_length=120, help_text="本单位的规范全称。发布时必填。")
    address = models.CharField("地址", max_length=200, help_text="办公地址。发布时必填。")
    public_phone = models.CharField("公开电话", max_length=60, help_text="对外公开的咨询电话。发布时必填。")
    supervision_phone = models.CharField("监督电话", max_length=60, help_text="受理投诉和监督的电话。发布时必填。")
    email = models.EmailField("电子邮件", help_text="对外公开的单位邮箱。发布时必填。")
    website = models.URLField("网址", help_text="本单位网站的网址，以 http:// 或 https:// 开头。发布时必填。")
    responsibilities = RichTextField("主要职责", help_text="按“三定”规定填写的本单位主要职责。发布时必填。")

    required_on_publish = ("org_name", "address", "public_phone", "supervision_phone", "email", "website", "responsibilities")
    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/unit_profile_page.html"
    content_panels = (
        Page.content_panels
        + [
            FieldPanel("org_name"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("public_phone"), FieldPanel("supervision_phone")]),
            FieldRowPanel([FieldPanel("email"), FieldPanel("website")]),
            FieldPanel("responsibilities"),
            InlinePanel("leaders", label="领导", help_text="本单位领导，每行一人：姓名、岗位、电子邮件、分管范围。"),
            InlinePanel(
                "departments", label="内设机构", help_text="内设机构，每行一个：名称、负责人、电话、电子邮件、工作职责。"
            ),
        ]
        + ColumnPage.column_panels
    )
    search_fields = ColumnPage.search_fields + [index.SearchField("org_name"), index.SearchField("responsibilities")]

    class Meta:
        verbose_name = "机构概况"


class UnitLeader(Orderable):
    page = ParentalKey(UnitProfilePage, related_name="leaders", on_delete=models.CASCADE)
    name = models.CharField("姓名", max_length=40, help_text="领导姓名。")
    post = models.CharField("岗位", max_length=80, help_text="职务，如“局长”“副局长”。")
    email = models.EmailField("电子邮件", blank=True, help_text="公开的工作邮箱；可不填。")
    scope = models.TextField("分管范围", blank=True, help_text="分管的工作和联系的处室；可不填。")


class InternalDepartment(Orderable):
    page = ParentalKey(UnitProfilePage, related_name="departments", on_delete=models.CASCADE)
    name = models.CharField("名称", max_length=80, help_text="内设机构名称。")
    head = models.CharField("负责人", max_length=40, blank=True, help_text="负责人姓名；可不填。")
    phone = models.CharField("电话", max_length=60, blank=True, help_text="办公电话；可不填。")
    email = models.EmailField("电子邮件", blank=True, help_text="工作邮箱；可不填。")
    duties = models.TextField("工作职责", blank=True, help_text="该机构的工作职责；可不填。")


class LeaderPage(ColumnPage):
    """领导之窗: one leader, with speeches/articles and activities as children."""

    name = models.CharField("姓名", max_length=40, help_text="领导姓名。发布时必填。")
    post = models.CharField("岗位", max_length=80, help_text="职务。发布时必填。")
    email = models.EmailField("电子邮件", help_text="公开的工作邮箱。发布时必填。")
    division_of_work = models.TextField("工作分工", help_text="按分工文件填写的分管工作。发布时必填。")
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="领导标准照；可不选。",
    )

    required_on_publish = ("name", "post", "email", "division_of_work")
    parent_page_types = COLUMN_PARENTS
    subpage_types = ["sitepages.SpeechPage"]
    template = "sitepages/leader_page.html"
    content_panels = (
        Page.content_panels
        + [
            FieldRowPanel([FieldPanel("name"), FieldPanel("post"), FieldPanel("email")]),
            FieldPanel("division_of_work"),
            FieldPanel("photo"),
        ]
        + ColumnPage.column_panels
    )

    class Meta:
        verbose_name = "领导之窗"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = SpeechPage.objects.live().public().child_of(self).order_by("-publish_date")
        context["speeches"] = children.filter(kind="speech")[:20]
        context["activities"] = children.filter(kind="activity")[:20]
        return context


class OrgDirectoryPage(ColumnPage):
    """机构目录: the registered units and their functions, generated from the unit registry."""

    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/org_directory_page.html"

    class Meta:
        verbose_name = "机构目录"

    def get_context(self, request, *args, **kwargs):
        from tenants.selectors import directory_units

        context = super().get_context(request, *args, **kwargs)
        context["units"] = directory_units()
        return context


class DisclosureCataloguePage(ColumnPage):
    """政府信息公开目录, generated from the unit's columns and their 政务公开类别."""

    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/disclosure_catalogue_page.html"

    class Meta:
        verbose_name = "政府信息公开目录"

    def get_context(self, request, *args, **kwargs):
        from .selectors import disclosure_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = disclosure_catalogue(home=self.get_site().root_page)
        return context


class PhoneDirectoryPage(ColumnPage):
    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/phone_directory_page.html"
    content_panels = (
        Page.content_panels
        + [InlinePanel("entries", label="电话", help_text="便民电话，每行一条：名称、电话、说明。")]
        + ColumnPage.column_panels
    )

    class Meta:
        verbose_name = "便民电话"


class PhoneEntry(Orderable):
    page = ParentalKey(PhoneDirectoryPage, related_name="entries", on_delete=models.CASCADE)
    name = models.CharField("名称", max_length=80, help_text="服务或部门的名称。")
    phone = models.CharField("电话", max_length=60, help_text="电话号码（请填写办公电话）。")
    note = models.CharField("说明", max_length=200, blank=True, help_text="服务时间等补充说明；可不填。")


class OverviewPage(ColumnPage):
    """概览: text with images, kept current by the unit."""

    body = StreamField(BodyBlock(), verbose_name="正文", help_text="概览内容，可插入正文段落、图片和附件。发布时必填。")
    required_on_publish = ("body",)
    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/overview_page.html"
    content_panels = Page.content_panels + [FieldPanel("body")] + ColumnPage.column_panels
    search_fields = ColumnPage.search_fields + [index.SearchField("body_text")]

    class Meta:
        verbose_name = "概览"

    @property
    def body_text(self) -> str:
        return body_text(self.body)

    def attached_documents(self):
        return [block.value for block in self.body if block.block_type == "attachment" and block.value]


class InteractionPage(ColumnPage):
    """互动渠道: where citizens ask; handled by named staff (第六条（四）)."""

    channels = RichTextField("咨询方式", help_text="公众咨询、投诉的渠道（电话、信箱、窗口等）和答复时限。发布时必填。")
    handler_name = models.CharField(
        "受理人", max_length=40, help_text="负责处理和答复网上咨询、投诉的专人（第六条（四））。发布时必填。"
    )
    handler_phone = models.CharField("受理电话", max_length=60, help_text="受理人的办公电话。发布时必填。")
    handler_email = models.EmailField("受理邮箱", blank=True, help_text="受理人的工作邮箱；可不填。")

    required_on_publish = ("channels", "handler_name", "handler_phone")
    parent_page_types = COLUMN_PARENTS
    subpage_types: list[str] = []
    template = "sitepages/interaction_page.html"
    content_panels = (
        Page.content_panels
        + [
            FieldPanel("channels"),
            FieldRowPanel([FieldPanel("handler_name"), FieldPanel("handler_phone"), FieldPanel("handler_email")]),
        ]
        + ColumnPage.column_panels
    )

    class Meta:
        verbose_name = "互动渠道"


COLUMN_PAGE_TYPES = [
    SectionPage,
    ColumnListingPage,
    UnitProfilePage,
    LeaderPage,
    OrgDirectoryPage,
    DisclosureCataloguePage,
    PhoneDirectoryPage,
    OverviewPage,
    InteractionPage,
]


# --- 首页动态信息: which columns feed the homepage (and the oversight homepage rule) ---
# A Wagtail site setting in the unit's own schema, not a field on tenants.Unit: it names the
# unit's own column pages (rows of its schema, which a public-schema row cannot reference),
# the unit administrator edits it in the unit's admin (设置 → 首页动态信息), and the page tree it
# points into is cloned, provisioned and deleted with the schema. No selection means the
# default (sitepages.homepage.default_homepage_columns).


class HomepageDynamicSettingForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .homepage import selectable_columns

        field = self.fields["columns"]
        field.queryset = selectable_columns()
        field.label_from_instance = lambda page: " / ".join(
            p.title for p in page.get_ancestors(inclusive=True).filter(depth__gt=2)
        )


@register_setting(icon="home")
class HomepageDynamicSetting(BaseSiteSetting):
    columns = models.ManyToManyField(
        "wagtailcore.Page",
        blank=True,
        related_name="+",
        verbose_name="首页动态信息栏目",
        help_text="这些栏目中的信息显示在本单位首页的“最新动态”中，市信息中心也据此检查首页动态信息是否按期更新。"
        "不选任何栏目时使用默认设置：全部动态类栏目、领导之窗的讲话与活动，以及公告公示栏目。",
    )

    base_form_class = HomepageDynamicSettingForm
    panels = [FieldPanel("columns", widget=forms.CheckboxSelectMultiple)]

    class Meta:
        verbose_name = "首页动态信息"
        verbose_name_plural = "首页动态信息"
