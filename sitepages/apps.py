from django.apps import AppConfig


class SitepagesConfig(AppConfig):
    name = "sitepages"
    verbose_name = "子站页面"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .attachments import connect_guards

        # Files of documents/images that live pages or pages under review use cannot be swapped.
        connect_guards()
