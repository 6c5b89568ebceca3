from django.apps import AppConfig


class ColumnsConfig(AppConfig):
    name = "columns"
    verbose_name = "栏目责任"
    default_auto_field = "django.db.models.BigAutoField"
