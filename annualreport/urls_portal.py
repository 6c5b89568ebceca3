from django.urls import path  # noqa: F401

app_name = "annualreport_portal"
urlpatterns: list = []
