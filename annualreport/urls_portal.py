"""Public URLs of the 年度报表 on the portal: every unit's published reports, by year."""

from django.urls import path

from . import views_public as views

app_name = "annualreport_portal"
urlpatterns = [
    path("", views.portal_index, name="index"),
    path("<int:year>/", views.portal_year, name="year"),
]
