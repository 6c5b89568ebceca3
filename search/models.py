"""The portal index (PostgreSQL backend) and the outbox that feeds it.

Both live in the public schema. A unit schema's search_path ends in public, so a
page change in a unit writes its outbox row in the same transaction.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q


class OutboxAction(models.TextChoices):
    UPSERT = "upsert", "更新索引"
    DELETE = "delete", "移出索引"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    PARKED = "parked", "已搁置"


class OutboxEntry(models.Model):
    """A page whose index entry must be brought in line with the unit's database.

    The drain re-reads the page whatever the action says, so the newest state
    always wins and entries may be processed in any order or more than once;
    the action only decides the order (removals first). An entry whose
    document the index keeps refusing is parked after
    PORTAL_OUTBOX_MAX_ATTEMPTS, and waits for the information centre's 重试.
    """

    schema_name = models.CharField("单位模式", max_length=63)
    page_id = models.PositiveIntegerField("页面 ID")
    action = models.CharField("操作", max_length=10, choices=OutboxAction.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    status = models.CharField("状态", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    parked_at = models.DateTimeField("搁置时间", null=True, blank=True)

    class Meta:
        verbose_name = "索引待办"
        verbose_name_plural = "索引待办"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], name="outbox_due_idx"),
            models.Index(fields=["schema_name", "page_id"], name="outbox_page_idx"),
            models.Index(fields=["status", "action", "id"], name="outbox_queue_idx"),
            models.Index(fields=["created_at"], name="outbox_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.page_id} {self.action}"


class OutboxAlert(models.Model):
    """One episode of a backlog: some outbox entry older than PORTAL_OUTBOX_ALERT_MINUTES.

    Opened (and mailed) once when the check first finds such an entry, closed
    when it finds none; at most one is open at a time.
    """

    kind = models.CharField("类型", max_length=20, default="stale_outbox", editable=False)
    opened_at = models.DateTimeField("发现时间")
    closed_at = models.DateTimeField("恢复时间", null=True, blank=True)
    oldest_created_at = models.DateTimeField("最早待办创建时间")
    pending = models.PositiveIntegerField("待处理条数", default=0)
    parked = models.PositiveIntegerField("已搁置条数", default=0)
    notified = models.PositiveIntegerField("已通知人数", default=0)

    class Meta:
        verbose_name = "索引积压告警"
        verbose_name_plural = "索引积压告警"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(closed_at__isnull=True), name="outbox_one_open_alert"),
        ]

    def __str__(self) -> str:
        return f"索引积压 {self.opened_at:%Y-%m-%d %H:%M}"


class PortalDocument(models.Model):
    """One published page of one unit, as the portal searches and lists it.

    This row holds what a hit shows; what matching, filtering, ordering and
    facets read for every match lives in its narrow PortalMatch row.
    """

    key = models.CharField("文档键", max_length=80, primary_key=True)
    schema_name = models.CharField("单位模式", max_length=63)
    page_id = models.PositiveIntegerField("页面 ID")
    unit_code = models.CharField("单位代码", max_length=20)
    unit_name = models.CharField("单位名称", max_length=120)
    column_path = ArrayField(models.CharField(max_length=255), verbose_name="栏目路径", default=list)
    column_title = models.CharField("栏目", max_length=255, blank=True)
    page_type = models.CharField("信息类型", max_length=40)
    # As long as a category of the 责任分解表 may be (columns.table.rows.MAX_LENGTHS).
    categories = ArrayField(models.CharField(max_length=80), verbose_name="政务公开类别", default=list)
    publish_date = models.DateField("发布日期", null=True)
    written_date = models.DateField("成文日期", null=True)
    year = models.PositiveIntegerField("年份", null=True)
    published_at = models.DateTimeField("上线时间", null=True)
    url = models.CharField("网址", max_length=500)
    title = models.CharField("标题", max_length=255)
    summary = models.TextField("摘要", blank=True)
    body = models.TextField("正文", blank=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issuing_body = models.CharField("发布机构", max_length=120, blank=True)
    subject_words = models.CharField("主题词", max_length=200, blank=True)
    index_number = models.CharField("索引号", max_length=60, blank=True)
    validity = models.CharField("有效性", max_length=20, blank=True)
    # Set when PostgreSQL's or Elasticsearch's limits made indexing leave part
    # of the page out (search.segmentation, search.documents); the note says what.
    truncated = models.BooleanField("已截断", default=False)
    truncation_note = models.TextField("截断说明", blank=True)
    indexed_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        verbose_name = "门户索引文档"
        verbose_name_plural = "门户索引文档"
        # Searches go through PortalMatch; these serve reads of the documents
        # themselves (a unit's keys, and the unsegmented ILIKE baseline of
        # bench/search.py, which stays comparable with earlier runs).
        indexes = [
            models.Index(fields=["-publish_date", "-published_at"], name="portaldoc_latest_idx"),
            models.Index(fields=["page_type", "-publish_date", "-published_at"], name="portaldoc_type_latest_idx"),
            models.Index(fields=["unit_code"], name="portaldoc_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.title


_NEWEST_FIRST = (F("publish_date").desc(nulls_last=True), F("published_at").desc(nulls_last=True))


class PortalMatch(models.Model):
    """The part of a PortalDocument that a search reads for every match.

    A common word matches a tenth of the index; the bitmap heap scan over its
    matches, the facets and the cheap ordering then read only these rows
    instead of the wide display rows, and the wide row is fetched only for the
    page of hits. Once a row is over PostgreSQL's TOAST threshold (about
    2 kB), both vectors go out of line and it shrinks to about 100 bytes
    (migration 0004); only very short documents stay under it, vectors in
    line. Unit, type, year and categories are counted through the row's
    facet cell, and filtered through it when there are no words (with words,
    through lexemes of both vectors: search.backends.postgres.FILTER_PREFIX).
    The fixed-width columns come first, so reading a
    row does not walk through variable-length values to get them. Written
    and deleted together with its document.
    """

    facet_cell = models.BigIntegerField("分面组合")
    publish_date = models.DateField("发布日期", null=True)
    published_at = models.DateTimeField("上线时间", null=True)
    document = models.OneToOneField(
        PortalDocument,
        on_delete=models.CASCADE,
        primary_key=True,
        db_column="key",
        related_name="match",
        verbose_name="文档",
    )
    search_vector = SearchVectorField("检索向量", null=True)
    # The title alone (search_vector's weight-A entries), GIN-indexed: ranking
    # asks the index which matches have every query word in the title instead
    # of reading each match's vector, which is stored out of line.
    title_vector = SearchVectorField("标题检索向量", null=True)
    # The counting sample (search.backends.postgres.SAMPLE_SHARDS), with indexes of its own.
    in_sample = models.BooleanField("计数样本", default=False)

    class Meta:
        verbose_name = "门户索引匹配项"
        verbose_name_plural = "门户索引匹配项"
        indexes = [
            GinIndex(fields=["search_vector"], name="portalmatch_vector_gin"),
            GinIndex(fields=["title_vector"], name="portalmatch_title_gin"),
            # In the order listings use (NULLS LAST), so the home page and the
            # feeds read the first rows of an index instead of sorting them all.
            models.Index(*_NEWEST_FIRST, name="portalmatch_latest_idx"),
            # A filter's facet cells, when a search has no words.
            models.Index(fields=["facet_cell"], name="portalmatch_cell_idx"),
            # The sample's matches of a search's words, and without words its documents per cell.
            GinIndex(fields=["search_vector"], condition=Q(in_sample=True), name="portalmatch_sample_gin"),
            models.Index(fields=["facet_cell"], condition=Q(in_sample=True), name="portalmatch_sample_cell_idx"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class PortalFacetCell(models.Model):
    """One combination of facet values (unit, type, year, categories) that documents share.

    Facets count a word's matches per cell, one integer per match, and only
    then per unit, type, year and category over the few thousand cells: four
    hash lookups per match, one of them on an array, cost more than the scan
    of the matches itself. Filters select cells, so match rows need not carry
    the values. The id is a hash of the values, so the indexer needs no round
    trip to find it. Cells are only ever added: a match row is written after
    its cell in the same transaction, so every committed match has one. Two
    cells with equal values would be harmless (facets roll up by value, filters
    select both), and cells that no document uses any more are never counted.
    """

    id = models.BigIntegerField("组合键", primary_key=True)
    unit_code = models.CharField("单位代码", max_length=20)
    unit_name = models.CharField("单位名称", max_length=120)
    page_type = models.CharField("信息类型", max_length=40)
    year = models.PositiveIntegerField("年份", null=True)
    categories = ArrayField(models.CharField(max_length=80), verbose_name="政务公开类别", default=list)
    # 有效 / 废止 / 失效 of policy documents; empty for everything else.
    validity = models.CharField("有效性", max_length=20, blank=True, default="")

    class Meta:
        verbose_name = "门户索引分面组合"
        verbose_name_plural = "门户索引分面组合"
        # Every search reads the cells whole (the facets' join, a filter's
        # cells) with sequential scans switched off (search.backends.postgres):
        # with the values in the index that is an index-only scan of a few
        # hundred pages, not one heap fetch per cell (tens of thousands of
        # cells at 1,000 units).
        indexes = [
            models.Index(
                fields=["id"],
                include=["unit_code", "unit_name", "page_type", "year", "categories", "validity"],
                name="portalfacetcell_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.page_type} {self.year} {'、'.join(self.categories)} {self.validity}".strip()


class SynonymSet(models.Model):
    """Words the portal search treats as one (发改委 ⇄ 发展改革局 ⇄ 发展和改革局), edited by the information centre.

    Applied at query time (search.synonyms): a query with any of the words also
    finds the others, so a change takes effect at the next search, without a reindex.
    """

    words = models.CharField(
        "同义词",
        max_length=500,
        help_text="意思相同的一组词，用空格、逗号、顿号或“⇄”分隔，如“社保 社会保险”。"
        "检索其中任何一个词时，同时检索其他词。每组至少两个词，每个词最多 30 个字。",
    )
    note = models.CharField("说明", max_length=200, blank=True, help_text="这组同义词的来由或适用范围；可不填。")
    enabled = models.BooleanField("启用", default=True, help_text="停用后检索不再使用这组同义词。")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "检索同义词"
        verbose_name_plural = "检索同义词"
        ordering = ["id"]

    def __str__(self) -> str:
        return " ⇄ ".join(self.word_list())

    @property
    def status_label(self) -> str:
        return "启用" if self.enabled else "停用"

    def word_list(self) -> list[str]:
        from .synonyms import split_words

        return split_words(self.words)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .synonyms import MAX_WORD_CHARS, split_words

        words = split_words(self.words)
        if len(words) < 2:
            raise ValidationError({"words": "请至少填写两个不同的词，用空格、逗号或顿号分隔。"})
        long = [w for w in words if len(w) > MAX_WORD_CHARS]
        if long:
            raise ValidationError({"words": f"词“{long[0][:40]}”过长：每个词最多 {MAX_WORD_CHARS} 个字。"})
        self.words = " ".join(words)
