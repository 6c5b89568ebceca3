"""Reads of duties and audit: who holds each duty (第六条（七）) and every log entry of a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from tenants.context import public_schema, unit_schema
from tenants.models import Unit
from tenants.roles import UnitRole

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
    with public_schema():
        units = list(Unit.objects.sites())
    statuses = []
    for unit in units:
        with unit_schema(unit):
            statuses.append(duty_status(unit=unit))
    return statuses


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


CENTRE_AUDIT_NAME = "市信息中心（门户）"


def supervisor_read_rows(*, start: date, end: date) -> list[list[str]]:
    """The supervisor's (监察, 第四条) reads of the centre's admin, in the export's columns."""
    from tenants.models import SupervisorRead

    since, until = _day_bounds(start, end)
    rows = []
    with public_schema():
        reads = SupervisorRead.objects.filter(at__gte=since, at__lt=until).select_related("user").order_by("at", "id")
        for read in reads:
            page = read.path + (f"?{read.query}" if read.query else "")
            rows.append(
                [
                    CENTRE_AUDIT_NAME,
                    timezone.localtime(read.at).strftime("%Y-%m-%d %H:%M:%S"),
                    read.user.get_full_name() or read.user.get_username(),
                    "监察查看",
                    "后台页面",
                    "supervisor.read",
                    page,
                    "",
                ]
            )
    return rows


def platform_audit_rows(*, start: date, end: date) -> list[list[str]]:
    """Every unit's log, the information centre's own (public schema) log and the supervisor's reads."""
    with public_schema():
        units = list(Unit.objects.sites())
        rows: list[list[str]] = audit_rows(unit_name=CENTRE_AUDIT_NAME, start=start, end=end)
    for unit in units:
        with unit_schema(unit):
            rows += audit_rows(unit_name=unit.name, start=start, end=end)
    return rows + supervisor_read_rows(start=start, end=end)
