from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "portalsearch"
    verbose_name = "门户检索"
    default_auto_field = "django.db.models.BigAutoField"
