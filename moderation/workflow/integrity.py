"""The rules that make "what the reviewers approved" and "what goes live" the same thing.

* Binding: every task of a workflow approves one revision; the finishing action
  publishes exactly that revision, and only if every task approved it and its
  content has not been overwritten since.
* Restart: a revision saved while a workflow is in progress (by whoever the lock
  still lets edit) cancels the current step and sends the page back to the first
  task, so every step sees the new content.
* Separation of duties (分工协作、分级负责): whoever wrote the content under review
  (the page's author, every user whose revision changed the content since it was
  last published, and whoever submitted it) approves no step of its workflow, and
  at least `Unit.min_distinct_people` different people stand between writing and
  publishing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from wagtail.log_actions import log
from wagtail.models import Revision, TaskState, WorkflowState

from sitepages.publishing import PublishProblem
from tenants.context import current_unit

SEPARATION_FIELD = "分工审核"
BINDING_FIELD = "审核版本"

# Keys of a page revision's content that record where the page is and what the
# platform did to it, not what its author wrote.
_BOOKKEEPING_KEYS = frozenset(
    {
        "pk",
        "path",
        "depth",
        "numchild",
        "url_path",
        "live",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "live_revision",
        "latest_revision",
        "latest_revision_created_at",
        "locked",
        "locked_at",
        "locked_by",
        "draft_title",
        "owner",
        "comments",
        "content_type",
        "locale",
        "translation_key",
        "expired",
        "alias_of",
        "last_confirmed_at",
        "last_confirmed_by",
    }
)
DEFAULT_MIN_DISTINCT_PEOPLE = 2


_BLOCK_KEY = re.compile(r'\s+data-block-key="[^"]*"')


def _normalised(value):
    """What a reader sees of a stored value: StreamField block ids and the editor's rich-text
    block keys change on every save without changing a word."""
    if isinstance(value, str):
        if value.startswith("[{"):
            try:
                return _normalised(json.loads(value))
            except ValueError:
                pass
        return _BLOCK_KEY.sub("", value)
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    if isinstance(value, dict):
        # Inline children keep their order in the list itself; their sort_order is None until
        # the editor's formset first numbers them.
        return {
            key: _normalised(item) for key, item in value.items() if not (key == "id" and "type" in value) and key != "sort_order"
        }
    return value


def _authored(content: dict) -> dict:
    return {key: _normalised(value) for key, value in (content or {}).items() if key not in _BOOKKEEPING_KEYS}


def _object_revisions(revision: Revision):
    return Revision.objects.filter(base_content_type_id=revision.base_content_type_id, object_id=revision.object_id)


def writer_ids(*, revision: Revision | None) -> set[int]:
    """Users who wrote the content of `revision`: the page's author, every user whose revision changed
    the content since it was last published, and whoever submitted it for review."""
    if revision is None:
        return set()
    page = revision.content_object
    writers: set[int] = {page.owner_id} if getattr(page, "owner_id", None) else set()
    # Read back from the database, also the revision in hand: its in-memory content holds Python
    # values (dates, decimals) that compare unequal to the stored JSON of the others.
    revisions = list(
        _object_revisions(revision)
        .filter(created_at__lte=revision.created_at)
        .exclude(pk=revision.pk)
        .order_by("created_at", "id")
        .only("id", "user_id", "content")
    ) + list(Revision.objects.filter(pk=revision.pk).only("id", "user_id", "content"))
    live_revision_id = getattr(page, "live_revision_id", None)
    live_index = max((i for i, item in enumerate(revisions[:-1]) if item.pk == live_revision_id), default=None)
    baseline = _authored(revisions[live_index].content) if live_index is not None else None
    window = revisions[(live_index + 1) if live_index is not None else 0 :]
    for item in window:
        authored = _authored(item.content)
        # Saving without changing anything (opening the editor, then 发布) writes nothing.
        if item.user_id and authored != baseline:
            writers.add(item.user_id)
        baseline = authored
    submitters = (
        WorkflowState.objects.filter(task_states__revision_id__in=[item.pk for item in window], requested_by__isnull=False)
        .values_list("requested_by_id", flat=True)
        .distinct()
    )
    writers.update(submitters)
    return writers


def is_writer_of_current_task(*, page, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    task_state = getattr(page, "current_workflow_task_state", None)
    revision = task_state.revision if task_state is not None else page.get_latest_revision()
    return user.pk in writer_ids(revision=revision)


def min_distinct_people() -> int:
    value = getattr(current_unit(), "min_distinct_people", None)
    return max(int(value or DEFAULT_MIN_DISTINCT_PEOPLE), DEFAULT_MIN_DISTINCT_PEOPLE)


def _people_problem(*, people: Iterable[int], minimum: int) -> list[PublishProblem]:
    count = len(set(people))
    if count >= minimum:
        return []
    return [
        PublishProblem(
            field=SEPARATION_FIELD,
            message=f"本单位规定从撰写到发布至少须经 {minimum} 名不同人员（当前仅 {count} 名），请提交其他人员审核",
        )
    ]


def separation_check(*, page, revision, user) -> list[PublishProblem]:
    """Publish check for every path with a person behind it (the edit view's 发布, a workflow's last approver).

    Paths without a user (scheduled publishing of an approved revision, imports) were checked when a
    person scheduled or approved them; the workflow's own check runs in the finishing action.
    """
    if user is None or revision is None or not getattr(user, "is_authenticated", False):
        return []
    writers = writer_ids(revision=revision)
    approvers = _approver_ids(revision=revision)
    if user.pk in writers and user.pk not in approvers:
        return [PublishProblem(field=SEPARATION_FIELD, message="您撰写或修改了该内容，不能由本人直接发布，请提交审核")]
    return _people_problem(people=writers | approvers | {user.pk}, minimum=min_distinct_people())


def _approver_ids(*, revision: Revision) -> set[int]:
    return set(
        TaskState.objects.filter(
            revision_id=revision.pk, status=TaskState.STATUS_APPROVED, finished_by__isnull=False
        ).values_list("finished_by_id", flat=True)
    )


def workflow_revision(*, workflow_state: WorkflowState) -> Revision | None:
    """The revision the workflow's last step approved: what its finishing action may publish."""
    task_state = workflow_state.current_task_state
    return task_state.revision if task_state is not None else None


def approval_problems(*, workflow_state: WorkflowState, revision: Revision | None) -> list[PublishProblem]:
    """Why the finishing action must not publish `revision` (empty when every rule holds)."""
    if revision is None:
        return [PublishProblem(field=BINDING_FIELD, message="工作流没有记录审核通过的版本")]
    page = workflow_state.content_object
    if page.get_latest_revision() is not None and page.get_latest_revision().pk != revision.pk:
        return [PublishProblem(field=BINDING_FIELD, message="审核期间内容已被修改，审核通过的不是最新版本，须重新审核")]
    states = list(
        TaskState.objects.filter(workflow_state=workflow_state, revision_id=revision.pk)
        .filter(status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_SKIPPED])
        .values("task_id", "started_at", "finished_by_id")
    )
    approved_tasks = {state["task_id"] for state in states if state["started_at"] >= revision.created_at}
    missing = [task.name for task in workflow_state.workflow.tasks.filter(active=True) if task.pk not in approved_tasks]
    if missing:
        return [PublishProblem(field=BINDING_FIELD, message=f"以下环节未审核通过当前版本：{'、'.join(missing)}")]
    writers = writer_ids(revision=revision)
    approvers = {state["finished_by_id"] for state in states if state["finished_by_id"]}
    if writers & approvers:
        return [PublishProblem(field=SEPARATION_FIELD, message="作者或修改人审核通过了自己撰写的内容")]
    return _people_problem(people=writers | approvers, minimum=min_distinct_people())


def restart_on_new_content(*, page, revision: Revision, user=None) -> bool:
    """Send an in-progress workflow back to its first task when content is saved during it."""
    workflow_state = WorkflowState.objects.active().for_instance(page).filter(status=WorkflowState.STATUS_IN_PROGRESS).first()
    if workflow_state is None or workflow_state.current_task_state_id is None:
        return False
    task_state = workflow_state.current_task_state.specific
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        return False
    if task_state.revision_id == revision.pk and revision.created_at <= task_state.started_at:
        return False
    log(
        instance=page,
        action="moderation.workflow_restarted",
        user=user,
        revision=revision,
        data={"task": task_state.task.name, "comment": f"在“{task_state.task.name}”环节修改了内容，从第一个环节重新审核"},
    )
    task_state.cancel(user=user, comment="审核期间内容被修改，从第一个环节重新审核")
    return True


def restart_receiver(sender, *, page, revision, user=None, **kwargs) -> None:
    restart_on_new_content(page=page, revision=revision, user=user)
