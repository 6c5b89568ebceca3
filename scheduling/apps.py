from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "定时发布"
    default_auto_field = "django.db.models.BigAutoField"
