"""The active portal index backend: Elasticsearch when ELASTICSEARCH_URL is set, else PostgreSQL."""

from __future__ import annotations

from django.conf import settings

from .base import DocumentRejected, PortalSearchBackend, SearchBackendError  # noqa: F401


def get_backend() -> PortalSearchBackend:
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        from .elastic import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    from .postgres import PostgresBackend

    return PostgresBackend()
