from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "监测考评"
    default_auto_field = "django.db.models.BigAutoField"
