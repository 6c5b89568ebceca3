"""审核发布: workflow tasks, the secrecy review record, cross-unit confirmation.

The app lives in both the public schema and every unit schema, so every table
below exists everywhere. Which schema a model is used in is a convention kept
by services.py and selectors.py:

* unit schema only: SecrecyReviewTask(+State), ReviewTask, CrossUnitConfirmationTask,
  SecrecyOverride, ConfirmationTarget, PlatformWorkflow;
* public schema only (always through `schema_context("public")`):
  SensitiveWord, ConfirmationRequest.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from wagtail.models import AbstractGroupApprovalTask, Task, TaskState

# How many working days another unit has to answer a 会签 request, unless the requester sets another.
DEFAULT_CONFIRMATION_WORKING_DAYS = 3


class PlatformTaskMixin:
    """What every platform task does when it starts: the review chain runs from the top.

    A task that starts while an earlier task of the workflow has not approved the
    revision now under review (the author resubmitted after a rejection, or content
    changed during the workflow) hands over to that earlier task. Wagtail would
    otherwise resume at the rejected task and keep the earlier approvals, which
    were given for other content.
    """

    def start(self, workflow_state, user=None):
        earlier = workflow_state.get_next_task()
        if earlier is not None and earlier.pk != self.pk and _sorts_before(workflow_state, earlier, self):
            return earlier.specific.start(workflow_state, user=user)
        return self.start_here(workflow_state, user=user)

    def start_here(self, workflow_state, user=None):
        return Task.start(self, workflow_state, user=user)


def _sorts_before(workflow_state, first, second) -> bool:
    from wagtail.models import WorkflowTask

    order = dict(
        WorkflowTask.objects.filter(workflow_id=workflow_state.workflow_id, task_id__in=[first.pk, second.pk]).values_list(
            "task_id", "sort_order"
        )
    )
    return order.get(first.pk, 0) < order.get(second.pk, 0)

# --- unit schema ------------------------------------------------------------


class PlatformWorkflow(models.Model):
    """Which of the unit's workflows plays which role, whatever the unit renames it to."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "审核发布"
        LEADER_APPROVAL = "leader_approval", "审核发布（含领导审批）"

    kind = models.CharField("用途", max_length=30, choices=Kind.choices, unique=True)
    workflow = models.OneToOneField("wagtailcore.Workflow", verbose_name="工作流", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "平台工作流"
        verbose_name_plural = "平台工作流"

    def __str__(self) -> str:
        return self.get_kind_display()


class SecrecyReviewTask(PlatformTaskMixin, Task):
    """保密审查: passes a clean page at once, holds a page with findings for a reviewer."""

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = "保密审查"
        verbose_name_plural = "保密审查"

    def start_here(self, workflow_state, user=None):
        from .services import run_secrecy_review

        task_state = Task.start(self, workflow_state, user=user)
        run_secrecy_review(task_state=task_state)
        return task_state

    def locked_for_user(self, obj, user):
        from .selectors import user_can_override_secrecy

        # While the review holds the page only the reviewers who may release it can edit it.
        return not user_can_override_secrecy(user=user)

    def on_action(self, task_state, user, action_name, **kwargs):
        from .services import override_secrecy_task, rescan_secrecy_task

        if action_name == "override":
            override_secrecy_task(task_state=task_state, user=user, reason=kwargs.get("comment", ""))
            return None
        if action_name == "rescan":
            rescan_secrecy_task(task_state=task_state, user=user)
            return None
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_actions(self, obj, user):
        from .selectors import user_can_override_secrecy

        from .integrity import is_writer_of_current_task

        actions = [("rescan", "重新审查", False)]
        if user_can_override_secrecy(user=user):
            actions = [("reject", "退回修改", True), *actions]
            if not is_writer_of_current_task(page=obj, user=user):
                actions.insert(0, ("override", "人工放行（须填写理由）", True))
        return actions

    def get_form_for_action(self, action):
        if action == "override":
            from .forms import OverrideReasonForm

            return OverrideReasonForm
        return super().get_form_for_action(action)

    def get_template_for_action(self, action):
        return "moderation/override_modal.html" if action == "override" else super().get_template_for_action(action)

    def user_can_access_editor(self, obj, user):
        from .selectors import user_can_override_secrecy

        return user_can_override_secrecy(user=user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .selectors import user_can_override_secrecy

        if user_can_override_secrecy(user=user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return "扫描标题、正文、元数据和附件中的密级标志、内部信息、个人信息和敏感词；无问题自动通过，有问题由审核员处理"


class SecrecyReviewTaskState(TaskState):
    findings = models.JSONField("审查发现", default=list, blank=True)
    content_hash = models.CharField("内容指纹", max_length=64, blank=True)
    scanned_at = models.DateTimeField("审查时间", null=True, blank=True)

    class Meta:
        verbose_name = "保密审查记录"
        verbose_name_plural = "保密审查记录"

    def get_comment(self):
        if self.comment:
            return self.comment
        if self.findings:
            return f"发现 {len(self.findings)} 处需人工审查的内容"
        return ""


# Defined after the state class, which Wagtail instantiates in Task.start.
SecrecyReviewTask.task_state_class = SecrecyReviewTaskState


class ReviewTask(PlatformTaskMixin, AbstractGroupApprovalTask):
    """审核 / 分管领导审批: members of the chosen groups approve, never the people who wrote the content."""

    class Meta:
        verbose_name = "审核环节"
        verbose_name_plural = "审核环节"

    def start_here(self, workflow_state, user=None):
        return AbstractGroupApprovalTask.start(self, workflow_state, user=user)

    def get_actions(self, obj, user):
        from .integrity import is_writer_of_current_task

        actions = super().get_actions(obj, user)
        if actions and is_writer_of_current_task(page=obj, user=user):
            # 分工协作、严格把关: whoever wrote or last edited the content may send it back, not approve it.
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        from .integrity import writer_ids

        if action_name == "approve" and user is not None and user.pk in writer_ids(revision=task_state.revision):
            raise PermissionDenied("作者或最后修改人不能审核通过自己撰写的内容")
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "所选用户组的成员审核通过；撰写或修改过该内容的人不能审核通过"


class CrossUnitConfirmationTask(PlatformTaskMixin, Task):
    """会签确认: waits until every unit named on the page has confirmed the same content."""

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = "会签确认"
        verbose_name_plural = "会签确认"

    def start_here(self, workflow_state, user=None):
        from .services import start_confirmation_task

        task_state = Task.start(self, workflow_state, user=user)
        start_confirmation_task(task_state=task_state, user=user)
        return task_state

    def locked_for_user(self, obj, user):
        # The deciders of this step are other units: nobody here edits what they are reading.
        return True

    def get_actions(self, obj, user):
        from .selectors import user_can_review

        if user_can_review(user=user):
            return [("reject", "退回修改", True)]
        return []

    @classmethod
    def get_description(cls):
        return "页面涉及的其他单位（会签单位）全部确认后自动通过；任一单位提出异议即退回作者"


class SecrecyOverride(models.Model):
    """A reviewer's written decision to publish content despite secrecy findings."""

    page = models.ForeignKey("wagtailcore.Page", verbose_name="页面", on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name="版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField("内容指纹", max_length=64, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="放行人", null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField("放行理由")
    findings = models.JSONField("审查发现", default=list)
    created_at = models.DateTimeField("放行时间", auto_now_add=True)

    class Meta:
        verbose_name = "保密审查人工放行"
        verbose_name_plural = "保密审查人工放行"
        ordering = ["-created_at"]
        permissions = [("override_secrecy", "可对保密审查发现的问题人工放行")]

    def __str__(self) -> str:
        return f"{self.page_id}@{self.revision_id}"


class ConfirmationTarget(models.Model):
    """A unit the page concerns (会签单位), named by the editor."""

    page = models.ForeignKey("wagtailcore.Page", verbose_name="页面", on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField("会签单位代码", max_length=20)
    working_days = models.PositiveSmallIntegerField("答复期限（工作日）", default=DEFAULT_CONFIRMATION_WORKING_DAYS)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="添加人", null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "会签单位"
        verbose_name_plural = "会签单位"
        constraints = [models.UniqueConstraint(fields=["page", "unit_code"], name="moderation_target_unique_per_page")]

    def __str__(self) -> str:
        return self.unit_code


# --- public schema ----------------------------------------------------------


class SensitiveWord(models.Model):
    """One entry of the platform-wide sensitive-word dictionary (public schema)."""

    word = models.CharField("敏感词", max_length=100, unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词库"
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class ConfirmationRequest(models.Model):
    """A request from one unit to another to confirm a page before it goes live (public schema).

    It carries a snapshot of what is to be published, so the target unit never
    reads the source unit's schema.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        OBJECTED = "objected", "有异议"
        WITHDRAWN = "withdrawn", "已撤回"

    source_schema = models.CharField("发起单位模式", max_length=63, db_index=True)
    source_unit_code = models.CharField("发起单位代码", max_length=20)
    source_unit_name = models.CharField("发起单位", max_length=60)
    page_id = models.BigIntegerField("页面 ID")
    revision_id = models.BigIntegerField("版本 ID", null=True)
    page_title = models.CharField("标题", max_length=255)
    preview_text = models.TextField("内容快照", blank=True)
    preview_html = models.TextField("内容快照（HTML）", blank=True)
    content_hash = models.CharField("内容指纹", max_length=64)
    target_unit_code = models.CharField("会签单位代码", max_length=20, db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    comment = models.TextField("意见", blank=True)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    # Who wrote the content, by user name and e-mail: accounts are per unit, so the
    # target unit recognises the same person by these, never by a user id.
    author_identities = models.JSONField("作者标识", default=list, blank=True)
    deadline = models.DateTimeField("答复期限", null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    escalated_at = models.DateTimeField("超期通报时间", null=True, blank=True)
    applied_at = models.DateTimeField("发起单位处理时间", null=True, blank=True)
    apply_attempts = models.PositiveSmallIntegerField("发起单位处理次数", default=0)
    apply_error = models.TextField("发起单位处理失败原因", blank=True)

    class Meta:
        verbose_name = "会签请求"
        verbose_name_plural = "会签请求"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source_schema", "page_id"], name="moderation_cr_source_page")]

    def __str__(self) -> str:
        return f"{self.source_unit_name}：{self.page_title}"

    @property
    def state_display(self) -> str:
        """The status with what happened around it: reminders, the deadline, the requester's side."""
        text = self.get_status_display()
        notes = []
        if self.status == self.Status.PENDING:
            if self.escalated_at:
                notes.append("已超过答复期限，已通知双方分管领导")
            elif self.reminded_at:
                notes.append("已发送催办提醒")
        if self.apply_error:
            notes.append(f"发起单位处理失败：{self.apply_error}")
        elif self.applied_at and self.status in (self.Status.CONFIRMED, self.Status.OBJECTED):
            notes.append("发起单位已处理")
        return f"{text}（{'；'.join(notes)}）" if notes else text

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.status == self.Status.PENDING and self.deadline is not None and self.deadline <= timezone.now()
