"""Reads of the moderation app: scans, permissions, duties, queues, audit rows."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.services import UnitRole

from .secrecy import SecrecyScanner, UnsupportedDocument, mask_personal_numbers

UNSUPPORTED_KIND = "unsupported"
ATTACHMENT_LABEL = "附件"

# --- schema helpers -----------------------------------------------------------


def in_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


def current_unit():
    """The tenants.Unit whose schema is active (None in the public schema)."""
    if in_public_schema():
        return None
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "schema_name", None) == connection.schema_name and hasattr(tenant, "code"):
        return tenant
    from tenants.models import Unit

    schema_name = connection.schema_name
    with schema_context(get_public_schema_name()):
        return Unit.objects.get(schema_name=schema_name)


# --- permissions ------------------------------------------------------------


def _in_groups(user, *names: str) -> bool:
    return bool(user and user.is_authenticated and user.groups.filter(name__in=names).exists())


def user_can_override_secrecy(*, user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return _in_groups(user, UnitRole.REVIEWER) and user.has_perm("moderation.override_secrecy")


def user_can_review(*, user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or _in_groups(user, UnitRole.REVIEWER, UnitRole.ADMIN)))


def user_is_unit_admin(*, user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or _in_groups(user, UnitRole.ADMIN)))


def user_can_decide_confirmations(*, user) -> bool:
    """Who answers other units' requests: the unit's reviewers, leaders and administrators."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or _in_groups(user, UnitRole.REVIEWER, UnitRole.LEADER, UnitRole.HEAD, UnitRole.ADMIN))
    )


# --- sensitive words & scanning ---------------------------------------------

_scanner_lock = threading.Lock()
_scanner_cache: dict[str, tuple[tuple, SecrecyScanner]] = {}


def sensitive_word_version() -> tuple:
    with schema_context(get_public_schema_name()):
        from .models import SensitiveWord

        stats = SensitiveWord.objects.aggregate(count=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (stats["count"], stats["latest"], stats["top"])


def secrecy_scanner() -> SecrecyScanner:
    """The scanner for the current dictionary version; rebuilt only when the dictionary changed."""
    version = sensitive_word_version()
    with _scanner_lock:
        cached = _scanner_cache.get("scanner")
        if cached is not None and cached[0] == version:
            return cached[1]
    with schema_context(get_public_schema_name()):
        from .models import SensitiveWord

        words = list(SensitiveWord.objects.values_list("word", "note"))
    scanner = SecrecyScanner(sensitive_words=words)
    with _scanner_lock:
        _scanner_cache["scanner"] = (version, scanner)
    return scanner


def _specific(page):
    return getattr(page, "specific_deferred", page)


def page_text_fields(page) -> list[tuple[str, str]]:
    """(label, text) of everything a visitor can read on the page; derived from its model (page_fields)."""
    from .page_fields import page_texts

    return [(item.label, item.text) for item in page_texts(page=_specific(page))]


def page_documents(page) -> list:
    """Every document published with the page (page_fields.page_documents)."""
    from .page_fields import page_documents as documents_of

    return documents_of(page=_specific(page))


@dataclass
class PageInspection:
    findings: list[dict] = field(default_factory=list)
    content_hash: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    document_names: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def _read_document(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def inspect_page(page) -> PageInspection:
    """Scan a page (usually `revision.as_object()`) and fingerprint its content.

    The fingerprint covers every text and attachment the scan reads (keyed by
    field, not by label, so the admin's language does not change it), so an
    override or a confirmation recorded for one content never covers another.
    """
    from .page_fields import page_content

    scanner = secrecy_scanner()
    content = page_content(page=_specific(page))
    texts = content.texts
    fields = [(item.label, item.text) for item in texts]
    digest = hashlib.sha256()
    for item in texts:
        digest.update(item.key.encode())
        digest.update(b"\x1f")
        digest.update(item.text.encode())
        digest.update(b"\x1e")
    findings = [finding.as_dict() for finding in scanner.scan_fields(fields)]
    names = []
    for document in content.documents:
        name = document.file.name.rsplit("/", 1)[-1]
        title = str(document.title or "")
        # The label is stored and mailed with the findings: no personal number in full.
        label = f"{ATTACHMENT_LABEL}《{mask_personal_numbers(title)}》"
        names.append(title)
        data = _read_document(document)
        digest.update(b"\x1d")
        digest.update(title.encode())
        digest.update(hashlib.sha256(data).digest())
        # The title is the link text on the page.
        findings += [finding.as_dict() for finding in scanner.scan_text(title, field=f"{label}的标题")]
        try:
            findings += [finding.as_dict() for finding in scanner.scan_document(name=name, data=data, field=label)]
        except UnsupportedDocument as exc:
            # An attachment the scanner cannot read must be looked at by a person.
            findings.append(
                {
                    "kind": UNSUPPORTED_KIND, "label": "无法自动审查的附件", "field": label,
                    "start": 0, "end": 0, "match": "", "excerpt": mask_personal_numbers(exc.reason),
                    "detail": mask_personal_numbers(str(exc)),
                }
            )
    return PageInspection(findings=findings, content_hash=digest.hexdigest(), fields=fields, document_names=names)


def override_exists(*, page_id: int, revision_id: int | None, content_hash: str) -> bool:
    from .models import SecrecyOverride

    condition = Q(content_hash=content_hash)
    if revision_id:
        condition |= Q(revision_id=revision_id)
    return SecrecyOverride.objects.filter(condition, page_id=page_id).exists()


def overrides_for_page(*, page_id: int):
    from .models import SecrecyOverride

    return SecrecyOverride.objects.filter(page_id=page_id).select_related("user", "revision")


def findings_summary(findings: list[dict], *, limit: int = 5) -> str:
    parts = [f"{f['field']}第{f['start'] + 1}字起「{f['match'] or f['excerpt']}」（{f['label']}）" for f in findings[:limit]]
    more = f"等 {len(findings)} 处" if len(findings) > limit else ""
    return "；".join(parts) + more


# --- cross-unit confirmation --------------------------------------------------


def confirmation_targets(*, page_id: int) -> list[str]:
    from .models import ConfirmationTarget

    return list(ConfirmationTarget.objects.filter(page_id=page_id).order_by("unit_code").values_list("unit_code", flat=True))


def confirmation_working_days(*, page_id: int) -> int:
    from .models import DEFAULT_CONFIRMATION_WORKING_DAYS, ConfirmationTarget

    days = ConfirmationTarget.objects.filter(page_id=page_id).values_list("working_days", flat=True).first()
    return days or DEFAULT_CONFIRMATION_WORKING_DAYS


def latest_requests(*, source_schema: str, page_id: int) -> dict[str, "object"]:
    """Latest request per target unit for a page (public schema)."""
    from .models import ConfirmationRequest

    with schema_context(get_public_schema_name()):
        rows = list(ConfirmationRequest.objects.filter(source_schema=source_schema, page_id=page_id).order_by("created_at", "id"))
    latest: dict[str, object] = {}
    for row in rows:
        latest[row.target_unit_code] = row
    return latest


@dataclass
class ConfirmationStatus:
    targets: list[str]
    confirmed: list[str]
    pending: list[str]
    objected: list[tuple[str, str]]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return all(code in self.confirmed for code in self.targets)


def confirmation_status(*, page_id: int, content_hash: str, source_schema: str | None = None) -> ConfirmationStatus:
    targets = confirmation_targets(page_id=page_id)
    latest = latest_requests(source_schema=source_schema or connection.schema_name, page_id=page_id) if targets else {}
    confirmed, pending, objected, missing = [], [], [], []
    for code in targets:
        request = latest.get(code)
        if request is None or request.content_hash != content_hash or request.status == "withdrawn":
            missing.append(code)
        elif request.status == "confirmed":
            confirmed.append(code)
        elif request.status == "objected":
            objected.append((code, request.comment))
        else:
            pending.append(code)
    return ConfirmationStatus(targets=targets, confirmed=confirmed, pending=pending, objected=objected, missing=missing)


def incoming_requests(*, unit_code: str, pending_only: bool = False) -> list:
    from .models import ConfirmationRequest

    with schema_context(get_public_schema_name()):
        queryset = ConfirmationRequest.objects.filter(target_unit_code=unit_code)
        if pending_only:
            queryset = queryset.filter(status=ConfirmationRequest.Status.PENDING)
        return list(queryset.order_by("-created_at")[:200])


def outgoing_requests(*, source_schema: str) -> list:
    from .models import ConfirmationRequest

    with schema_context(get_public_schema_name()):
        return list(ConfirmationRequest.objects.filter(source_schema=source_schema).order_by("-created_at")[:200])


def get_request(*, request_id: int):
    from .models import ConfirmationRequest

    with schema_context(get_public_schema_name()):
        return ConfirmationRequest.objects.filter(pk=request_id).first()


def other_units(*, exclude_code: str | None) -> list:
    from tenants.models import Unit

    with schema_context(get_public_schema_name()):
        units = Unit.objects.sites()
        if exclude_code:
            units = units.exclude(code=exclude_code)
        return list(units.only("code", "name", "schema_name"))


def unit_names(codes) -> dict[str, str]:
    from tenants.models import Unit

    with schema_context(get_public_schema_name()):
        return dict(Unit.objects.filter(code__in=list(codes)).values_list("code", "name"))


# --- duties (第六条（七）) ------------------------------------------------------

MAX_EDITORS = 2


@dataclass
class DutyStatus:
    unit_code: str
    unit_name: str
    counts: dict[str, int]
    problems: list[str]
    min_distinct_people: int = 2

    @property
    def ok(self) -> bool:
        return not self.problems


def duty_problems(counts: dict[str, int]) -> list[str]:
    problems = []
    for role in (UnitRole.HEAD, UnitRole.LEADER, UnitRole.EDITOR):
        if counts.get(role, 0) == 0:
            problems.append(f"未明确{role}")
    if counts.get(UnitRole.EDITOR, 0) > MAX_EDITORS:
        problems.append(f"{UnitRole.EDITOR}超过 {MAX_EDITORS} 名（现有 {counts[UnitRole.EDITOR]} 名）")
    return problems


def duty_counts() -> dict[str, int]:
    """Active members per duty group in the current schema: one query."""
    rows = Group.objects.filter(name__in=[UnitRole.HEAD, UnitRole.LEADER, UnitRole.EDITOR]).annotate(
        members=Count("user", filter=Q(user__is_active=True))
    )
    return {row.name: row.members for row in rows}


def duty_status(*, unit) -> DutyStatus:
    counts = duty_counts()
    return DutyStatus(
        unit_code=unit.code,
        unit_name=unit.name,
        counts=counts,
        problems=duty_problems(counts),
        min_distinct_people=unit.min_distinct_people,
    )


def all_duty_statuses() -> list[DutyStatus]:
    from tenants.models import Unit

    with schema_context(get_public_schema_name()):
        units = list(Unit.objects.sites())
    statuses = []
    for unit in units:
        with schema_context(unit.schema_name):
            statuses.append(duty_status(unit=unit))
    return statuses


# --- 待我处理 ----------------------------------------------------------------


def task_states_for_user(*, user) -> list:
    from wagtail.models import TaskState

    states = TaskState.objects.reviewable_by(user).select_related("workflow_state", "task", "revision").order_by("-started_at")
    return list(states[:50])


# --- audit ------------------------------------------------------------------

AUDIT_HEADERS = ["单位", "时间", "操作人", "操作", "对象类型", "对象", "对象 ID", "意见/理由"]


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def _comment_of(entry) -> str:
    data = entry.data or {}
    return str(data.get("comment") or data.get("reason") or entry.comment or "")


def audit_rows(*, unit_name: str, start: date, end: date) -> list[list[str]]:
    """Every log entry of the current schema between two dates, oldest first."""
    from wagtail.models import ModelLogEntry, PageLogEntry

    since, until = _day_bounds(start, end)
    rows: list[tuple[datetime, list[str]]] = []
    for model in (PageLogEntry, ModelLogEntry):
        entries = model.objects.filter(timestamp__gte=since, timestamp__lt=until).select_related("user", "content_type")
        for entry in entries:
            local = timezone.localtime(entry.timestamp)
            rows.append(
                (
                    entry.timestamp,
                    [
                        unit_name,
                        local.strftime("%Y-%m-%d %H:%M:%S"),
                        str(entry.user_display_name),
                        str(entry.message),
                        str(entry.object_verbose_name),
                        entry.label,
                        str(entry.object_id()) if callable(entry.object_id) else str(entry.object_id),
                        _comment_of(entry),
                    ],
                )
            )
    rows.sort(key=lambda item: item[0])
    return [row for _, row in rows]


def platform_audit_rows(*, start: date, end: date) -> list[list[str]]:
    from tenants.models import Unit

    with schema_context(get_public_schema_name()):
        units = list(Unit.objects.sites())
    rows: list[list[str]] = []
    for unit in units:
        with schema_context(unit.schema_name):
            rows += audit_rows(unit_name=unit.name, start=start, end=end)
    return rows
