"""互动交流: citizens' messages (咨询、投诉、建议、求助、纠错), answered by named staff within deadlines.

The app lives in the public schema and in every unit schema, so every table
exists everywhere. Which schema a model is used in is a convention kept by
services.py and selectors.py:

* every schema: Case, CaseAttachment, ExtensionRequest, DeadlineSetting. A unit's
  cases are in its own schema with the writer's personal data, which never
  leaves it; the public schema's cases are those of the portal's city-wide entry
  (市长信箱 / 咨询投诉), triaged by the information centre's desk (受理台).
* public schema only (always through `tenants.context.public_schema()`): Handover,
  the routing record of a 转办 / 退回 / 找错 forwarding (like moderation's
  ConfirmationRequest: it carries a snapshot so that no unit reads another's
  schema; the writer's personal data in it is wiped once the receiving side has
  taken it over), and PublishedReply, the published question and answer (no
  personal data: it passed the PII scan) that the portal lists.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class Kind(models.TextChoices):
    CONSULT = "consult", "咨询"
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"
    HELP = "help", "求助"
    CORRECTION = "correction", "纠错"


# Working days to answer, by kind, unless the unit sets its own (DeadlineSetting).
DEFAULT_WORKING_DAYS: dict[str, int] = {
    Kind.CONSULT: 5,
    Kind.SUGGESTION: 10,
    Kind.COMPLAINT: 15,
    Kind.HELP: 5,
    Kind.CORRECTION: 3,
}


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    REFUSED = "refused", "不予受理"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    REVIEW = "review", "答复审核"
    ANSWERED = "answered", "已答复"
    PUBLISHED = "published", "已公开"
    NOT_PUBLISHED = "not_published", "不公开"
    TRANSFERRED = "transferred", "已转办"
    RETURNED = "returned", "已退回"


# Not yet answered, still this unit's to answer (counted for deadlines, reminders and the veto).
OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REVIEW)
ANSWERED_STATUSES = (Status.ANSWERED, Status.PUBLISHED, Status.NOT_PUBLISHED)
# Handed to someone else: no longer this unit's message (counted where it went).
HANDED_OVER_STATUSES = (Status.TRANSFERRED, Status.RETURNED)


class RefusalReason(models.TextChoices):
    DUPLICATE = "duplicate", "重复留言"
    NO_CONTENT = "no_content", "内容不完整或无法辨认"
    ABUSIVE = "abusive", "含有辱骂、攻击等内容"
    OTHER_CHANNEL = "other_channel", "属于信访、纪检举报或诉讼等其他途径"
    ADVERTISING = "advertising", "广告或与政府工作无关"
    OTHER = "other", "其他（须说明）"


class Source(models.TextChoices):
    SITE = "site", "单位网站"
    PORTAL = "portal", "门户网站（市长信箱 / 咨询投诉）"
    HANDOVER = "handover", "其他单位转办"
    NATIONAL = "national", "全国政府网站“我为政府网站找错”"
    HOTLINE = "hotline", "12345 热线转办"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Outcome(models.TextChoices):
    """12345 办理结果 codes."""

    RESOLVED = "resolved", "解决"
    PARTLY = "partly", "部分解决"
    UNRESOLVED = "unresolved", "未解决"
    SENT_BACK = "sent_back", "退单"


mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", "请输入 11 位手机号码（以 1 开头）")


class Case(models.Model):
    """One message, in the schema of the unit that must answer it (or of the portal's desk)."""

    number = models.CharField("查询码", max_length=16, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    subject = models.CharField("标题", max_length=120)
    content = models.TextField("内容")
    name = models.CharField("姓名", max_length=40, blank=True)
    phone = models.CharField("手机号码", max_length=11, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    agree_publish = models.BooleanField("同意公开", default=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.SITE)
    external_ref = models.CharField("外部编号", max_length=60, blank=True, help_text="12345 工单号或全国政府网站找错编号")
    problem_url = models.URLField("问题网址", max_length=500, blank=True)
    problem_page_id = models.BigIntegerField("问题页面 ID", null=True, blank=True)
    client_ip = models.GenericIPAddressField("提交 IP", null=True, blank=True)

    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    # When the message reached this unit (submission, or the arrival of a handover): deadlines count from here.
    received_at = models.DateTimeField("收到时间", db_index=True)
    submitted_at = models.DateTimeField("留言时间")
    working_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    deadline = models.DateTimeField("办理期限", db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.CharField("不予受理理由", max_length=20, choices=RefusalReason.choices, blank=True)
    refusal_note = models.TextField("不予受理说明", blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)

    reply = models.TextField("答复内容", blank=True)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True, db_index=True)

    # What the public sees: edited copies, free of personal data (the PII scan runs on them before publication).
    public_subject = models.CharField("公开标题", max_length=120, blank=True)
    public_question = models.TextField("公开的留言内容", blank=True)
    public_reply = models.TextField("公开的答复内容", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公开决定人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    not_public_reason = models.TextField("不公开理由", blank=True)
    faq = models.BooleanField("列入常见问题", default=False)

    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    followup = models.TextField("追问", blank=True)
    followup_at = models.DateTimeField("追问时间", null=True, blank=True)
    followup_reply = models.TextField("追问答复", blank=True)
    followup_replied_at = models.DateTimeField("追问答复时间", null=True, blank=True)
    followup_replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="追问答复人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    handed_to_code = models.CharField("转交单位代码", max_length=20, blank=True)
    handed_to_name = models.CharField("转交单位", max_length=60, blank=True)
    handover_id = models.BigIntegerField("转交记录 ID", null=True, blank=True)
    origin_unit_name = models.CharField("转来单位", max_length=60, blank=True)
    origin_handover_id = models.BigIntegerField("转来记录 ID", null=True, blank=True)

    outcome = models.CharField("办理结果（12345）", max_length=20, choices=Outcome.choices, blank=True)
    revisit_at = models.DateTimeField("回访时间", null=True, blank=True)
    revisit_result = models.CharField("回访结果", max_length=500, blank=True)
    revisit_rating = models.CharField("回访满意度", max_length=20, choices=Rating.choices, blank=True)

    reminded_half_at = models.DateTimeField("50% 提醒时间", null=True, blank=True)
    reminded_late_at = models.DateTimeField("80% 提醒时间", null=True, blank=True)
    overdue_notified_at = models.DateTimeField("超期通知时间", null=True, blank=True)
    centre_notified_at = models.DateTimeField("60 天通报信息中心时间", null=True, blank=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="interaction_case_open_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES


class CaseAttachment(models.Model):
    """A file the writer sent; only the unit's staff can open it, and it is never published."""

    case = models.ForeignKey(Case, verbose_name="留言", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="interaction/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    # The secrecy/PII scan of its text (masked, as moderation stores findings), or why it could not be read.
    findings = models.JSONField("审查发现", default=list, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "留言附件"
        verbose_name_plural = "留言附件"

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    """延期申请: the handler asks the 分管领导 for more working days."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    case = models.ForeignKey(Case, verbose_name="留言", on_delete=models.CASCADE, related_name="extensions")
    extra_days = models.PositiveSmallIntegerField("延长工作日", validators=[MinValueValidator(1), MaxValueValidator(30)])
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.TextField("审批意见", blank=True)
    old_deadline = models.DateTimeField("原期限", null=True, blank=True)
    new_deadline = models.DateTimeField("新期限", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"延长 {self.extra_days} 个工作日（{self.get_state_display()}）"


class DeadlineSetting(models.Model):
    """A unit's own 办理时限 for one kind (in working days), instead of the default."""

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(
        "办理时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.working_days} 个工作日"


# --- public schema ----------------------------------------------------------


class Handover(models.Model):
    """A message handed from one schema to another (public schema), with a snapshot of the case.

    转办: a unit (or the desk) hands it to the responsible unit; 退回: a unit that is
    not responsible sends it back to the desk; 找错转交: the information centre
    forwards a case from the national platform. The receiving side builds its own
    case from the snapshot and then wipes the personal data from this record.
    """

    class Type(models.TextChoices):
        TRANSFER = "transfer", "转办"
        RETURN = "return", "退回"
        NATIONAL = "national", "找错转交"
        HOTLINE = "hotline", "12345 转办"

    class State(models.TextChoices):
        PENDING = "pending", "待接收"
        RECEIVED = "received", "已接收"

    type = models.CharField("类型", max_length=20, choices=Type.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    source_schema = models.CharField("转出模式", max_length=63)
    source_unit_code = models.CharField("转出单位代码", max_length=20)
    source_unit_name = models.CharField("转出单位", max_length=60)
    target_schema = models.CharField("接收模式", max_length=63, db_index=True)
    target_unit_code = models.CharField("接收单位代码", max_length=20)
    target_unit_name = models.CharField("接收单位", max_length=60)
    case_number = models.CharField("查询码", max_length=16, db_index=True)
    reason = models.TextField("转交理由", blank=True)
    # The case as the receiving side needs it; personal fields and attachments are emptied on receipt.
    snapshot = models.JSONField("留言快照", default=dict)
    created_by = models.CharField("经办人", max_length=150, blank=True)
    created_at = models.DateTimeField("转出时间", auto_now_add=True)
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    target_case_id = models.BigIntegerField("接收方留言 ID", null=True, blank=True)
    snapshot_cleared_at = models.DateTimeField("个人信息清除时间", null=True, blank=True)

    class Meta:
        verbose_name = "留言转交"
        verbose_name_plural = "留言转交"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.case_number} {self.source_unit_name}→{self.target_unit_name}"


class PublishedReply(models.Model):
    """A published question and answer, as the portal lists it (public schema; no personal data)."""

    schema_name = models.CharField("单位模式", max_length=63)
    case_id = models.BigIntegerField("留言 ID")
    unit_code = models.CharField("单位代码", max_length=20, db_index=True)
    unit_name = models.CharField("答复单位", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    subject = models.CharField("标题", max_length=120)
    question = models.TextField("留言内容")
    reply = models.TextField("答复内容")
    received_on = models.DateField("受理日期")
    replied_on = models.DateField("答复日期")
    published_at = models.DateTimeField("公开时间", db_index=True)
    url = models.CharField("网址", max_length=500)
    faq = models.BooleanField("常见问题", default=False)

    class Meta:
        verbose_name = "已公开答复"
        verbose_name_plural = "已公开答复"
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["schema_name", "case_id"], name="interaction_reply_once")]

    def __str__(self) -> str:
        return self.subject
