from django.urls import path

from . import feeds, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_directory, name="units"),
    path("search/", views.search, name="search"),
    # One list per content type, newest first: the search page with that type and no words.
    path("list/<slug:page_type>/", views.list_view, name="list"),
    path("feeds/rss/", feeds.PortalFeed(), name="rss"),
    path("feeds/atom/", feeds.PortalAtomFeed(), name="atom"),
    path("api/docs", views.api_docs, name="api_docs"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-portal.xml", views.portal_sitemap, name="sitemap"),
]
