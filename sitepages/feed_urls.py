from django.urls import path

from . import feeds

urlpatterns = [
    path("rss/", feeds.UnitFeed(), name="unit_rss"),
    path("atom/", feeds.UnitAtomFeed(), name="unit_atom"),
    path("column/<int:page_id>/rss/", feeds.ColumnFeed(), name="column_rss"),
    path("column/<int:page_id>/atom/", feeds.ColumnAtomFeed(), name="column_atom"),
]
