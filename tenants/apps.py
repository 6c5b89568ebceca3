from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "单位管理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers, signals  # noqa: F401
        from .caches import install_content_type_cache

        install_content_type_cache()
