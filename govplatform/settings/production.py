"""Production: every secret and address comes from the environment, nothing falls back.

Importing this module without DATABASE_URL or without a real DJANGO_SECRET_KEY
stops at once with what to set (as cookiecutter-django does); it never starts a
database.
"""

from pathlib import Path

from govplatform.env import EnvError, database_config, env_bool, env_int, env_str

from . import derived
from .base import *  # noqa: F403
from .base import BASE_DIR, _env_networks

ENV_EXAMPLE = Path(BASE_DIR) / "deploy" / "env.example"
SECRET_KEY_MIN_LENGTH = 50


def _example_value(name: str) -> str | None:
    """The placeholder deploy/env.example gives for `name`: copying it unchanged is refused."""
    try:
        lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == name:
            return value.strip()
    return None


def _secret_key_problem(key: str) -> str | None:
    """Why `key` is refused (Django's own security.W009 rule, plus the example and dev keys), or None."""
    if key == _example_value("DJANGO_SECRET_KEY"):
        return "仍是 deploy/env.example 中的示例值"
    if key.startswith(("insecure", "django-insecure")):
        return "是开发环境的不安全密钥"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"长度只有 {len(key)} 个字符，至少需要 {SECRET_KEY_MIN_LENGTH} 个"
    if len(set(key)) < 5:
        return "字符种类过少"
    return None


# Redis is required: the per-unit caches of the pages citizens read (menus, home lists, view
# restrictions, the portal home) are emptied on publish and privacy changes, and only a cache shared
# by every web process makes that reach all of them at once; rate limits and lockouts count there too.
_missing = [name for name in ("DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL") if not env_str(name).strip()]
if _missing:
    raise EnvError(f"生产环境必须设置环境变量：{'、'.join(_missing)}（见 deploy/env.example 与 README 的 Configuration）")
SECRET_KEY = env_str("DJANGO_SECRET_KEY").strip()
_problem = _secret_key_problem(SECRET_KEY)
if _problem:
    raise EnvError(
        f"DJANGO_SECRET_KEY 不可用于生产环境：{_problem}；可用 python -c 'import secrets; print(secrets.token_urlsafe(50))' 生成"
    )
DATABASES = {"default": database_config(env_str("DATABASE_URL"))}

DEBUG = False
PORTAL_SCHEME = env_str("PORTAL_SCHEME", "https")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
# Every unit lives on a sub-domain of PORTAL_DOMAIN, all served over https by the one wildcard server.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

# Logins: the second factor is required of every admin user; nginx on this machine is the proxy
# whose X-Forwarded-For is believed (accounts.network.client_ip).
OTP_REQUIRED = True
TRUSTED_PROXIES = _env_networks("TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"])
SESSION_COOKIE_HTTPONLY = True

# The stack's nginx proxy_cache is purged beside the page cache (ngx_cache_purge location, e.g. http://127.0.0.1:8080).
_nginx_purge_url = env_str("FRONTEND_CACHE_NGINX_URL").strip()
if _nginx_purge_url:
    WAGTAILFRONTENDCACHE = {
        **WAGTAILFRONTENDCACHE,  # noqa: F405
        "nginx": {"BACKEND": "pagecache.backends.NginxPurgeBackend", "LOCATION": _nginx_purge_url},
    }

derived.apply(globals())
