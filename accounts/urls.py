from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("otp/", views.StatusView.as_view(), name="otp_status"),
    path("otp/verify/", views.VerifyView.as_view(), name="otp_verify"),
    path("otp/enrol/", views.EnrolView.as_view(), name="otp_enrol"),
    path("otp/backup-codes/", views.BackupCodesView.as_view(), name="otp_backup_codes"),
    path("logins/", views.LoginsView.as_view(), name="logins"),
]
