from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "后台任务交接"
    default_auto_field = "django.db.models.BigAutoField"
