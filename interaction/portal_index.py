"""Published replies in the portal index: one document per reply, never with personal data.

The document holds only the public version (公开标题, 公开的留言内容, 公开的答复内容),
which passed the PII scan before publication. Keys are `<schema>:hd-<case id>`, so
they never collide with pages (`<schema>:<page id>`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from search.backends.base import PortalDoc
from tenants.context import current_schema_name

PAGE_TYPE = "interaction_reply"
PAGE_TYPE_LABEL = "互动答复"
COLUMN_TITLE = "互动交流"


@dataclass
class ReplyDoc(PortalDoc):
    @property
    def key(self) -> str:
        return reply_key(schema_name=self.schema_name, case_id=self.page_id)


def reply_key(*, schema_name: str, case_id: int) -> str:
    return f"{schema_name}:hd-{case_id}"


def build_doc(*, case, unit) -> ReplyDoc:
    from .selectors import local_date
    from .services import _reply_url

    replied = local_date(case.answered_at) if case.answered_at else None
    return ReplyDoc(
        schema_name=current_schema_name(),
        page_id=case.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        column_path=[COLUMN_TITLE],
        column_title=COLUMN_TITLE,
        page_type=PAGE_TYPE,
        categories=["互动交流"],
        publish_date=replied,
        written_date=local_date(case.received_at),
        year=replied.year if replied else None,
        published_at=case.published_at,
        url=_reply_url(case),
        title=case.public_subject,
        summary=case.public_question[:120],
        body=f"{case.public_question}\n答复：{case.public_reply}",
        issuing_body=unit.name,
    )


def unit_documents(*, unit) -> Iterator[PortalDoc]:
    """Every published reply of the active unit schema (for rebuilds of the portal index)."""
    from .models import Case, Status

    for case in Case.objects.filter(status=Status.PUBLISHED).order_by("pk").iterator():
        yield build_doc(case=case, unit=unit)
