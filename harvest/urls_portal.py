from django.urls import path  # noqa: F401

app_name = "harvest_portal"
urlpatterns: list = []
