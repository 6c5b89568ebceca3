from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.RunListView.as_view(), name="runs"),
]
