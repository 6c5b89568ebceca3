from .base import *  # noqa: F401,F403
from govplatform.env import env_str

from .base import DATABASES, Q_CLUSTER

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests, through the same schema-stamping path as workers.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
LINKCHECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost", ".localhost", ".testserver", "testserver"]
# Several pytest processes may share one PostgreSQL server (parallel work on one
# machine); each names its own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_govplatform")}
