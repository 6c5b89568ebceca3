from .base import *  # noqa: F401,F403
from .base import SECRET_KEY

from govplatform.env import env_bool, env_int

if SECRET_KEY.startswith("insecure"):
    raise RuntimeError("生产环境必须设置 DJANGO_SECRET_KEY")

DEBUG = False
PORTAL_SCHEME = "https"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
