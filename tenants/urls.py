from django.urls import path

from . import views

app_name = "tenants"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="units"),
    path("new/", views.ProvisionView.as_view(), name="provision"),
    path("<str:code>/edit/", views.UnitEditView.as_view(), name="edit"),
]
