"""The reader's 长者模式 preference: a cookie, on every public host (portal and units alike)."""

from __future__ import annotations

ELDER_COOKIE = "zh_elder_mode"
# A year: the setting is a reader's lasting preference, not a session's.
ELDER_COOKIE_MAX_AGE = 365 * 24 * 3600


def elder_mode_on(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"
