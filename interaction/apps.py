from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "interaction"
    verbose_name = "互动交流"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from search.documents import register_document_source
        from tenants.signals import unit_provisioned

        from . import receivers
        from .portal_index import PAGE_TYPE, PAGE_TYPE_LABEL, unit_documents

        unit_provisioned.connect(receivers.create_handler_group, dispatch_uid="interaction.handler_group")
        register_document_source(page_type=PAGE_TYPE, label=PAGE_TYPE_LABEL, documents=unit_documents)
