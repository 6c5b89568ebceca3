from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "portalsearch"
    verbose_name = "门户检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from . import signals

        # A move is queued after it happened (post_page_move): the drain reads the
        # page's new place, so the state before the move is not needed.
        page_published.connect(signals.page_published, dispatch_uid="portalsearch_published")
        page_unpublished.connect(signals.page_unpublished, dispatch_uid="portalsearch_unpublished")
        post_page_move.connect(signals.page_moved, dispatch_uid="portalsearch_moved")
        post_delete.connect(signals.page_deleted, dispatch_uid="portalsearch_page_deleted")
        post_save.connect(
            signals.view_restriction_changed, sender=PageViewRestriction, dispatch_uid="portalsearch_restriction_saved"
        )
        post_delete.connect(
            signals.view_restriction_changed, sender=PageViewRestriction, dispatch_uid="portalsearch_restriction_deleted"
        )
