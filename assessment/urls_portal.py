"""Public URLs of the yearly assessment on the portal (/kaohe/)."""

from django.urls import path

from . import views_public as views

app_name = "assessment_portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year, name="year"),
    path("<int:year>/tongbao.pdf", views.bulletin_pdf, name="pdf"),
    path("<int:year>/<str:code>/", views.unit, name="unit"),
]
