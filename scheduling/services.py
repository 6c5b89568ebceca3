"""Wagtail's scheduled publishing, per unit, recorded for the information centre.

Wagtail keeps `go_live_at` and `expire_at` but acts on them only when its
`publish_scheduled` command runs. A minute schedule (migration 0002) calls
run_for_all_units in the public schema, which queues one task per unit; the
task (run_unit) does what the command does inside the unit's schema, one page
at a time in its own savepoint:

- a live page whose expire_at has passed is unpublished as expired (Wagtail's
  page_unpublished signal queues its removal from the portal index);
- a revision whose approved go-live time has passed is published. The
  platform's page types run the publish checks there (sitepages.publishing:
  required fields, secrecy review, 会签); a refused go-live is recorded with
  its reason and retried by the next run, so it goes live as soon as the
  reason is cleared (a reviewer's release, a confirmation).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from govplatform.tasking import enqueue
from sitepages.publishing import PublishBlocked
from tenants.context import schema_named
from tenants.models import Unit
from tenants.selectors import directory_units

from .models import ScheduledPublishRun

logger = logging.getLogger(__name__)

# Runs that found nothing due are kept this long: evidence that the schedule
# runs, without a row per unit per minute for ever.
IDLE_RUN_RETENTION = dt.timedelta(hours=2)
TASK = "scheduling.tasks.run_unit"


@dataclass
class UnitOutcome:
    published: list[dict] = field(default_factory=list)
    expired: list[dict] = field(default_factory=list)
    blocked: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return not (self.published or self.expired or self.blocked or self.errors)


def _reason(error: PublishBlocked | ValidationError) -> str:
    if isinstance(error, PublishBlocked):
        return "；".join(f"{problem.field}：{problem.message}" for problem in error.problems)
    return "；".join(error.messages)


def publish_due(*, now: dt.datetime) -> UnitOutcome:
    """Expire and publish what is due in the active unit schema (Wagtail's publish_scheduled, page by page).

    Rows are locked with SKIP LOCKED, so two runs of one unit that overlap
    never publish or unpublish the same page twice.
    """
    outcome = UnitOutcome()
    expired = Page.objects.select_for_update(skip_locked=True).filter(live=True, expire_at__lt=now).order_by("expire_at")
    for page in list(expired):
        try:
            with transaction.atomic():
                page.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
        except DatabaseError as error:
            outcome.errors.append(f"《{page.title}》（{page.id}）到期下线失败：{type(error).__name__}: {error}")
            continue
        outcome.expired.append({"page_id": page.id, "title": page.title})
    due = Revision.objects.select_for_update(skip_locked=True).filter(approved_go_live_at__lt=now)
    for revision in list(due.order_by("approved_go_live_at")):
        object_id = revision.object_id
        item = {"page_id": int(object_id) if str(object_id).isdigit() else object_id, "title": revision.object_str}
        try:
            with transaction.atomic():
                # The same call as the command's: the object's publish(), which
                # for platform pages runs the publish checks first.
                revision.publish(log_action="wagtail.publish.scheduled")
        except (PublishBlocked, ValidationError) as blocked:
            outcome.blocked.append({**item, "reason": _reason(blocked)})
            continue
        except DatabaseError as error:
            outcome.errors.append(f"《{item['title']}》（{item['page_id']}）到期上线失败：{type(error).__name__}: {error}")
            continue
        outcome.published.append(item)
    return outcome


def run_unit(*, unit_id: int) -> ScheduledPublishRun:
    """One unit's scheduled publishing, recorded as a ScheduledPublishRun (public schema)."""
    unit = Unit.objects.get(pk=unit_id)
    started = timezone.now()
    run = ScheduledPublishRun.objects.create(unit=unit, started_at=started)
    try:
        with transaction.atomic(), schema_named(unit.schema_name):
            outcome = publish_due(now=started)
    except DatabaseError as error:
        logger.exception("定时发布失败：%s", unit.code)
        outcome = UnitOutcome(errors=[f"{type(error).__name__}: {error}"])
    run.published = len(outcome.published)
    run.expired = len(outcome.expired)
    run.blocked = outcome.blocked
    run.pages = {"published": outcome.published, "expired": outcome.expired}
    run.error = "\n".join(outcome.errors)[:5000]
    run.idle = outcome.idle
    run.finished_at = timezone.now()
    run.save()
    return run


def run_for_all_units() -> int:
    """Queue one run_unit task per unit (after commit); returns how many were queued."""
    ScheduledPublishRun.objects.filter(idle=True, started_at__lt=timezone.now() - IDLE_RUN_RETENTION).delete()
    unit_ids = list(directory_units().values_list("pk", flat=True))
    for unit_id in unit_ids:
        enqueue(TASK, schema_name="public", task_name=f"scheduling:publish:{unit_id}", unit_id=unit_id)
    return len(unit_ids)
