from django.urls import path

from . import feeds, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_directory, name="units"),
    path("search/", views.search, name="search"),
    path("feeds/rss/", feeds.PortalFeed(), name="rss"),
    path("feeds/atom/", feeds.PortalAtomFeed(), name="atom"),
    path("api/docs", views.api_docs, name="api_docs"),
]
