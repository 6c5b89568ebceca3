from django.apps import AppConfig


class SitepagesConfig(AppConfig):
    name = "sitepages"
    verbose_name = "子站页面"
    default_auto_field = "django.db.models.BigAutoField"
