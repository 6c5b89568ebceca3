from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("", views.VoteLogView.as_view(), name="log"),
    path("counts/", views.CountsView.as_view(), name="counts"),
]
