"""网站考评专栏 on the portal (第八条): the landing page, the two-step vote, the published results."""

from django.urls import path

from . import views_public as views

app_name = "voting_portal"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("toupiao/", views.vote, name="vote"),
    path("queren/", views.confirm, name="confirm"),
    path("jieguo/<int:period_id>/", views.results, name="results"),
]
