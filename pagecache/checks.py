"""System check: the page cache is only as fresh as its purges."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def purge_backend_configured(app_configs, **kwargs) -> list[Error]:
    if not getattr(settings, "PAGE_CACHE_ENABLED", False):
        return []
    configured = getattr(settings, "WAGTAILFRONTENDCACHE", None) or {}
    if any(options.get("BACKEND") == "pagecache.backends.DjangoCacheBackend" for options in configured.values()):
        return []
    return [
        Error(
            "页面缓存已启用，但 WAGTAILFRONTENDCACHE 中没有 pagecache.backends.DjangoCacheBackend：发布后缓存的页面不会被清除。",
            hint="在 WAGTAILFRONTENDCACHE 中加入该后端，或设置 PAGE_CACHE_ENABLED=0。",
            id="pagecache.E001",
        )
    ]
