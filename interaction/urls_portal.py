"""Public URLs of 互动交流 on the portal: the city-wide entry (市长信箱 / 咨询投诉) and every unit's replies."""

from django.urls import path

from . import views_public as views

app_name = "interaction_portal"
urlpatterns = [
    path("", views.write, name="write"),
    path("chaxun/", views.query, name="query"),
    path("dafu/", views.replies, name="replies"),
    path("dafu/<int:case_id>/", views.reply, name="reply"),
    path("changjian/", views.faq, name="faq"),
]
