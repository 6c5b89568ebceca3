"""Reads for a unit's backup: which public-schema models hold its rows, the rows, its schema and media.

A unit's rows in the public schema are found through the models' _meta, not a list kept by hand: a
model of a shared app belongs to the unit through a many-to-one or one-to-one field to tenants.Unit,
or to a model already found (an assessment's scores, a report's cells). A new app with such a field is
backed up without a change here. Records that name a unit by its code or schema name instead of a
foreign key (the portal index, 会签 requests, 留言转交, the portal's list of published replies) are not
the unit's own rows and are not in the archive; the portal index is rebuilt after a restore.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models

from tenants.models import Unit

# How far from tenants.Unit a chain of foreign keys is followed (today's deepest is 3: score contest →
# indicator score → unit assessment → unit).
MAX_DEPTH = 5


@dataclass(frozen=True)
class UnitOwnedModel:
    """A public-schema model whose rows belong to one unit, and the lookups from it to that unit."""

    model: type[models.Model]
    paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self, unit: Unit) -> models.QuerySet:
        condition = reduce(or_, (models.Q(**{path: unit.pk}) for path in self.paths))
        # _base_manager: every row, whatever a model's default manager leaves out.
        return self.model._base_manager.filter(condition).order_by("pk")


def _shared_models() -> list[type[models.Model]]:
    shared = set(settings.SHARED_APPS)
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name in shared and not model._meta.proxy and model._meta.managed
    ]


def links(model: type[models.Model]) -> Iterator[models.Field]:
    """Its concrete many-to-one and one-to-one fields."""
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
            yield model_field


def unit_owned_models() -> list[UnitOwnedModel]:
    """Every public-schema model holding a unit's rows, each after the found models it points at."""
    candidates = [model for model in _shared_models() if model is not Unit]
    paths: dict[type[models.Model], list[str]] = {}

    def walk(target: type[models.Model], suffix: str, chain: tuple[type[models.Model], ...]) -> None:
        if len(chain) > MAX_DEPTH:
            return
        for model in candidates:
            if model in chain:
                continue
            for link in links(model):
                if link.related_model is target:
                    path = f"{link.name}__{suffix}" if suffix else link.name
                    paths.setdefault(model, []).append(path)
                    walk(model, path, (*chain, model))

    walk(Unit, "", (Unit,))
    found = set(paths)
    ordered: list[type[models.Model]] = []
    waiting = sorted(found, key=lambda model: model._meta.label_lower)
    while waiting:
        ready = [
            model
            for model in waiting
            if all(
                link.related_model in ordered or link.related_model not in found or link.related_model is model
                for link in links(model)
            )
        ]
        if not ready:
            names = "、".join(model._meta.label for model in waiting)
            raise RuntimeError(f"公共模式中以下模型的外键互相引用，无法确定恢复顺序：{names}")
        ordered.extend(ready)
        waiting = [model for model in waiting if model not in ready]
    return [UnitOwnedModel(model=model, paths=tuple(dict.fromkeys(paths[model]))) for model in ordered]


def schema_tables(schema_name: str) -> list[str]:
    """The tables of a schema (ordinary and partitioned), by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def schema_relation_counts(schema_name: str) -> dict[str, int]:
    """How many tables, indexes, sequences and TOAST tables a schema has (what locks a restore takes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s GROUP BY c.relkind",
            [schema_name],
        )
        counts = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM pg_class t JOIN pg_class c ON c.oid = t.reltoastrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s",
            [schema_name],
        )
        toast = cursor.fetchone()[0]
    return {
        "tables": counts.get("r", 0) + counts.get("p", 0),
        "indexes": counts.get("i", 0) + counts.get("I", 0),
        "sequences": counts.get("S", 0),
        "toast_tables": toast,
    }


def schema_migrations(schema_name: str) -> list[str]:
    """`app.migration` of every migration recorded in the schema."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations ORDER BY app, name')
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def unit_media_folder(schema_name: str) -> Path:
    """MEDIA_ROOT/<schema>/, where TenantFileSystemStorage keeps the unit's files (tenants/media.py)."""
    return media_root() / schema_name


def media_files(schema_name: str) -> list[Path]:
    """Every regular file under the unit's media folder, in path order (symbolic links are not followed)."""
    folder = unit_media_folder(schema_name)
    found = []
    for directory, _folders, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)
