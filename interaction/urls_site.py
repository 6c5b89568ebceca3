"""Public URLs of 互动交流 on a unit's host (the form itself is the 互动渠道 page)."""

from django.urls import path

from . import views_public as views

app_name = "interaction_site"
urlpatterns = [
    path("", views.channel_redirect, name="write"),
    path("chaxun/", views.query, name="query"),
    path("dafu/", views.replies, name="replies"),
    path("dafu/<int:case_id>/", views.reply, name="reply"),
    path("changjian/", views.faq, name="faq"),
]
