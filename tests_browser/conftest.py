"""Browser tests: Playwright drives Debian's Chromium against the platform served for real.

They run in a session of their own (`make test` runs them after the main suite, with their own
test database): the demo's units and content are seeded once, committed, and served by a live
server thread on a free port, at the demo's hosts (localhost for the portal, <code>.localhost
for each unit; Chromium resolves every *.localhost to the loopback address itself).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# beside a running loop unless told that this thread only ever uses it synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"))
DEMO_ADMIN_PASSWORD = "browser-admin-2026"
DEMO_STAFF_PASSWORD = "browser-staff-2026"
# The flags the machine needs (no sandbox as root, no calls to Google's services on a closed network).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # pytest-django creates the test database only for sessions with database tests: every browser
    # test reads the seeded demo (and the server thread serves it), so each is one.
    for item in items:
        item.add_marker(pytest.mark.django_db)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, server_port):
    """The demo, seeded once into this session's test database and left open to the server thread."""
    from django.conf import settings
    from django.core.management import call_command

    settings.PORTAL_PORT = str(server_port)
    # The server's request threads close their connections after each request, so that the test
    # database can be dropped at the end of the session.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    settings.DEMO_ADMIN_PASSWORD = DEMO_ADMIN_PASSWORD
    settings.DEMO_STAFF_PASSWORD = DEMO_STAFF_PASSWORD
    from tenants.services import ensure_portal, ensure_template_schema

    with django_db_blocker.unblock():
        # As `make demo` (setup_platform) does before seeding: the import provisions units in a transaction.
        ensure_portal()
        ensure_template_schema()
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
    # The server thread and the tests' own reads use the database for the whole session.
    django_db_blocker.unblock()
    yield


@pytest.fixture(scope="session")
def site_server(django_db_setup, server_port):
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=server_port)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{server_port}"
    thread.terminate()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"找不到 Chromium（{CHROMIUM}）：运行 make browser-deps 安装 Debian 的 chromium 软件包")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, site_server):
    """A citizen on a phone: a narrow touch screen."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Saved as a test artifact (test-artifacts/browser/), full page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def unit_url(site_server: str, code: str) -> str:
    return site_server.replace("//localhost", f"//{code}.localhost")
