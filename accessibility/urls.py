from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [path("", views.switch, name="switch")]
