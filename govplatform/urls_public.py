"""URLs of the public schema: the city portal and the information centre's admin."""

from django.conf import settings
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls

from portal.api import api as portal_api

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", portal_api.urls),
    path("", include("portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
