"""Writes of 互动交流: intake, the workflow with its actors, handovers, publication, the citizen's side, deadlines.

Every transition checks who acts (selectors.can_*), locks the case, writes the
audit log (Wagtail's ModelLogEntry: who and when) and, after commit, mails
whoever must act next. A refused step raises PermissionDenied or ValidationError
with a Chinese message; views turn them into messages, never a 500.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from govplatform.tasking import enqueue
from moderation.secrecy import UnsupportedDocument, mask_personal_numbers
from moderation.secrecy.selectors import secrecy_scanner
from tenants.context import current_schema_name, in_public_schema, public_schema, schema_named

from . import notifications, selectors
from .models import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    ExtensionRequest,
    Handover,
    Kind,
    PublishedReply,
    Rating,
    RefusalReason,
    Source,
    Status,
)

logger = logging.getLogger(__name__)

PUBLIC_SCHEMA = "public"

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NUMBER_LENGTH = 10
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "txt", "jpg", "jpeg", "png")
IMAGE_TYPES = ("jpg", "jpeg", "png")


# --- helpers -------------------------------------------------------------------


def _name(user) -> str:
    if user is None:
        return "系统"
    return (user.get_full_name() or "").strip() or user.get_username()


def _here():
    """The tenants.Unit row of the active schema (the portal's row in the public schema)."""
    from tenants.models import Unit

    schema = current_schema_name()
    with public_schema():
        return Unit.objects.get(schema_name=schema)


def _after_commit(callback) -> None:
    """Run `callback` after commit in the schema that is active now (mail goes to this unit's staff)."""
    schema = current_schema_name()

    def run() -> None:
        with schema_named(schema):
            callback()

    transaction.on_commit(run)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _locked(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise ValidationError("留言不存在")
    return case


def _expect(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.status not in tuple(allowed):
        raise ValidationError(f"留言 {case.number} 当前状态为“{case.get_status_display()}”，不能{action}")


def _log(case: Case, action: str, *, user=None, comment: str = "", **data) -> None:
    # Comments never carry personal numbers in full: the audit log is exported.
    log(instance=case, action=action, user=user, data={"comment": mask_personal_numbers(comment), **data})


def new_number() -> str:
    while True:
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not Case.objects.filter(number=number).exists():
            return number


def ensure_handler_group() -> Group:
    """The unit's 互动处理人 group (admin access), created at provisioning and on demand."""
    from tenants.services import _admin_access_permission

    group, _created = Group.objects.get_or_create(name=selectors.HANDLER_ROLE)
    group.permissions.add(_admin_access_permission())
    return group


# --- intake --------------------------------------------------------------------------


@dataclass
class Upload:
    name: str
    data: bytes


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_uploads(uploads: list[Upload]) -> None:
    """Chinese errors for attachments the platform does not take."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(f"最多上传 {MAX_ATTACHMENTS} 个附件")
    for upload in uploads:
        if _extension(upload.name) not in ATTACHMENT_TYPES:
            raise ValidationError(f"附件「{upload.name}」的格式不支持，请上传 {'、'.join(ATTACHMENT_TYPES)} 格式的文件")
        if len(upload.data) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(f"附件「{upload.name}」超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
        if not upload.data:
            raise ValidationError(f"附件「{upload.name}」是空文件")


def scan_upload(upload: Upload) -> list[dict]:
    """The secrecy/PII scan of an attachment, as page attachments are scanned (findings masked)."""
    label = f"附件《{mask_personal_numbers(upload.name)}》"
    if _extension(upload.name) in IMAGE_TYPES:
        return [
            {
                "kind": "unsupported",
                "label": "图片附件",
                "field": label,
                "start": 0,
                "end": 0,
                "match": "",
                "excerpt": "图片内容无法自动审查，请人工查看",
                "detail": "",
            }
        ]
    scanner = secrecy_scanner()
    try:
        return [finding.as_dict() for finding in scanner.scan_document(name=upload.name, data=upload.data, field=label)]
    except UnsupportedDocument as exc:
        return [
            {
                "kind": "unsupported",
                "label": "无法自动审查的附件",
                "field": label,
                "start": 0,
                "end": 0,
                "match": "",
                "excerpt": mask_personal_numbers(exc.reason),
                "detail": mask_personal_numbers(str(exc)),
            }
        ]


def _problem_page_id(url: str) -> int | None:
    """The id of the unit's own live page at `url`, so a 纠错 case links straight to its editor."""
    from urllib.parse import urlsplit

    from wagtail.models import Page, Site

    from tenants.models import Domain

    if not url or in_public_schema():
        return None
    parts = urlsplit(url)
    here = _here()
    with public_schema():
        own_hosts = set(Domain.objects.filter(tenant__schema_name=here.schema_name).values_list("domain", flat=True))
    if (parts.hostname or "").lower() not in own_hosts:
        return None
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    path = "/".join(component for component in (parts.path or "/").split("/") if component)
    url_path = site.root_page.url_path + (f"{path}/" if path else "")
    return Page.objects.filter(url_path=url_path).values_list("pk", flat=True).first()


def create_case(
    *,
    kind: str,
    subject: str,
    content: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    agree_publish: bool = True,
    source: str = Source.SITE,
    uploads: list[Upload] | None = None,
    problem_url: str = "",
    client_ip: str | None = None,
    external_ref: str = "",
    submitted_at: datetime | None = None,
    number: str = "",
    origin_unit_name: str = "",
    origin_handover_id: int | None = None,
    user=None,
) -> Case:
    """A new message in the active schema, its deadline from the unit's settings, its attachments scanned."""
    if kind not in Kind.values:
        raise ValidationError("请选择留言类型")
    uploads = uploads or []
    check_uploads(uploads)
    now = timezone.now()
    working_days = selectors.working_days_for(kind=kind)
    with transaction.atomic():
        case = Case.objects.create(
            number=number or new_number(),
            kind=kind,
            subject=subject.strip()[:120],
            content=content.strip(),
            name=name.strip(),
            phone=phone.strip(),
            email=email.strip(),
            agree_publish=agree_publish,
            source=source,
            problem_url=problem_url.strip(),
            problem_page_id=_problem_page_id(problem_url.strip()),
            client_ip=client_ip,
            external_ref=external_ref,
            received_at=now,
            submitted_at=submitted_at or now,
            working_days=working_days,
            deadline=selectors.deadline_for(received_at=now, working_days=working_days),
            origin_unit_name=origin_unit_name,
            origin_handover_id=origin_handover_id,
        )
        for upload in uploads:
            attachment = CaseAttachment(case=case, name=upload.name[:200], size=len(upload.data), findings=scan_upload(upload))
            attachment.file.save(upload.name, ContentFile(upload.data), save=False)
            attachment.save()
        origin = f"（{origin_unit_name}转来）" if origin_unit_name else ""
        _log(case, "interaction.received", user=user, comment=f"{Source(source).label}{origin}", source=source)
        _after_commit(lambda: notifications.notify_new_case(case=case))
    return case


def submit_case(**fields) -> Case:
    """A citizen's message through the site's or the portal's form."""
    case = create_case(**fields)
    _after_commit(lambda: notifications.notify_writer_received(case=case))
    return case


# --- the workflow ----------------------------------------------------------------------


@transaction.atomic
def accept_case(*, case_id: int, user, kind: str = "") -> Case:
    _require(selectors.can_dispatch(user=user), "只有审核员、分管领导或单位管理员可以受理留言")
    case = _locked(case_id)
    _expect(case, (Status.SUBMITTED,), "受理")
    if kind and kind != case.kind:
        if kind not in Kind.values:
            raise ValidationError("留言类型无效")
        case.kind = kind
        case.working_days = selectors.working_days_for(kind=kind)
        case.deadline = selectors.deadline_for(received_at=case.received_at, working_days=case.working_days)
    case.status = Status.ACCEPTED
    case.accepted_at = timezone.now()
    case.accepted_by = user
    case.save()
    _log(case, "interaction.accepted", user=user, comment=f"办理期限 {timezone.localtime(case.deadline):%Y-%m-%d}")
    return case


@transaction.atomic
def refuse_case(*, case_id: int, user, reason: str, note: str = "") -> Case:
    _require(selectors.can_dispatch(user=user), "只有审核员、分管领导或单位管理员可以决定不予受理")
    if reason not in RefusalReason.values:
        raise ValidationError("请从列表中选择不予受理的理由")
    note = (note or "").strip()
    if reason == RefusalReason.OTHER and not note:
        raise ValidationError("选择“其他”时必须说明理由")
    case = _locked(case_id)
    _expect(case, (Status.SUBMITTED,), "决定不予受理")
    case.status = Status.REFUSED
    case.refusal_reason = reason
    case.refusal_note = note
    case.accepted_by = user
    case.save()
    _log(case, "interaction.refused", user=user, comment=f"{RefusalReason(reason).label}{('：' + note) if note else ''}")
    _after_commit(lambda: notifications.notify_writer_status(case=case))
    return case


@transaction.atomic
def assign_case(*, case_id: int, user, handler_id: int) -> Case:
    _require(selectors.can_dispatch(user=user), "只有审核员、分管领导或单位管理员可以交办留言")
    handler = selectors.handlers().filter(pk=handler_id).first()
    if handler is None:
        raise ValidationError(f"请选择本单位的{selectors.HANDLER_ROLE}")
    case = _locked(case_id)
    _expect(case, (Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS), "交办")
    case.status = Status.ASSIGNED
    case.handler = handler
    case.assigned_at = timezone.now()
    case.started_at = None
    case.save()
    _log(case, "interaction.assigned", user=user, comment=f"交办给 {_name(handler)}", handler=handler.get_username())
    _after_commit(lambda: notifications.notify_assigned(case=case))
    return case


@transaction.atomic
def start_case(*, case_id: int, user) -> Case:
    case = _locked(case_id)
    _require(selectors.can_handle(user=user, case=case), "只有被交办的互动处理人可以办理该留言")
    _expect(case, (Status.ASSIGNED,), "开始办理")
    case.status = Status.IN_PROGRESS
    case.started_at = timezone.now()
    case.save()
    _log(case, "interaction.started", user=user)
    return case


@transaction.atomic
def submit_reply(*, case_id: int, user, reply: str) -> Case:
    case = _locked(case_id)
    _require(selectors.can_handle(user=user, case=case), "只有被交办的互动处理人可以答复该留言")
    _expect(case, (Status.ASSIGNED, Status.IN_PROGRESS), "提交答复")
    reply = (reply or "").strip()
    if len(reply) < 10:
        raise ValidationError("答复内容过短，请完整答复留言人的问题（至少 10 个字）")
    case.status = Status.REVIEW
    case.reply = reply
    case.reply_by = user
    case.reply_submitted_at = timezone.now()
    case.started_at = case.started_at or case.reply_submitted_at
    case.save()
    _log(case, "interaction.reply_submitted", user=user)
    _after_commit(lambda: notifications.notify_review_waiting(case=case))
    return case


@transaction.atomic
def review_reply(
    *, case_id: int, user, approve: bool, comment: str = "", publish: bool = True, not_public_reason: str = ""
) -> Case:
    """答复审核: approve (the writer sees the reply; then published, or withheld with a reason) or send back."""
    case = _locked(case_id)
    _expect(case, (Status.REVIEW,), "审核答复")
    _require(selectors.in_roles_review(user=user), "只有审核员或分管领导可以审核答复")
    _require(selectors.can_review(user=user, case=case), "撰写答复的人不能审核自己的答复")
    comment = (comment or "").strip()
    if not approve:
        if not comment:
            raise ValidationError("退回修改时必须填写审核意见")
        case.status = Status.IN_PROGRESS
        case.review_comment = comment
        case.save()
        _log(case, "interaction.reply_rejected", user=user, comment=comment)
        _after_commit(lambda: notifications.notify_reply_rejected(case=case))
        return case
    now = timezone.now()
    case.status = Status.ANSWERED
    case.review_comment = comment
    case.reviewed_by = user
    case.answered_at = now
    case.public_subject = case.public_subject or case.subject
    case.public_question = case.public_question or case.content
    case.public_reply = case.public_reply or case.reply
    case.save()
    _log(case, "interaction.answered", user=user, comment=comment)
    _after_commit(lambda: notifications.notify_writer_status(case=case))
    case.publication_problems = []
    if not publish:
        return withhold_case(case_id=case.pk, user=user, reason=not_public_reason)
    if not case.agree_publish:
        return withhold_case(case_id=case.pk, user=user, reason="留言人不同意公开")
    try:
        with transaction.atomic():
            return publish_case(case_id=case.pk, user=user)
    except ValidationError as exc:
        # The reply stands (the writer sees it); publication waits for a clean public version.
        _log(case, "interaction.publish_refused", user=user, comment="；".join(exc.messages))
        case.publication_problems = exc.messages
        return case


# --- publication ---------------------------------------------------------------------------


def publication_findings(*, case: Case, subject: str, question: str, reply: str) -> list[dict]:
    """The secrecy and PII scan of what would be published, plus the writer's own name, phone and e-mail."""
    fields = [("公开标题", subject), ("公开的留言内容", question), ("公开的答复内容", reply)]
    findings = [finding.as_dict() for finding in secrecy_scanner().scan_fields(fields)]
    own = [(case.name, "留言人姓名"), (case.phone, "留言人手机号码"), (case.email, "留言人电子邮箱")]
    for label, text in fields:
        for value, what in own:
            value = (value or "").strip()
            if len(value) >= 2 and value in text:
                start = text.index(value)
                findings.append(
                    {
                        "kind": "writer",
                        "label": what,
                        "field": label,
                        "start": start,
                        "end": start + len(value),
                        "match": mask_personal_numbers(value) if what != "留言人姓名" else value[0] + "*" * (len(value) - 1),
                        "excerpt": "",
                        "detail": "",
                    }
                )
    return findings


def findings_text(findings: list[dict], limit: int = 6) -> str:
    parts = [f"{f['field']}：{f['label']}「{f['match'] or f['excerpt']}」" for f in findings[:limit]]
    return "；".join(parts) + (f" 等 {len(findings)} 处" if len(findings) > limit else "")


@transaction.atomic
def publish_case(
    *,
    case_id: int,
    user,
    public_subject: str | None = None,
    public_question: str | None = None,
    public_reply: str | None = None,
    faq: bool | None = None,
) -> Case:
    """已公开: after the scan finds nothing in the public version; the portal lists it and indexes it."""
    case = _locked(case_id)
    _expect(case, (Status.ANSWERED, Status.NOT_PUBLISHED, Status.PUBLISHED), "公开")
    _require(selectors.in_roles_review(user=user), "只有审核员或分管领导可以决定公开")
    if not case.agree_publish:
        raise ValidationError("留言人不同意公开该留言，不能公开")
    subject = (public_subject if public_subject is not None else case.public_subject or case.subject).strip()
    question = (public_question if public_question is not None else case.public_question or case.content).strip()
    reply = (public_reply if public_reply is not None else case.public_reply or case.reply).strip()
    if not (subject and question and reply):
        raise ValidationError("公开标题、留言内容和答复内容都不能为空")
    findings = publication_findings(case=case, subject=subject, question=question, reply=reply)
    case.public_subject, case.public_question, case.public_reply = subject[:120], question, reply
    if faq is not None:
        case.faq = faq
    if findings:
        case.save(update_fields=["public_subject", "public_question", "public_reply", "faq"])
        raise ValidationError(f"公开内容含有个人信息或不宜公开的内容，请修改公开版本后再公开：{findings_text(findings)}")
    case.status = Status.PUBLISHED
    case.published_at = case.published_at or timezone.now()
    case.published_by = user
    case.not_public_reason = ""
    case.save()
    _log(case, "interaction.published", user=user)
    _write_published_reply(case=case)

    enqueue("interaction.tasks.index_reply", schema_name=current_schema_name(), case_id=case.pk)
    return case


@transaction.atomic
def withhold_case(*, case_id: int, user, reason: str) -> Case:
    """不公开 (with the reason), also for a reply already published: it leaves the lists and the portal."""
    case = _locked(case_id)
    _expect(case, (Status.ANSWERED, Status.PUBLISHED), "决定不公开")
    _require(selectors.in_roles_review(user=user), "只有审核员或分管领导可以决定不公开")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("决定不公开时必须填写理由")
    was_published = case.status == Status.PUBLISHED
    case.status = Status.NOT_PUBLISHED
    case.not_public_reason = reason
    case.published_by = user
    case.save()
    _log(case, "interaction.not_published", user=user, comment=reason)
    if was_published:
        _remove_published_reply(case=case)

        enqueue("interaction.tasks.unindex_reply", schema_name=current_schema_name(), case_id=case.pk)
    return case


@transaction.atomic
def set_faq(*, case_id: int, user, faq: bool) -> Case:
    case = _locked(case_id)
    _require(selectors.in_roles_review(user=user), "只有审核员或分管领导可以设置常见问题")
    _expect(case, (Status.PUBLISHED,), "列入常见问题")
    case.faq = faq
    case.save(update_fields=["faq"])
    _write_published_reply(case=case)
    _log(case, "interaction.faq", user=user, comment="列入常见问题" if faq else "移出常见问题")
    return case


def _reply_url(case: Case) -> str:
    from tenants.hosts import current_base_url

    return current_base_url() + notifications.public_reverse("reply", case.pk)


def _write_published_reply(*, case: Case) -> None:
    unit = _here()

    schema = current_schema_name()
    values = {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "kind": case.kind,
        "subject": case.public_subject,
        "question": case.public_question,
        "reply": case.public_reply,
        "received_on": selectors.local_date(case.received_at),
        "replied_on": selectors.local_date(case.answered_at or timezone.now()),
        "published_at": case.published_at,
        "url": _reply_url(case),
        "faq": case.faq,
    }
    with public_schema():
        PublishedReply.objects.update_or_create(schema_name=schema, case_id=case.pk, defaults=values)


def _remove_published_reply(*, case: Case) -> None:

    schema = current_schema_name()
    with public_schema():
        PublishedReply.objects.filter(schema_name=schema, case_id=case.pk).delete()


# --- extensions ------------------------------------------------------------------------------


@transaction.atomic
def request_extension(*, case_id: int, user, extra_days: int, reason: str) -> ExtensionRequest:
    case = _locked(case_id)
    _require(selectors.can_handle(user=user, case=case), "只有被交办的互动处理人可以申请延期")
    _expect(case, (Status.ASSIGNED, Status.IN_PROGRESS), "申请延期")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写延期理由")
    if not 1 <= int(extra_days) <= 30:
        raise ValidationError("延长的工作日须在 1 到 30 之间")
    if case.extensions.filter(state=ExtensionRequest.State.PENDING).exists():
        raise ValidationError("已有待审批的延期申请")
    extension = ExtensionRequest.objects.create(case=case, extra_days=extra_days, reason=reason, requested_by=user)
    _log(case, "interaction.extension_requested", user=user, comment=f"延长 {extra_days} 个工作日：{reason}")
    _after_commit(lambda: notifications.notify_extension_requested(case=case, extension=extension))
    return extension


@transaction.atomic
def decide_extension(*, extension_id: int, user, approve: bool, comment: str = "") -> ExtensionRequest:
    _require(selectors.can_decide_extension(user=user), "只有分管领导可以审批延期申请")
    extension = ExtensionRequest.objects.select_for_update().filter(pk=extension_id).first()
    if extension is None:
        raise ValidationError("延期申请不存在")
    if extension.state != ExtensionRequest.State.PENDING:
        raise ValidationError(f"该延期申请已{extension.get_state_display()}")
    case = _locked(extension.case_id)
    _require(extension.requested_by_id != user.pk, "申请人不能审批自己的延期申请")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError("不批准时必须填写意见")
    extension.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.comment = comment
    if approve:
        from workcalendar.selectors import work_calendar

        extension.old_deadline = case.deadline
        new_day = work_calendar().add_working_days(selectors.local_date(case.deadline), extension.extra_days)
        case.deadline = selectors.end_of_day(new_day)
        case.working_days += extension.extra_days
        # The reminders count towards the new deadline.
        case.reminded_half_at = case.reminded_late_at = case.overdue_notified_at = None
        case.save()
        extension.new_deadline = case.deadline
    extension.save()
    verdict = f"批准，新期限 {timezone.localtime(case.deadline):%Y-%m-%d}" if approve else f"不批准：{comment}"
    _log(case, "interaction.extension_decided", user=user, comment=verdict)
    _after_commit(lambda: notifications.notify_extension_decided(case=case, extension=extension))
    return extension


# --- handovers (转办 / 退回 / 找错转交) -------------------------------------------------------------------


def _unit_for_code(code: str):
    from tenants.models import Unit

    with public_schema():
        if code == "desk":
            return Unit.objects.filter(schema_name=PUBLIC_SCHEMA).first()
        return Unit.objects.sites().filter(code=code).first()


def _snapshot(case: Case) -> dict:
    attachments = []
    for attachment in case.attachments.all():
        with attachment.file.open("rb") as handle:
            attachments.append({"name": attachment.name, "data": base64.b64encode(handle.read()).decode()})
    return {
        "kind": case.kind,
        "subject": case.subject,
        "content": case.content,
        "name": case.name,
        "phone": case.phone,
        "email": case.email,
        "agree_publish": case.agree_publish,
        "problem_url": case.problem_url,
        "external_ref": case.external_ref,
        "submitted_at": case.submitted_at.isoformat(),
        "attachments": attachments,
        "source": case.source,
    }


@transaction.atomic
def hand_over(*, case_id: int, user, target_code: str, reason: str, type: str = Handover.Type.TRANSFER) -> Handover:
    """转办 to the responsible unit, or 退回 to the desk (target "desk"): a routing record with a snapshot."""
    _require(selectors.can_dispatch(user=user), "只有审核员、分管领导或单位管理员（或市信息中心受理台）可以转办或退回留言")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写转办或退回的理由")
    here = _here()
    if type == Handover.Type.RETURN:
        if in_public_schema():
            raise ValidationError("受理台的留言请转办给责任单位")
        target_code = "desk"
    target = _unit_for_code(target_code)
    if target is None:
        raise ValidationError(f"找不到单位「{target_code}」")
    if target.schema_name == here.schema_name:
        raise ValidationError("不能转办给本单位")
    case = _locked(case_id)
    _expect(case, (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS), "转办或退回")
    snapshot = _snapshot(case)
    with public_schema():
        record = Handover.objects.create(
            type=type,
            source_schema=here.schema_name,
            source_unit_code=here.code,
            source_unit_name=here.name,
            target_schema=target.schema_name,
            target_unit_code=target.code,
            target_unit_name=target.name,
            case_number=case.number,
            reason=reason,
            snapshot=snapshot,
            created_by=_name(user),
        )
    case.status = Status.RETURNED if type == Handover.Type.RETURN else Status.TRANSFERRED
    case.handed_to_code, case.handed_to_name, case.handover_id = target.code, target.name, record.pk
    case.save()
    what = "退回受理台" if type == Handover.Type.RETURN else f"{Handover.Type(type).label}至{target.name}"
    _log(case, "interaction.handed_over", user=user, comment=f"{what}：{reason}", target=target.code)
    enqueue("interaction.services.receive_handover", schema_name=target.schema_name, handover_id=record.pk)
    return record


def receive_handover(*, handover_id: int) -> Case | None:
    """Runs in the receiving schema: a case from the snapshot (same 查询码), then the snapshot's personal data is wiped."""

    record = selectors.handover(handover_id=handover_id)
    if record is None or record.target_schema != current_schema_name():
        return None
    with transaction.atomic():
        existing = Case.objects.select_for_update().filter(number=record.case_number).first()
        if existing is not None and existing.origin_handover_id == record.pk:
            case = existing
        elif existing is not None:
            # The message comes back to a unit (or the desk) that had handed it on: it is open here again.
            case = existing
            case.status = Status.SUBMITTED
            case.received_at = timezone.now()
            case.deadline = selectors.deadline_for(received_at=case.received_at, working_days=case.working_days)
            case.handler = None
            case.handed_to_code = case.handed_to_name = ""
            case.handover_id = None
            case.origin_unit_name, case.origin_handover_id = record.source_unit_name, record.pk
            case.reminded_half_at = case.reminded_late_at = case.overdue_notified_at = case.centre_notified_at = None
            case.save()
            _log(
                case, "interaction.received", comment=f"{record.get_type_display()}：{record.source_unit_name}（{record.reason}）"
            )
            _after_commit(lambda: notifications.notify_new_case(case=case))
        else:
            data = record.snapshot
            if not data:
                logger.warning("转交记录 %s 的快照已清除，无法接收", record.pk)
                return None
            uploads = [Upload(name=item["name"], data=base64.b64decode(item["data"])) for item in data.get("attachments", [])]
            if record.type == Handover.Type.NATIONAL:
                source = Source.NATIONAL
            elif record.type == Handover.Type.HOTLINE:
                source = Source.HOTLINE
            elif record.source_schema == PUBLIC_SCHEMA:
                source = data.get("source") or Source.PORTAL
            else:
                source = Source.HANDOVER
            case = create_case(
                kind=data["kind"],
                subject=data["subject"],
                content=data["content"],
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                agree_publish=data.get("agree_publish", True),
                source=source,
                uploads=uploads,
                problem_url=data.get("problem_url", ""),
                external_ref=data.get("external_ref", ""),
                submitted_at=datetime.fromisoformat(data["submitted_at"]),
                number=record.case_number,
                origin_unit_name=record.source_unit_name,
                origin_handover_id=record.pk,
            )
            _log(case, "interaction.handover_note", comment=f"{record.get_type_display()}理由：{record.reason}")
    with public_schema():
        now = timezone.now()
        # The writer's personal data stays only in the schema that now holds the case.
        Handover.objects.filter(pk=record.pk).update(
            state=Handover.State.RECEIVED,
            received_at=now,
            target_case_id=case.pk,
            snapshot_cleared_at=now,
            snapshot={key: value for key, value in record.snapshot.items() if key in ("kind", "source")},
        )
    return case


# --- the citizen's side ----------------------------------------------------------------------


@transaction.atomic
def rate_case(*, case_id: int, rating: str, comment: str = "") -> Case:
    if rating not in Rating.values:
        raise ValidationError("请选择满意、基本满意或不满意")
    case = _locked(case_id)
    if case.status not in ANSWERED_STATUSES:
        raise ValidationError("留言答复后才能评价")
    if case.rating:
        raise ValidationError("您已评价过该留言")
    case.rating = rating
    case.rating_comment = (comment or "").strip()[:500]
    case.rated_at = timezone.now()
    case.save()
    _log(case, "interaction.rated", comment=Rating(rating).label)
    if rating == Rating.UNSATISFIED:
        _after_commit(lambda: notifications.notify_unsatisfied(case=case))
    return case


@transaction.atomic
def follow_up(*, case_id: int, text: str) -> Case:
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError("追问内容过短（至少 5 个字）")
    case = _locked(case_id)
    if case.status not in ANSWERED_STATUSES:
        raise ValidationError("留言答复后才能追问")
    if case.followup_at is not None:
        raise ValidationError("每条留言只能追问一次")
    case.followup = text[:2000]
    case.followup_at = timezone.now()
    case.save()
    _log(case, "interaction.followed_up")
    _after_commit(lambda: notifications.notify_followup(case=case))
    return case


@transaction.atomic
def reply_followup(*, case_id: int, user, text: str) -> Case:
    case = _locked(case_id)
    _require(
        selectors.can_handle(user=user, case=case) or selectors.in_roles_review(user=user),
        "只有办理人、审核员或分管领导可以答复追问",
    )
    if case.followup_at is None or case.followup_replied_at is not None:
        raise ValidationError("该留言没有待答复的追问")
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError("追问答复过短")
    case.followup_reply = text
    case.followup_replied_at = timezone.now()
    case.followup_replied_by = user
    case.save()
    _log(case, "interaction.followup_replied", user=user)
    _after_commit(lambda: notifications.notify_writer_status(case=case))
    return case


# --- deadlines: reminders and escalation ----------------------------------------------------------


def _claim(case_id: int, field: str, now: datetime) -> bool:
    return bool(Case.objects.filter(pk=case_id, **{f"{field}__isnull": True}).update(**{field: now}))


def check_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Runs in a unit's schema (fanned out by check_all_units): 50 % and 80 % reminders, overdue, 60 days.

    Each is sent once per case (claimed with a conditional update), so overlapping
    runs never mail twice.
    """
    from .figures import CENTRE_ESCALATION_DAYS

    now = now or timezone.now()
    counts = {"half": 0, "late": 0, "overdue": 0, "centre": 0}
    for case in Case.objects.filter(status__in=OPEN_STATUSES).select_related("handler"):
        span = case.deadline - case.received_at
        elapsed = now - case.received_at
        if now > case.deadline:
            stage = "overdue"
        elif elapsed >= span * 0.8:
            stage = "late"
        elif elapsed >= span * 0.5:
            stage = "half"
        else:
            stage = ""
        if stage == "overdue" and _claim(case.pk, "overdue_notified_at", now):
            notifications.notify_overdue(case=case)
            counts["overdue"] += 1
        elif stage == "late" and _claim(case.pk, "reminded_late_at", now):
            # The 80 % reminder also stands for the 50 % one if the check first sees the case this late.
            Case.objects.filter(pk=case.pk, reminded_half_at__isnull=True).update(reminded_half_at=now)
            notifications.notify_reminder(case=case, percent=80)
            counts["late"] += 1
        elif stage == "half" and _claim(case.pk, "reminded_half_at", now):
            notifications.notify_reminder(case=case, percent=50)
            counts["half"] += 1
        escalate = (now - case.received_at).days >= CENTRE_ESCALATION_DAYS and not in_public_schema()
        if escalate and _claim(case.pk, "centre_notified_at", now):
            notifications.notify_centre_escalation(case=case, unit=_here())
            counts["centre"] += 1
    return counts


def check_all_units(*, now: datetime | None = None) -> int:
    """The schedule's entry (public schema): one deadline check per unit, in the unit's schema."""
    from tenants.selectors import directory_units

    with public_schema():
        schemas = list(directory_units().values_list("schema_name", flat=True))
        for schema in schemas:
            enqueue("interaction.services.check_deadlines", schema_name=schema, task_name=f"{schema}:interaction_deadlines")
    return len(schemas)


# --- staff-side intake (information centre, 12345) --------------------------------------------------


def register_national_case(
    *,
    user,
    target_code: str,
    problem_url: str,
    content: str,
    external_ref: str = "",
    subject: str = "",
    submitted_at: datetime | None = None,
) -> Case:
    """The centre enters a 找错 case from the national platform (public schema) and forwards it to the unit."""
    _require(selectors.is_desk() and selectors.can_dispatch(user=user), "只有市信息中心可以登记全国政府网站找错留言")
    if not (content or "").strip():
        raise ValidationError("请填写问题描述")
    if not (problem_url or "").strip():
        raise ValidationError("请填写问题网址")
    from django.core.validators import URLValidator

    URLValidator(message=f"问题网址「{problem_url.strip()}」格式不正确")(problem_url.strip())
    with transaction.atomic():
        case = create_case(
            kind=Kind.CORRECTION,
            subject=(subject or "网站纠错").strip(),
            content=content,
            source=Source.NATIONAL,
            problem_url=problem_url,
            external_ref=external_ref,
            submitted_at=submitted_at,
            user=user,
            agree_publish=False,
        )
        accept_case(case_id=case.pk, user=user)
        hand_over(
            case_id=case.pk,
            user=user,
            target_code=target_code,
            reason="全国政府网站“我为政府网站找错”平台转来",
            type=Handover.Type.NATIONAL,
        )
    case.refresh_from_db()
    return case


def users_named(usernames: Iterable[str]):
    return get_user_model().objects.filter(username__in=list(usernames))
