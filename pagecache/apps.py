from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "页面缓存"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from annualreport.models import AnnualReport
        from govplatform.cache import cache_emptied
        from harvest.events import items_reviewed
        from harvest.models import HarvestedItem, HarvestSection
        from search.events import portal_index_changed
        from sitepages.models import HomepageDynamicSetting
        from tenants.models import Domain, Unit

        from . import checks, signals  # noqa: F401  (checks: the system check registers on import)

        _disconnect_wagtail_handlers()
        # A unit's pages (the signals fire in its schema). This app is installed last, so these run after the
        # caches the pages are built from (menus, home lists, view restrictions) have been forgotten.
        page_published.connect(signals.page_published, dispatch_uid="pagecache-published")
        page_unpublished.connect(signals.page_unpublished, dispatch_uid="pagecache-unpublished")
        post_page_move.connect(signals.page_moved, dispatch_uid="pagecache-moved")
        pre_save.connect(signals.page_saving, dispatch_uid="pagecache-page-saving")
        post_save.connect(signals.page_saved, dispatch_uid="pagecache-page-saved")
        post_delete.connect(signals.page_deleted, dispatch_uid="pagecache-page-deleted")
        for signal in (post_save, post_delete):
            signal.connect(
                signals.view_restriction_changed, sender=PageViewRestriction, dispatch_uid=f"pagecache-restriction-{signal}"
            )
        # The unit's home: its 首页动态信息 columns and its 年度报表 link.
        post_save.connect(signals.unit_home_changed, sender=HomepageDynamicSetting, dispatch_uid="pagecache-home-setting")
        m2m_changed.connect(
            signals.unit_home_changed, sender=HomepageDynamicSetting.columns.through, dispatch_uid="pagecache-home-columns"
        )
        for signal in (post_save, post_delete):
            signal.connect(signals.annual_report_changed, sender=AnnualReport, dispatch_uid=f"pagecache-annual-{signal}")
        # The portal: what portal.homepage forgets its blocks on (portal/apps.py), and the unit registry.
        portal_index_changed.connect(signals.portal_changed, dispatch_uid="pagecache-portal-index")
        items_reviewed.connect(signals.portal_changed, dispatch_uid="pagecache-harvest-review")
        for model in (HarvestedItem, HarvestSection):
            for signal in (post_save, post_delete):
                signal.connect(signals.portal_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}-{signal}")
        # The page cache emptied after an outage: every process forgets the counters it remembers.
        cache_emptied.connect(signals.cache_emptied, dispatch_uid="pagecache-emptied")
        for signal in (post_save, post_delete):
            signal.connect(signals.unit_changed, sender=Unit, dispatch_uid=f"pagecache-unit-{signal}")
            signal.connect(signals.domain_changed, sender=Domain, dispatch_uid=f"pagecache-domain-{signal}")


def _disconnect_wagtail_handlers() -> None:
    """wagtail.contrib.frontend_cache purges a published page through a queued task: it lands when a worker
    gets to it (perhaps before the commit), and only for the page itself. pagecache.signals purges
    synchronously after commit with the page's lists, home, sitemap and feeds."""
    from django.apps import apps
    from wagtail.contrib.frontend_cache import signal_handlers
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.disconnect(signal_handlers.page_published_signal_handler, sender=model)
            page_unpublished.disconnect(signal_handlers.page_unpublished_signal_handler, sender=model)
