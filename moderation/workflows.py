"""What happens when a workflow's last task is approved (settings.WAGTAIL_FINISH_WORKFLOW_ACTION)."""

from __future__ import annotations


def publish_approved_workflow_state(workflow_state, user=None) -> None:
    """Publish the approved page on behalf of the workflow.

    Wagtail's default publishes with the last approver's own permissions, so a
    分管领导 (who must not publish outside the workflow) could not finish it.
    The workflow the unit administrator configured is the authority here; the
    platform's publish checks (secrecy review, 会签) still run in Page.publish.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
