"""Settings for bench/pages.py, modes (a) and (c): the dev settings made production-like.

DEBUG off and the demo's database replaced by the bench's (DATABASE_URL, set by bench.pages). The caches
are where production keeps them: bench.pages gives every web server REDIS_URL (a database of its own on a
private redis-server), so base.py's own Redis branch applies; with --cache locmem, Django's local memory.
PAGE_CACHE_ENABLED is read from the environment by base.py, so (a) and (c) differ only in that variable.
"""

from govplatform.settings.dev import *  # noqa: F403
from govplatform.settings.dev import PORTAL_DOMAIN

DEBUG = False
ALLOWED_HOSTS = [PORTAL_DOMAIN, f".{PORTAL_DOMAIN}", "127.0.0.1"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
