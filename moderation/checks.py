"""Publish checks: whichever path publishes a page, these must hold (see sitepages.publishing)."""

from __future__ import annotations

from sitepages.publishing import PublishProblem

from .selectors import PageInspection, confirmation_status, findings_summary, inspect_page, override_exists, unit_names

SECRECY_FIELD = "保密审查"
CONFIRMATION_FIELD = "会签"


def _inspection(page) -> PageInspection:
    # Both checks need the same scan; the page object is fresh per publish, so caching on it is safe.
    inspection = getattr(page, "_moderation_inspection", None)
    if inspection is None:
        inspection = inspect_page(page)
        page._moderation_inspection = inspection
    return inspection


def secrecy_check(*, page, revision, user) -> list[PublishProblem]:
    inspection = _inspection(page)
    if inspection.clean:
        return []
    if page.pk and override_exists(page_id=page.pk, revision_id=getattr(revision, "pk", None), content_hash=inspection.content_hash):
        return []
    return [
        PublishProblem(
            field=SECRECY_FIELD,
            message=f"发现 {len(inspection.findings)} 处需人工审查的内容，须经审核员人工放行后方可发布：{findings_summary(inspection.findings)}",
        )
    ]


def confirmation_check(*, page, revision, user) -> list[PublishProblem]:
    if not page.pk:
        return []
    status = confirmation_status(page_id=page.pk, content_hash=_inspection(page).content_hash)
    if status.complete:
        return []
    names = unit_names(status.targets)
    waiting = [names.get(code, code) for code in status.pending + status.missing]
    objected = [f"{names.get(code, code)}（{comment}）" for code, comment in status.objected]
    parts = []
    if waiting:
        parts.append("待确认：" + "、".join(waiting))
    if objected:
        parts.append("有异议：" + "、".join(objected))
    return [PublishProblem(field=CONFIRMATION_FIELD, message="会签单位尚未全部确认本内容，" + "；".join(parts))]
