"""One typed reader for the process environment.

Every setting that can differ between machines is read here, so the README's
table of variables and the code cannot drift apart silently.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured, ValueError):
    """A variable is missing or malformed: raised while the settings are imported, before anything starts."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_required(name: str, hint: str = "") -> str:
    """A variable without a default: its absence stops the process at once, with what to set."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise EnvError(f"必须设置环境变量 {name}" + (f"：{hint}" if hint else ""))
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"环境变量 {name} 应为 true/false，实际为 {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"环境变量 {name} 应为整数，实际为 {raw!r}") from exc


def env_choice(name: str, choices: dict[str, object], default: str) -> object:
    """One of a few spellings (case-insensitive), mapped to its value: `choices[default]` when unset."""
    raw = os.environ.get(name)
    key = default if raw is None or raw.strip() == "" else raw.strip().lower()
    if key not in choices:
        raise EnvError(f"环境变量 {name} 应为 {'/'.join(choices)} 之一，实际为 {raw!r}")
    return choices[key]


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str) -> dict[str, object]:
    """Turn a postgres:// URL into a Django DATABASES entry for django-tenants.

    A `host=` query parameter (used for Unix sockets) wins over the netloc host.
    """
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise EnvError(f"DATABASE_URL 必须是 postgres:// 地址，实际为 {parsed.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    host = query.pop("host", None) or parsed.hostname or ""
    return {
        # django-tenants' backend, keeping the ContentType cache per schema (tenants/postgresql_backend).
        "ENGINE": "tenants.postgresql_backend",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "OPTIONS": query,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
