from django.urls import path

from . import views

app_name = "columns"
urlpatterns = [
    path("import/", views.ImportView.as_view(), name="import"),
    path("download/", views.DownloadView.as_view(), name="download"),
]
