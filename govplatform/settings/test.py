"""Tests (pytest-django): the embedded PostgreSQL unless DATABASE_URL is set, an
insecure key, inline tasks, fast hashing, e-mail kept in memory."""

from govplatform.embedded_db import ensure_running
from govplatform.env import database_config, env_str

from . import derived
from .base import *  # noqa: F403
from .base import DATABASE_URL, INSTALLED_APPS, Q_CLUSTER

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = False
# Several pytest processes may share one PostgreSQL server (parallel work on one
# machine); each names its own test database.
DATABASES = {
    "default": {
        **database_config(DATABASE_URL or ensure_running()),
        "TEST": {"NAME": env_str("TEST_DATABASE_NAME", "test_govplatform")},
    }
}
# The demo app, as in development (tests check it stays out of production).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests, through the same schema-stamping path as workers.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": {"BACKEND": "tenants.storage.UnitFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# The captcha's own test mode: the answer "passed" is accepted, any other answer is checked.
CAPTCHA_TEST_MODE = True
LINKCHECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost", ".localhost", ".testserver", "testserver"]

derived.apply(globals())
