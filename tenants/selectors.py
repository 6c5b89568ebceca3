"""Reads on the unit registry (public schema)."""

from __future__ import annotations

from .models import Unit


def directory_units():
    return Unit.objects.sites().exclude(unit_type="template").order_by("sort_order", "id")


def unit_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def unit_by_name(*, name: str) -> Unit | None:
    """The unit called `name` today, or the one that had (or has as an alias) that name."""
    unit = Unit.objects.sites().filter(name=name).first()
    if unit is not None:
        return unit
    return Unit.objects.sites().filter(aliases__name=name).first()


def schemas_behind(*, schema_names: list[str] | None = None) -> dict[str, list[str]]:
    """Each schema with migrations of its apps not yet applied there ("app.0003_name"); up-to-date ones left out.

    What a release checks after `migrate_schemas --tenant` (deploy/README.md): a unit whose migration
    failed in the parallel run is listed, instead of being found by its editors.
    """
    from django.apps import apps as django_apps
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)

    def expected(schema: str) -> set[tuple[str, str]]:
        installed = set(settings.SHARED_APPS if schema == "public" else settings.TENANT_APPS)
        labels = {config.label for config in django_apps.get_app_configs() if config.name in installed}
        return {key for key in on_disk if key[0] in labels}

    if schema_names is None:
        schema_names = ["public", *Unit.objects.exclude(schema_name="public").values_list("schema_name", flat=True)]
        template = getattr(settings, "TENANT_BASE_SCHEMA", None)
        if template:
            schema_names.append(template)
    behind: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for schema in schema_names:
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'django_migrations'", [schema]
            )
            applied: set[tuple[str, str]] = set()
            if cursor.fetchone():
                cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
                applied = set(cursor.fetchall())
            missing = sorted(f"{app}.{name}" for app, name in expected(schema) - applied)
            if missing:
                behind[schema] = missing
    return behind
