from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "市政府门户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from harvest.events import items_reviewed
        from harvest.models import HarvestedItem, HarvestSection
        from search.events import portal_index_changed
        from tenants.models import Domain, Unit

        from .homepage import forget_home

        # What the cached home shows (portal.homepage): the index, the unit directory, harvested sections.
        portal_index_changed.connect(forget_home, dispatch_uid="portal-home-index")
        items_reviewed.connect(forget_home, dispatch_uid="portal-home-harvest-review")
        for model in (Unit, Domain, HarvestedItem, HarvestSection):
            post_save.connect(forget_home, sender=model, dispatch_uid=f"portal-home-save-{model.__name__}")
            post_delete.connect(forget_home, sender=model, dispatch_uid=f"portal-home-delete-{model.__name__}")
