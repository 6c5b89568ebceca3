"""Signal receivers: thin, they only queue the page ids in the outbox (search.services)."""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.models import Page

from . import services
from .models import OutboxAction


def page_published(sender, instance, **kwargs) -> None:
    from sitepages.models import ColumnPage

    if isinstance(instance, ColumnPage):
        # The column's title and 政务公开类别 are part of every item document below it.
        services.record_subtree_changes(page_id=instance.id, action=OutboxAction.UPSERT)
    else:
        services.record_page_changes(page_ids=[instance.id], action=OutboxAction.UPSERT)


def page_unpublished(sender, instance, **kwargs) -> None:
    services.record_page_changes(page_ids=[instance.id], action=OutboxAction.DELETE)


def page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        services.record_page_changes(page_ids=[instance.id], action=OutboxAction.DELETE)


def page_moved(sender, instance, **kwargs) -> None:
    # Column path, 政务公开类别 and privacy may all change for the moved subtree.
    services.record_subtree_changes(page_id=instance.id, action=OutboxAction.UPSERT)


def view_restriction_changed(sender, instance, signal=None, **kwargs) -> None:
    # A restriction added or changed hides the subtree: queued as removals,
    # which the drain writes before any upsert. Lifting one may publish it again.
    action = OutboxAction.DELETE if signal is post_save else OutboxAction.UPSERT
    services.record_subtree_changes(page_id=instance.page_id, action=action)
