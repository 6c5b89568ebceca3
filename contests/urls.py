from django.urls import path

from . import views

app_name = "contests"

urlpatterns = [
    path("", views.ContestsView.as_view(), name="contests"),
    path("new/", views.ContestNewView.as_view(), name="contest_new"),
    path("<int:contest_id>/", views.ContestView.as_view(), name="contest"),
    path("<int:contest_id>/edit/", views.ContestEditView.as_view(), name="contest_edit"),
    path("jury/", views.JuryContestsView.as_view(), name="jury"),
    path("jury/<int:contest_id>/", views.JuryContestView.as_view(), name="jury_contest"),
    path("jury/<int:contest_id>/<int:nomination_id>/", views.JuryScoreView.as_view(), name="jury_score"),
    path("unit/", views.UnitContestsView.as_view(), name="unit_contests"),
    path("unit/<int:contest_id>/", views.UnitContestView.as_view(), name="unit_contest"),
]
