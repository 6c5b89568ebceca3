"""The 保密审查's publish check: whichever path publishes a page, its findings must have been released."""

from __future__ import annotations

from sitepages.publishing import PublishProblem

from .selectors import findings_summary, override_exists, publish_inspection

SECRECY_FIELD = "保密审查"


def secrecy_check(*, page, revision, user) -> list[PublishProblem]:
    inspection = publish_inspection(page)
    if inspection.clean:
        return []
    if page.pk and override_exists(
        page_id=page.pk, revision_id=getattr(revision, "pk", None), content_hash=inspection.content_hash
    ):
        return []
    return [
        PublishProblem(
            field=SECRECY_FIELD,
            message=f"发现 {len(inspection.findings)} 处需人工审查的内容，须经审核员人工放行后方可发布：{findings_summary(inspection.findings)}",
        )
    ]
