"""What happens when a workflow's last task is approved (settings.WAGTAIL_FINISH_WORKFLOW_ACTION).

Wagtail imports this module while its own models are still loading (wagtail.models.WorkflowState.on_finish),
so it imports nothing at module level that needs them.
"""

from __future__ import annotations

from sitepages.publishing import PublishBlocked


def publish_approved_workflow_state(workflow_state, user=None) -> None:
    """Publish the revision the workflow approved, never simply "the latest".

    Wagtail's default publishes `get_latest_revision()` with the last approver's own
    permissions. Here the workflow the unit administrator configured is the
    authority (a 分管领导 has no publish permission of their own), so the revision
    must be the one every task approved, unchanged since, approved by people other
    than its writers; the platform's publish checks (secrecy review, 会签) still run
    in Page.publish. Raising rolls back the approval that finished the workflow.
    """
    # Imported here: Wagtail imports this module while its own models are still loading.
    from .integrity import approval_problems, workflow_revision

    revision = workflow_revision(workflow_state=workflow_state)
    problems = approval_problems(workflow_state=workflow_state, revision=revision)
    if problems:
        raise PublishBlocked(problems)
    revision.publish(user=user, skip_permission_checks=True)
