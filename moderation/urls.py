from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path("pages/<int:page_id>/secrecy/", views.PageSecrecyView.as_view(), name="page_secrecy"),
    path("pages/<int:page_id>/confirmation-units/", views.PageTargetsView.as_view(), name="page_targets"),
    path("confirmations/", views.ConfirmationListView.as_view(), name="confirmations"),
    path("confirmations/<int:request_id>/", views.ConfirmationDetailView.as_view(), name="confirmation_detail"),
    path("audit/", views.AuditExportView.as_view(), name="audit_export"),
    path("platform/audit/", views.PlatformAuditExportView.as_view(), name="platform_audit_export"),
    path("platform/duties/", views.DutyOverviewView.as_view(), name="duty_overview"),
]
