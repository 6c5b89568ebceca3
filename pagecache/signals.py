"""Signal receivers: thin, they hand the change to pagecache.services, which works out what to purge."""

from __future__ import annotations

from wagtail.models import Page

from . import services


def page_published(sender, instance, **kwargs) -> None:
    services.page_changed(page=instance)


def page_unpublished(sender, instance, **kwargs) -> None:
    services.page_changed(page=instance)


def page_moved(sender, instance, url_path_before, url_path_after, **kwargs) -> None:
    services.page_moved(page=instance, url_path_before=url_path_before, url_path_after=url_path_after)


def page_saving(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a page is saved with its slug: where it is now, in case the slug changed.

    Wagtail's page_slug_changed comes after the commit, when the unit's schema may no longer be active."""
    if isinstance(instance, Page) and instance.pk and (update_fields is None or "slug" in update_fields):
        instance._pagecache_url_path_before = Page.objects.filter(pk=instance.pk).values_list("url_path", flat=True).first()


def page_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A page row saved outside publishing (created live by code, a live page saved by code), or under a new slug."""
    if not isinstance(instance, Page):
        return
    before = instance.__dict__.pop("_pagecache_url_path_before", None)
    if before and before != instance.url_path:
        services.page_moved(page=instance, url_path_before=before, url_path_after=instance.url_path)
        return
    if created and not instance.live:
        return
    if update_fields and set(update_fields) <= services.DRAFT_ONLY_FIELDS:
        return
    services.page_changed(page=instance)


def page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        services.page_changed(page=instance, subtree=True, once_per_transaction=True)


def view_restriction_changed(sender, instance, **kwargs) -> None:
    """Made private, public again, or its password or groups changed: the page and everything below it."""
    page = Page.objects.filter(id=instance.page_id).first()
    if page is not None:
        services.page_changed(page=page, subtree=True)


def unit_home_changed(**kwargs) -> None:
    services.unit_home_changed()


def annual_report_changed(sender, instance, **kwargs) -> None:
    from tenants.models import Unit

    unit = Unit.objects.filter(id=instance.unit_id).first()
    if unit is not None:
        services.unit_home_changed(unit=unit)


def portal_changed(**kwargs) -> None:
    services.portal_changed()


def unit_changed(sender, instance, **kwargs) -> None:
    from tenants.hosts import unit_hostname

    services.registry_changed(hostnames={*instance.domains.values_list("domain", flat=True), unit_hostname(instance.code)})


def domain_changed(sender, instance, **kwargs) -> None:
    services.registry_changed(hostnames={instance.domain})


def cache_emptied(sender, cache, **kwargs) -> None:
    services.cache_emptied(cache=cache)
