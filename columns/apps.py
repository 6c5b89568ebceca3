from django.apps import AppConfig


class ColumnsConfig(AppConfig):
    name = "columns"
    verbose_name = "栏目责任"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.signals import unit_provisioned

        from .receivers import build_tree_on_provisioning

        unit_provisioned.connect(build_tree_on_provisioning, dispatch_uid="columns.build_tree_on_provisioning")
