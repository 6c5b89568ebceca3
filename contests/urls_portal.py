"""The portal's 评比 (第十条): every contest once nominations opened, and its published results."""

from django.urls import path

from . import views_public as views

app_name = "contests_portal"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("<int:contest_id>/", views.contest_detail, name="detail"),
]
