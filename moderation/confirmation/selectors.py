"""Reads of 会签: a page's named units, the requests (public schema) and where they stand."""

from __future__ import annotations

from dataclasses import dataclass

from tenants.context import current_schema_name, public_schema
from tenants.models import Unit

from .models import DEFAULT_CONFIRMATION_WORKING_DAYS, ConfirmationRequest, ConfirmationTarget


def confirmation_targets(*, page_id: int) -> list[str]:
    return list(ConfirmationTarget.objects.filter(page_id=page_id).order_by("unit_code").values_list("unit_code", flat=True))


def confirmation_working_days(*, page_id: int) -> int:
    days = ConfirmationTarget.objects.filter(page_id=page_id).values_list("working_days", flat=True).first()
    return days or DEFAULT_CONFIRMATION_WORKING_DAYS


def latest_requests(*, source_schema: str, page_id: int) -> dict[str, ConfirmationRequest]:
    """Latest request per target unit for a page (public schema)."""
    with public_schema():
        rows = list(ConfirmationRequest.objects.filter(source_schema=source_schema, page_id=page_id).order_by("created_at", "id"))
    latest: dict[str, ConfirmationRequest] = {}
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
    latest = latest_requests(source_schema=source_schema or current_schema_name(), page_id=page_id) if targets else {}
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


def incoming_requests(*, unit_code: str, pending_only: bool = False) -> list[ConfirmationRequest]:
    with public_schema():
        queryset = ConfirmationRequest.objects.filter(target_unit_code=unit_code)
        if pending_only:
            queryset = queryset.filter(status=ConfirmationRequest.Status.PENDING)
        return list(queryset.order_by("-created_at")[:200])


def outgoing_requests(*, source_schema: str) -> list[ConfirmationRequest]:
    with public_schema():
        return list(ConfirmationRequest.objects.filter(source_schema=source_schema).order_by("-created_at")[:200])


def get_request(*, request_id: int) -> ConfirmationRequest | None:
    with public_schema():
        return ConfirmationRequest.objects.filter(pk=request_id).first()


def other_units(*, exclude_code: str | None) -> list[Unit]:
    with public_schema():
        units = Unit.objects.sites()
        if exclude_code:
            units = units.exclude(code=exclude_code)
        return list(units.only("code", "name", "schema_name"))


def unit_names(codes) -> dict[str, str]:
    with public_schema():
        return dict(Unit.objects.filter(code__in=list(codes)).values_list("code", "name"))


def schema_of(code: str) -> str:
    with public_schema():
        return Unit.objects.values_list("schema_name", flat=True).get(code=code)
