from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("manual/<slug:role>/", views.ManualView.as_view(), name="manual"),
    path("faq/", views.FaqView.as_view(), name="faq"),
]
