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
    path("zhangzhe/", include("accessibility.urls")),
    # 网站考评专栏 (第八条) and what the 考评 publishes: results, 评比, 通报, every unit's 年度报表.
    path("kaoping/", include("voting.urls_portal")),
    path("kaohe/", include("assessment.urls_portal")),
    path("pingbi/", include("contests.urls_portal")),
    path("tongbao/", include("bulletins.urls_portal")),
    path("nianbao/", include("annualreport.urls_portal")),
    path("zhuanzai/", include("harvest.urls_portal")),
    # The public schema's own media folder only: no unit's files on the portal host.
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media.serve_media, name="portal_media"),
    path("", include("portal.urls")),
]
