from django.urls import path

from . import views_public

app_name = "harvest_portal"
urlpatterns = [
    path("", views_public.index, name="index"),
    path("<slug:slug>/", views_public.section, name="section"),
]
