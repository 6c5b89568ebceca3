"""Public URLs of the 年度报表 on a unit's host."""

from django.urls import path

from . import views_public as views

app_name = "annualreport_site"
urlpatterns = [
    path("", views.site_index, name="index"),
    path("<int:year>/", views.site_year, name="year"),
]
