from django.apps import AppConfig


class SitepagesConfig(AppConfig):
    name = "sitepages"
    verbose_name = "子站页面"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .attachments import connect_guards
        from .navigation import forget_navigation, forget_navigation_on_change

        # Files of documents/images that live pages or pages under review use cannot be swapped.
        connect_guards()
        # The cached menus of the unit whose pages change (the signal fires in that unit's schema).
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(forget_navigation, dispatch_uid=f"sitepages-navigation-{signal}")
        # A page row saved or deleted outside publishing (a move's bookkeeping, a page created live).
        post_save.connect(forget_navigation_on_change, dispatch_uid="sitepages-navigation-save")
        post_delete.connect(forget_navigation_on_change, dispatch_uid="sitepages-navigation-delete")
        # The unit's choice of homepage columns (设置 → 首页动态信息).
        from django.db.models.signals import m2m_changed

        from .models import HomepageDynamicSetting

        post_save.connect(forget_navigation, sender=HomepageDynamicSetting, dispatch_uid="sitepages-home-setting")
        m2m_changed.connect(
            forget_navigation, sender=HomepageDynamicSetting.columns.through, dispatch_uid="sitepages-home-columns"
        )
