from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("links/", views.UnitBrokenLinksView.as_view(), name="unit_broken_links"),
    path("units/<str:code>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<str:code>/check/", views.RequestCheckView.as_view(), name="request_unit_check"),
    path("check/", views.RequestCheckView.as_view(), name="request_check"),
    path("report/", views.MonthlyReportView.as_view(), name="monthly_report"),
    path("columns/<int:page_id>/confirm/", views.ConfirmColumnView.as_view(), name="confirm_column"),
]
