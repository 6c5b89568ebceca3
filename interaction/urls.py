from django.urls import path

from . import views

app_name = "interaction"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("mine/", views.QueueView.as_view(), {"mine": True}, name="mine"),
    path("cases/<int:case_id>/", views.CaseView.as_view(), name="case"),
    path("cases/<int:case_id>/attachments/<int:attachment_id>/", views.AttachmentView.as_view(), name="attachment"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("overview/<str:code>/", views.UnitFiguresView.as_view(), name="unit_figures"),
    path("national/", views.NationalCasesView.as_view(), name="national"),
    path("hotline/", views.HotlineView.as_view(), name="hotline"),
    path("hotline/export/", views.HotlineExportView.as_view(), name="hotline_export"),
]
