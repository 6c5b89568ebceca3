from django.http import HttpResponse
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site


def robots_txt(request):
    site = Site.find_for_request(request)
    root = site.root_url if site else ""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /documents/", f"Sitemap: {root}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    return wagtail_sitemap(request)
