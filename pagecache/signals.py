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


def page_slug_changed(sender, instance, instance_before, **kwargs) -> None:
    """Published under a new slug (sent after commit): its old address goes too."""
    services.page_moved(page=instance, url_path_before=instance_before.url_path, url_path_after=instance.url_path)


def page_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A page row saved outside publishing (created live by code, a live page saved by code)."""
    if not isinstance(instance, Page):
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
