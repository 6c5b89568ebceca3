"""The stack tests: the platform as deployed (deploy/stack.py), over HTTPS through nginx.

`make stack-test` starts the stack, runs these tests and stops it. The test process itself uses the
stack's environment (production settings, the stack's PostgreSQL and Redis), so what it publishes
goes through the same signals, outbox and broker as a publish in a web node; what a citizen sees is
always read over HTTPS.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("stack", ROOT / "deploy" / "stack.py")
stack = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stack)

os.environ.update(stack.stack_env())
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread

import django  # noqa: E402

django.setup()

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "stack"
STAFF_PASSWORD = "zhuhai-staff-2026"


def https_url(host: str, path: str = "/") -> str:
    suffix = "" if stack.PORTS["https"] == 443 else f":{stack.PORTS['https']}"
    return f"https://{host}{suffix}{path}"


def unit_host(code: str) -> str:
    return f"{code}.{stack.DOMAIN}"


def get(path: str, *, host: str = stack.DOMAIN, timeout: float = 5) -> tuple[int, bytes]:
    return stack.https_get(path, host=host, timeout=timeout)


def request(method: str, path: str, *, host: str = stack.DOMAIN, headers=None, body=None, timeout: float = 5):
    """(status, headers, body) through nginx over TLS, the certificate checked for `host`."""
    return stack.https_request(method, path, host=host, headers=headers, body=body, timeout=timeout)


def wait_for(predicate, *, seconds: float, step: float = 0.2):
    """The first truthy value of predicate() within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.fixture(scope="session", autouse=True)
def running_stack():
    state = stack.status()
    missing = [name for name, running in state.items() if not running]
    if missing:
        pytest.exit(f"生产环境栈未完整运行（{', '.join(missing)}）：先运行 make stack", returncode=2)
    stack.wait_until_serving(seconds=30)
    yield stack


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"没有 Chromium（{CHROMIUM}）：make browser-deps 安装")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
