from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """使用手册 and 常见问题 in both admins (第五条（二）), and the admin's Chinese where Wagtail gives no label."""

    name = "training"
    verbose_name = "培训与帮助"

    def ready(self) -> None:
        from . import admin_labels

        admin_labels.apply()
