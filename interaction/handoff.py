"""Exchange files: the 12345 hotline hand-off (CSV or JSON) and imports of national 找错 cases.

No network integration: a unit's dispatcher downloads the export and hands it to
the hotline, and imports the file the hotline sends back. The layout (one row or
JSON object per case, keys = the Chinese column names below) is documented in the
README and on the 12345 热线交换 screen.

Import, row by row (a bad row is reported with its number and skipped, the others
are taken):
* a row with a 查询码 of this unit updates that case: 工单编号, 办理结果, 回访时间,
  回访结果, 回访满意度;
* a row without 查询码 is a new work order dispatched by the hotline: a case of
  source 12345 is created (类型, 标题, 内容 required; 工单编号 must be new).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from govplatform.exports import escape_formula, unescape_formula

from . import selectors, services
from .models import Case, Kind, Outcome, Rating, Source, mobile_validator

COLUMNS = (
    "工单编号",
    "查询码",
    "单位代码",
    "类型",
    "标题",
    "内容",
    "姓名",
    "手机号码",
    "留言时间",
    "办理期限",
    "状态",
    "答复内容",
    "答复时间",
    "办理结果",
    "回访时间",
    "回访结果",
    "回访满意度",
)
OUTCOME_LABELS = {label: value for value, label in Outcome.choices}
RATING_LABELS = {label: value for value, label in Rating.choices}
KIND_LABELS = {label: value for value, label in Kind.choices}
NATIONAL_COLUMNS = ("单位代码", "找错编号", "问题网址", "问题描述", "提交日期")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _row(case: Case, unit_code: str) -> dict[str, str]:
    return {
        "工单编号": case.external_ref,
        "查询码": case.number,
        "单位代码": unit_code,
        "类型": case.get_kind_display(),
        "标题": case.subject,
        "内容": case.content,
        "姓名": case.name,
        "手机号码": case.phone,
        "留言时间": _local(case.submitted_at),
        "办理期限": timezone.localtime(case.deadline).strftime("%Y-%m-%d"),
        "状态": case.get_status_display(),
        "答复内容": case.reply if case.answered_at else "",
        "答复时间": _local(case.answered_at),
        "办理结果": case.get_outcome_display() if case.outcome else "",
        "回访时间": _local(case.revisit_at),
        "回访结果": case.revisit_result,
        "回访满意度": case.get_revisit_rating_display() if case.revisit_rating else "",
    }


def export_cases(*, fmt: str, since: date | None = None) -> tuple[bytes, str]:
    from tenants.context import current_unit

    unit = current_unit()
    code = unit.code if unit is not None else "www"
    cases = Case.objects.order_by("received_at", "id")
    if since is not None:
        cases = cases.filter(received_at__date__gte=since)
    rows = [_row(case, code) for case in cases]
    if fmt == "json":
        return json.dumps(
            {"layout": "zhuhai-interaction-12345/1", "cases": rows}, ensure_ascii=False, indent=1
        ).encode(), "application/json"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def _read_rows(*, name: str, data: bytes) -> list[dict[str, str]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError("文件超过 5 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("文件应为 UTF-8 编码的 CSV 或 JSON") from exc
    if name.lower().endswith(".json"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"JSON 格式错误（第 {exc.lineno} 行）") from exc
        rows = parsed.get("cases") if isinstance(parsed, dict) else parsed
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValidationError("JSON 应为对象数组，或含 cases 数组的对象")
        return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in rows]
    try:
        reader = csv.DictReader(io.StringIO(text))
        return [{(k or "").strip(): unescape_formula((v or "").strip()) for k, v in row.items()} for row in reader]
    except csv.Error as exc:
        raise ValidationError(f"CSV 格式错误：{exc}") from exc


def _moment(value: str, what: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return timezone.make_aware(datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise ValidationError(f"{what}「{value}」格式不正确（应为 2026-01-31 或 2026-01-31 09:30）")


def _choice(value: str, labels: dict[str, str], what: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if value not in labels:
        raise ValidationError(f"{what}「{value}」无效，应为 {'、'.join(labels)} 之一")
    return labels[value]


def import_hotline(*, user, name: str, data: bytes) -> ImportReport:
    if not selectors.can_dispatch(user=user):
        raise PermissionDenied("只有审核员、分管领导或单位管理员可以导入 12345 工单")
    report = ImportReport()
    try:
        rows = _read_rows(name=name, data=data)
    except ValidationError as exc:
        report.errors.append("；".join(exc.messages))
        return report
    for index, row in enumerate(rows, start=2 if not name.lower().endswith(".json") else 1):
        try:
            with transaction.atomic():
                created = _import_row(row, user=user)
        except ValidationError as exc:
            report.errors.append(f"第 {index} 行：{'；'.join(exc.messages)}")
            continue
        report.created += created
        report.updated += not created
    return report


def _import_row(row: dict[str, str], *, user) -> bool:
    number = (row.get("查询码") or "").strip().upper()
    outcome = _choice(row.get("办理结果", ""), OUTCOME_LABELS, "办理结果")
    revisit_rating = _choice(row.get("回访满意度", ""), RATING_LABELS, "回访满意度")
    revisit_at = _moment(row.get("回访时间", ""), "回访时间")
    external_ref = (row.get("工单编号") or "").strip()
    if number:
        case = Case.objects.select_for_update().filter(number=number).first()
        if case is None:
            raise ValidationError(f"本单位没有查询码为 {number} 的留言")
        case.external_ref = external_ref or case.external_ref
        case.outcome = outcome or case.outcome
        case.revisit_at = revisit_at or case.revisit_at
        case.revisit_result = (row.get("回访结果") or "").strip()[:500] or case.revisit_result
        case.revisit_rating = revisit_rating or case.revisit_rating
        case.save()
        services._log(
            case,
            "interaction.hotline_update",
            user=user,
            comment=f"12345 回传：{row.get('办理结果', '')} {row.get('回访满意度', '')}".strip(),
        )
        return False
    if not external_ref:
        raise ValidationError("新工单须有工单编号")
    if Case.objects.filter(external_ref=external_ref).exists():
        raise ValidationError(f"工单编号 {external_ref} 已导入")
    kind = _choice(row.get("类型", ""), KIND_LABELS, "类型")
    if not kind:
        raise ValidationError("请填写类型")
    subject, content = (row.get("标题") or "").strip(), (row.get("内容") or "").strip()
    if not subject or not content:
        raise ValidationError("标题和内容不能为空")
    phone = (row.get("手机号码") or "").strip()
    if phone:
        mobile_validator(phone)
    services.create_case(
        kind=kind,
        subject=subject,
        content=content,
        name=(row.get("姓名") or "").strip()[:40],
        phone=phone,
        source=Source.HOTLINE,
        external_ref=external_ref,
        submitted_at=_moment(row.get("留言时间", ""), "留言时间"),
        agree_publish=False,
        user=user,
    )
    return True


def import_national(*, user, name: str, data: bytes) -> ImportReport:
    """Rows of 单位代码, 找错编号, 问题网址, 问题描述, 提交日期: each is registered and forwarded (public schema)."""
    report = ImportReport()
    try:
        rows = _read_rows(name=name, data=data)
    except ValidationError as exc:
        report.errors.append("；".join(exc.messages))
        return report
    for index, row in enumerate(rows, start=2):
        try:
            with transaction.atomic():
                ref = (row.get("找错编号") or "").strip()
                if ref and Case.objects.filter(external_ref=ref, source=Source.NATIONAL).exists():
                    raise ValidationError(f"找错编号 {ref} 已登记")
                services.register_national_case(
                    user=user,
                    target_code=(row.get("单位代码") or "").strip(),
                    problem_url=(row.get("问题网址") or "").strip(),
                    content=row.get("问题描述") or "",
                    external_ref=ref,
                    submitted_at=_moment(row.get("提交日期", ""), "提交日期"),
                )
        except (ValidationError, PermissionDenied) as exc:
            report.errors.append(f"第 {index} 行：{'；'.join(getattr(exc, 'messages', [str(exc)]))}")
            continue
        report.created += 1
    return report
