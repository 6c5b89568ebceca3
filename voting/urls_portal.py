from django.urls import path  # noqa: F401

app_name = "voting_portal"
urlpatterns: list = []
