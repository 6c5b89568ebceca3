"""Wait until a URL answers (any HTTP status), for `make demo`: python -m govplatform.wait_for_http URL [SECONDS]."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait_for_http(url: str, *, timeout_s: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # the server answered, if with an error page
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


if __name__ == "__main__":
    target = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    if not wait_for_http(target, timeout_s=seconds):
        sys.exit(f"{target} 在 {seconds:.0f} 秒内没有响应")
