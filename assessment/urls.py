from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("schemes/create/", views.CreateSchemeView.as_view(), name="create_scheme"),
    path("schemes/<int:scheme_id>/open/", views.OpenRoundView.as_view(), name="open_round"),
    path("rounds/<int:round_id>/", views.RoundView.as_view(), name="round"),
    path("rounds/<int:round_id>/do/<str:action>/", views.RoundActionView.as_view(), name="round_action"),
    path("rounds/<int:round_id>/units/<str:code>/", views.UnitDetailView.as_view(), name="unit"),
    path("rounds/<int:round_id>/contests/", views.ContestsView.as_view(), name="contests"),
    path("rounds/<int:round_id>/approval/", views.ApprovalView.as_view(), name="approval"),
    path("rounds/<int:round_id>/changes/", views.ChangesView.as_view(), name="changes"),
    path("rounds/<int:round_id>/pdf/", views.RoundPdfView.as_view(), name="round_pdf"),
    path("scores/<int:score_id>/expert/", views.ExpertScoreView.as_view(), name="expert_score"),
    path("contests/<int:contest_id>/answer/", views.AnswerContestView.as_view(), name="answer"),
    path("mine/", views.UnitRunningView.as_view(), name="mine"),
    path("mine/<int:score_id>/self/", views.SelfAssessView.as_view(), name="self_assess"),
    path("mine/<int:score_id>/contest/", views.ContestView.as_view(), name="contest"),
    path("evidence/<int:score_id>/", views.EvidenceView.as_view(), name="evidence"),
]
