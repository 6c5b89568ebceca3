"""The portal's 通报 (第十一条): every published 通报, its page and its PDF."""

from django.urls import path

from . import views_public as views

app_name = "bulletins_portal"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("<int:bulletin_id>/", views.bulletin_detail, name="detail"),
    path("<int:bulletin_id>/pdf/", views.bulletin_pdf, name="pdf"),
]
