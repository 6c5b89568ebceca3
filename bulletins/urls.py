from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.CasesView.as_view(), name="cases"),
    path("cases/<int:case_id>/", views.CaseView.as_view(), name="case"),
    path("tongbao/", views.BulletinsView.as_view(), name="bulletins"),
    path("tongbao/new/", views.BulletinNewView.as_view(), name="bulletin_new"),
    path("tongbao/<int:bulletin_id>/", views.BulletinView.as_view(), name="bulletin"),
    path("tongbao/<int:bulletin_id>/pdf/", views.BulletinPreviewView.as_view(), name="bulletin_pdf"),
    path("unit/", views.UnitCasesView.as_view(), name="unit_cases"),
    path("unit/<int:case_id>/", views.UnitCaseView.as_view(), name="unit_case"),
]
