from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "审核发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from wagtail.signals import task_submitted, workflow_approved, workflow_rejected

        from wagtail.signals import workflow_cancelled

        from sitepages.models import ColumnListingPage
        from sitepages.publishing import content_revised, register_publish_check
        from tenants.signals import unit_provisioned

        from . import receivers
        from .checks import confirmation_check, secrecy_check
        from .integrity import restart_receiver, separation_check

        unit_provisioned.connect(receivers.create_workflows_on_provisioning, dispatch_uid="moderation.create_workflows")
        post_save.connect(
            receivers.assign_workflow_to_new_column, sender=ColumnListingPage, dispatch_uid="moderation.column_workflow"
        )
        task_submitted.connect(receivers.notify_on_task_submitted, dispatch_uid="moderation.notify_task_submitted")
        workflow_rejected.connect(receivers.notify_on_workflow_rejected, dispatch_uid="moderation.notify_rejected")
        workflow_approved.connect(receivers.notify_on_workflow_approved, dispatch_uid="moderation.notify_approved")
        workflow_cancelled.connect(receivers.withdraw_requests_on_cancel, dispatch_uid="moderation.withdraw_on_cancel")
        content_revised.connect(restart_receiver, dispatch_uid="moderation.restart_on_new_content")
        register_publish_check(secrecy_check)
        register_publish_check(confirmation_check)
        register_publish_check(separation_check)
        _silence_wagtail_workflow_mail()


def _silence_wagtail_workflow_mail() -> None:
    """Wagtail's own workflow mails link to the single WAGTAILADMIN_BASE_URL, i.e. the wrong
    host for every unit; moderation.notifications sends them in Chinese on the unit's own
    host instead. wagtail.admin connects its notifiers after this app is ready, so they are
    turned off on the notifier objects rather than disconnected."""
    from wagtail.admin import signal_handlers

    for notifier in (
        signal_handlers.task_submission_email_notifier,
        signal_handlers.workflow_submission_email_notifier,
        signal_handlers.workflow_approval_email_notifier,
        signal_handlers.workflow_rejection_email_notifier,
    ):
        notifier.can_handle = _never
def _never(*args, **kwargs) -> bool:
    return False
