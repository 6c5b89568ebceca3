from django.urls import path

from . import views

app_name = "harvest"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("review/", views.ReviewView.as_view(), name="review"),
    path("source/<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("source/<int:pk>/run/", views.RunNowView.as_view(), name="run_now"),
]
