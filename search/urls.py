from django.urls import path

from . import views

app_name = "portal_index"

urlpatterns = [
    path("", views.OutboxView.as_view(), name="outbox"),
    path("retry/", views.RetryView.as_view(), name="retry_all"),
    path("<int:entry_id>/retry/", views.RetryView.as_view(), name="retry"),
]
