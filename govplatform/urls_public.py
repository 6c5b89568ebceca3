"""URLs of the public schema: the city portal and the information centre's admin."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail.admin import urls as wagtailadmin_urls

from portal.api import api as portal_api
from tenants import media

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", portal_api.urls),
    path("hudong/", include("interaction.urls_portal")),
    path("captcha/", include("captcha.urls")),
    # The public schema's own media folder only: no unit's files on the portal host.
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media.serve_media, name="portal_media"),
    path("", include("portal.urls")),
]
