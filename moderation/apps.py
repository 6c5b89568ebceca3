from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """审核发布, by feature: workflow/ (tasks, integrity, finishing action), secrecy/ (保密审查),
    confirmation/ (会签) and duties/ (duty holders, audit export). Their models are gathered in
    moderation.models under the one app label `moderation`."""

    name = "moderation"
    verbose_name = "审核发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once every app's models are loaded: the receivers reach sitepages' models.
        from django.db.models.signals import post_save
        from wagtail.signals import task_submitted, workflow_approved, workflow_cancelled, workflow_rejected

        from sitepages.models import ColumnListingPage
        from sitepages.publishing import content_revised, register_publish_check
        from tenants.signals import unit_provisioned

        from .confirmation import receivers as confirmation_receivers
        from .confirmation.checks import confirmation_check
        from .secrecy.checks import secrecy_check
        from .workflow import receivers as workflow_receivers
        from .workflow.integrity import restart_receiver, separation_check

        unit_provisioned.connect(workflow_receivers.create_workflows_on_provisioning, dispatch_uid="moderation.create_workflows")
        post_save.connect(
            workflow_receivers.assign_workflow_to_new_column, sender=ColumnListingPage, dispatch_uid="moderation.column_workflow"
        )
        task_submitted.connect(workflow_receivers.notify_on_task_submitted, dispatch_uid="moderation.notify_task_submitted")
        workflow_rejected.connect(workflow_receivers.notify_on_workflow_rejected, dispatch_uid="moderation.notify_rejected")
        workflow_approved.connect(workflow_receivers.notify_on_workflow_approved, dispatch_uid="moderation.notify_approved")
        workflow_cancelled.connect(
            confirmation_receivers.withdraw_requests_on_cancel, dispatch_uid="moderation.withdraw_on_cancel"
        )
        content_revised.connect(restart_receiver, dispatch_uid="moderation.restart_on_new_content")
        register_publish_check(secrecy_check)
        register_publish_check(confirmation_check)
        register_publish_check(separation_check)
        _silence_wagtail_workflow_mail()


def _silence_wagtail_workflow_mail() -> None:
    """Wagtail's own workflow mails link to the single WAGTAILADMIN_BASE_URL, i.e. the wrong
    host for every unit; moderation's notifications send them in Chinese on the unit's own
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
