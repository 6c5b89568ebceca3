from django.urls import path

from .confirmation import views as confirmation
from .duties import views as duties
from .secrecy import views as secrecy
from .workflow import views as workflow

app_name = "moderation"

urlpatterns = [
    path("tasks/", workflow.MyTasksView.as_view(), name="my_tasks"),
    path("pages/<int:page_id>/secrecy/", secrecy.PageSecrecyView.as_view(), name="page_secrecy"),
    path("pages/<int:page_id>/confirmation-units/", confirmation.PageTargetsView.as_view(), name="page_targets"),
    path("confirmations/", confirmation.ConfirmationListView.as_view(), name="confirmations"),
    path("confirmations/<int:request_id>/", confirmation.ConfirmationDetailView.as_view(), name="confirmation_detail"),
    path("audit/", duties.AuditExportView.as_view(), name="audit_export"),
    path("platform/audit/", duties.PlatformAuditExportView.as_view(), name="platform_audit_export"),
    path("platform/duties/", duties.DutyOverviewView.as_view(), name="duty_overview"),
]
