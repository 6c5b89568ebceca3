from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("units/<str:code>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("report/", views.MonthlyReportView.as_view(), name="monthly_report"),
    path("columns/<int:page_id>/confirm/", views.ConfirmColumnView.as_view(), name="confirm_column"),
]
