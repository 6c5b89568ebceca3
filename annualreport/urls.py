from django.urls import path

from . import views

app_name = "annualreport"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:year>/", views.ReportView.as_view(), name="report"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("overview/<str:code>/<int:year>/", views.CentreReportView.as_view(), name="centre_report"),
]
