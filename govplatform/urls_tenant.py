"""URLs of a unit's sub-site (any host that resolves to a unit schema)."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from sitepages import views as sitepage_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", sitepage_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitepage_views.sitemap, name="sitemap"),
    path("feeds/", include("sitepages.feed_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
