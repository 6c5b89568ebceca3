from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "审核发布"
    default_auto_field = "django.db.models.BigAutoField"
