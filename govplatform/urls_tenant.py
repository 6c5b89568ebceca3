"""URLs of a unit's sub-site (any host that resolves to a unit schema)."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from sitepages import views as sitepage_views
from tenants import media

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", sitepage_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitepage_views.sitemap, name="sitemap"),
    path("feeds/", include("sitepages.feed_urls")),
    path("hudong/", include("interaction.urls_site")),
    path("captcha/", include("captcha.urls")),
    path("zhangzhe/", include("accessibility.urls")),
    path("nianbao/", include("annualreport.urls_site")),
    # Only this unit's own media folder, and never its documents (tenants/media.py).
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media.serve_media, name="unit_media"),
    path("", include(wagtail_urls)),
]
