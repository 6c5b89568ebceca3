"""Entry points of background work: they take ids and run in the unit's schema (govplatform.tasking)."""

from __future__ import annotations

from search.backends import get_backend
from tenants.context import current_schema_name, public_schema


def index_reply(*, case_id: int) -> bool:
    """Write (or remove) the portal document of one reply, as the case is now."""
    from .models import Case, Status
    from .portal_index import build_doc, reply_key
    from .services import _here

    schema = current_schema_name()
    case = Case.objects.filter(pk=case_id).first()
    doc = build_doc(case=case, unit=_here()) if case is not None and case.status == Status.PUBLISHED else None
    backend = get_backend()
    # The portal index lives in the public schema.
    with public_schema():
        if doc is None:
            backend.delete([reply_key(schema_name=schema, case_id=case_id)])
            return False
        backend.upsert([doc])
    return True


def unindex_reply(*, case_id: int) -> bool:
    return index_reply(case_id=case_id)


def check_all_units() -> int:
    """The schedule calls this in the public schema, without tasking's schema wrapper."""
    from .services import check_all_units as fan_out

    with public_schema():
        return fan_out()
