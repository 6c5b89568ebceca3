"""The 会签 publish check: every named unit has confirmed exactly the content being published."""

from __future__ import annotations

from sitepages.publishing import PublishProblem

from ..secrecy.selectors import publish_inspection
from .selectors import confirmation_status, unit_names

CONFIRMATION_FIELD = "会签"


def confirmation_check(*, page, revision, user) -> list[PublishProblem]:
    if not page.pk:
        return []
    status = confirmation_status(page_id=page.pk, content_hash=publish_inspection(page).content_hash)
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
