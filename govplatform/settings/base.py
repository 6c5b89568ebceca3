"""Settings shared by every environment. See README for each variable.

Importing this module has no side effect: it starts nothing and connects to
nothing. What differs per environment is set in `dev`, `test` and
`production`: the database (`DATABASES`; dev and test fall back to the
embedded PostgreSQL, production requires DATABASE_URL) and the secret key
(dev and test fall back to an insecure key, production requires one). Each of
them ends with `derived.apply(globals())`, which computes the settings built
from others (WAGTAILADMIN_BASE_URL) from their final values.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from govplatform.env import EnvError, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Set per environment (dev/test: an insecure fallback; production: required).
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)

# Host names of units are <code>.<PORTAL_DOMAIN>; the portal itself answers on
# PORTAL_DOMAIN and www.PORTAL_DOMAIN.
PORTAL_DOMAIN = env_str("PORTAL_DOMAIN", "localhost")
PORTAL_PORT = env_str("PORTAL_PORT", "")
PORTAL_SCHEME = env_str("PORTAL_SCHEME", "http")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [PORTAL_DOMAIN, f".{PORTAL_DOMAIN}"])

# --- database -------------------------------------------------------------
# DATABASES is set per environment from DATABASE_URL (see the module docstring).
DATABASE_URL = env_str("DATABASE_URL")
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- tenancy --------------------------------------------------------------
WAGTAIL_APPS = [
    # Its backends carry the page cache's purges (pagecache.backends); its own handlers are replaced.
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
DJANGO_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]
# Public schema: the unit registry, the portal index and outbox, oversight
# records, platform-wide dictionaries. The information centre administers the
# platform through a Wagtail admin on the public schema, so Wagtail is here too.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "columns",
    "search",
    "oversight",
    "moderation",
    "portal",
    "scheduling",
    "workcalendar",
    "interaction",
    "captcha",
    # 考评 (第七条至第十一条): public votes, the yearly assessment, 评比, 通报, each unit's 年度报表, visits.
    "voting",
    "assessment",
    "contests",
    "bulletins",
    "annualreport",
    "visits",
    # 网上抓取 (第五条（四）): news harvested from other government sites into portal sections.
    "harvest",
    # backup_unit / restore_unit: one unit's schema, public rows and media in one checksummed archive.
    "backups",
    "accessibility",
    # 使用手册 and 常见问题 in both admins; before wagtail.admin, whose account summary it overrides.
    "training",
    # Logins of every admin (lockout, second factor, audit) and the security headers; auth lives in each schema.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "csp",
    "django_q",
    # Background tasks the broker could not take when they were committed, sent again later.
    "handoff",
    *DJANGO_APPS,
    *WAGTAIL_APPS,
]
# Unit schemas: each unit's own users, groups, sessions, pages, media records.
TENANT_APPS = [
    *DJANGO_APPS,
    *WAGTAIL_APPS,
    "sitepages",
    "moderation",
    "training",
    "interaction",
    "captcha",
    # Each unit's own failed-login records and second-factor devices, beside its users.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]
# The page cache last: its purge receivers run after those of every cache a page is built from.
INSTALLED_APPS = [*dict.fromkeys(SHARED_APPS + TENANT_APPS), "pagecache"]

TENANT_MODEL = "tenants.Unit"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "govplatform.urls_public"
ROOT_URLCONF = "govplatform.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# New units are cloned from a migrated template schema without its rows:
# seconds instead of minutes, and no user, session or Site leaks into a unit.
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = "unit_template"
TENANT_LIMIT_SET_CALLS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = env_int("TENANT_MIGRATE_PROCESSES", 2)

MIDDLEWARE = [
    "tenants.middleware.CachedTenantMainMiddleware",
    # Page views and daily unique visitors per site (a salted daily digest; nothing personal kept).
    "visits.middleware.VisitCounterMiddleware",
    "sitepages.visibility.RestrictionsPerRequestMiddleware",
    # Anonymous pages from the cache (after the counter: a cached page is still a counted view).
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy: enforced with nonces on public pages, report-only on /admin/ (accounts/csp.py).
    "accounts.csp.PlatformCSPMiddleware",
    # /admin/ only from ADMIN_ALLOWED_NETWORKS, on every host.
    "accounts.middleware.AdminNetworkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then the idle timeout, and the second factor before any admin screen.
    "accounts.middleware.OTPMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "tenants.middleware.SupervisorMiddleware",
    "tenants.middleware.StorageFullMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Admin searches (pages, documents, choosers): control characters removed, length capped, a Chinese message.
    "search.middleware.AdminSearchInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "sitepages.middleware.PublishBlockedMiddleware",
    # Page and document passwords: failed attempts per client address are limited.
    "accounts.middleware.PagePasswordThrottleMiddleware",
    # Last, as django-axes asks: turns a lockout into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govplatform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "tenants.context_processors.current_unit",
                "accessibility.context_processors.elder_mode",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "govplatform.wsgi.application"
ASGI_APPLICATION = "govplatform.asgi.application"

# Every form that sets a password (Wagtail's account and user screens, password reset) checks these;
# accounts/validators.py, Chinese messages.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.DateOrPhoneNumberValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out user before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- language -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Wagtail's zh_Hans catalogue lags behind its source strings: the platform ships the missing
# translations (and its fixes) here, which win over the apps' own catalogues.
LOCALE_PATHS = [BASE_DIR / "govplatform" / "locale"]
# Everyone works in Zhuhai: no time-zone choice in the account settings (its list is English).
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]

# --- static & media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "govplatform" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
# Files of each unit live under MEDIA_ROOT/<schema>/, chosen at access time.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    # Per-unit folders; a full volume is a Chinese message and no half-written file (tenants.storage).
    "default": {"BACKEND": "tenants.storage.UnitFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Nothing serves MEDIA_ROOT as a whole: /media/<schema>/… answers only on that
# unit's host (tenants.media), documents only through Wagtail's serve view.
# In production nginx sends the bytes: with a prefix set, both views answer with
# X-Accel-Redirect to that `internal` location (deploy/nginx.conf).
MEDIA_X_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_X_ACCEL_REDIRECT_PREFIX", "")
SENDFILE_BACKEND = "tenants.media"

# --- cache ----------------------------------------------------------------
# Every alias Wagtail uses gets the schema in its keys: Wagtail caches site root
# paths under one fixed key, so without this one unit's links point at another.
_redis_url = env_str("REDIS_URL")
# With Redis, a Redis that is away is a cache miss rather than a 500 (govplatform.cache).
_cache_backend = (
    {"BACKEND": "govplatform.cache.ResilientRedisCache", "LOCATION": _redis_url}
    if _redis_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
)
CACHES = {
    alias: {**_cache_backend, "KEY_FUNCTION": "django_tenants.cache.make_key", "KEY_PREFIX": alias}
    for alias in ("default", "renditions", "ratelimit")
}
# The page cache (pagecache/): its keys name host and schema themselves (pagecache.keys.make_key), so a purge
# lands whatever schema its signal arrives in. In local memory it has a store of its own: pages never push
# the menus out.
CACHES["pagecache"] = {
    **_cache_backend,
    "KEY_FUNCTION": "pagecache.keys.make_key",
    "KEY_PREFIX": "pagecache",
    **({} if _redis_url else {"LOCATION": "pagecache"}),
}
# Anonymous readers' pages served from that cache, purged on publish (pagecache.services has the purge map);
# browsers revalidate every time.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# Each web process also keeps up to this many bytes of pages itself (pagecache.local): a hit then reads only the
# pages' generation counters from the shared cache, not the page.
PAGE_CACHE_LOCAL_BYTES = env_int("PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024)
# ... and trusts the counters it read for this long: a purge lands at once in the process that made it, in every
# other web process within this bound (0 reads them from the shared cache at every hit).
PAGE_CACHE_GENERATION_MS = env_int("PAGE_CACHE_GENERATION_MS", 500)
# How long a shared cache (nginx's proxy_cache: X-Accel-Expires and s-maxage) keeps a page before asking again,
# which Django's page cache answers with a 304 while the page is unchanged. Publishing purges nginx's copy of each
# changed URL at once; this bound covers what its purge module cannot remove by prefix (a subtree made private,
# the portal's pages after indexing): no copy outlives a change by more than this.
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 1)
# Purges (wagtail.contrib.frontend_cache): the page cache here; production adds nginx (FRONTEND_CACHE_NGINX_URL).
WAGTAILFRONTENDCACHE = {"pagecache": {"BACKEND": "pagecache.backends.DjangoCacheBackend"}}

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "珠海市政府网站群"
# WAGTAILADMIN_BASE_URL is derived from PORTAL_SCHEME/DOMAIN/PORT in derived.py, after
# the environment's overrides. Only a fallback: e-mails and absolute URLs use the
# unit's own host (tenants.hosts.unit_base_url), never this one global value.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "search.wagtail_backend.ChineseDatabaseSearchBackend"},
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "txt", "csv", "zip", "ofd", "wps"]
# Documents are served by Wagtail's view only (collection privacy, and
# sitepages.wagtail_hooks: only what a live public page uses, or to the unit's
# staff). Files that a live page or a page under review uses cannot be replaced.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "sitepages.attachments.FrozenFileDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "sitepages.attachments.FrozenFileImageForm"
WAGTAIL_WORKFLOW_ENABLED = True
# Approvals count only for the revision they were given for: content saved during a
# workflow is reviewed again from the first task (moderation.workflow.integrity).
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# The last approver (often 分管领导) has no publish permission of their own;
# the workflow publishes on the unit's behalf, and the publish checks still run.
WAGTAIL_FINISH_WORKFLOW_ACTION = "moderation.workflow.finish.publish_approved_workflow_state"
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_I18N_ENABLED = False
# No check against Wagtail's release server from editors' browsers (and no English upgrade banner):
# upgrades are the platform's, not the editors'.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Wagtail's own background tasks (search index, reference index, file clean-up)
# carry only a model and a pk; this backend stamps the schema that enqueued them.
TASKS = {"default": {"BACKEND": "govplatform.tasking.SchemaAwareTaskBackend"}}

# --- background work (django-q2) --------------------------------------------
Q_CLUSTER = {
    "name": "govplatform",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 600,
    "retry": 720,
    "max_attempts": 5,
    "queue_limit": 50,
    "bulk": 10,
    "orm": "default",
    "catch_up": False,
    "label": "后台任务",
    "sync": env_bool("Q_SYNC", False),
}
if _redis_url:
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = _redis_url

# --- search ---------------------------------------------------------------
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX = env_str("ELASTICSEARCH_INDEX", "govportal")
# "cjk" (built in), "smartcn" or "ik" (plugins installed on every node).
ELASTICSEARCH_ANALYZER = env_str("ELASTICSEARCH_ANALYZER", "cjk")
# refresh= of every write: false (the index refreshes on its own), true, or
# wait_for (a write is searchable when it returns; slower, for tests and checks).
ELASTICSEARCH_REFRESH = env_choice("ELASTICSEARCH_REFRESH", {"false": False, "true": True, "wait_for": "wait_for"}, "false")
# Replicas of each portal index (0 on a single node; 1 or more on a cluster).
ELASTICSEARCH_REPLICAS = env_int("ELASTICSEARCH_REPLICAS", 0)
# A page the portal index keeps refusing is parked (shown to the information
# centre with 重试) after this many attempts; the others go on meanwhile.
PORTAL_OUTBOX_MAX_ATTEMPTS = env_int("PORTAL_OUTBOX_MAX_ATTEMPTS", 5)
# Days after a unit is opened before single-item vetoes count in the monthly report (the new site is being filled).
OVERSIGHT_GRACE_DAYS = env_int("OVERSIGHT_GRACE_DAYS", 14)
# The centre's superusers are e-mailed (once per episode) when an outbox entry is older than this.
PORTAL_OUTBOX_ALERT_MINUTES = env_int("PORTAL_OUTBOX_ALERT_MINUTES", 5)

# --- oversight --------------------------------------------------------------
# Hosts the link checker may reach even though they resolve to private or
# loopback addresses: the platform's own hosts.
LINKCHECK_ALLOWED_PRIVATE_HOSTS = env_list("LINKCHECK_ALLOWED_PRIVATE_HOSTS", [])
LINKCHECK_CONCURRENCY = env_int("LINKCHECK_CONCURRENCY", 32)

# --- 互动交流 (interaction) ------------------------------------------------------
# Self-hosted image captcha (django-simple-captcha; no outside service). Tests use its
# test mode (CAPTCHA_TEST_MODE, settings.test), where the answer "passed" is accepted.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
# django-ratelimit counts in the "ratelimit" cache, whose keys carry the schema
# (django_tenants.cache.make_key): each site counts its own submissions. Counts are
# shared between processes only with REDIS_URL (Redis increments atomically); the
# local-memory fallback counts per process (dev, tests). The client's address is the platform's
# one reading of it (accounts.network: X-Forwarded-For only from TRUSTED_PROXIES), so behind nginx
# each citizen has a count of their own.
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or "accounts.network.ratelimit_ip"
# While Redis is away the counts cannot be read; the forms stay open (they also carry a captcha)
# rather than refusing every citizen for the length of the outage.
RATELIMIT_FAIL_OPEN = True
# Submissions allowed per IP address and per mobile number, and 查询码 look-ups per IP.
INTERACTION_RATE_PER_IP = env_str("INTERACTION_RATE_PER_IP", "5/h")
INTERACTION_RATE_PER_PHONE = env_str("INTERACTION_RATE_PER_PHONE", "3/d")
INTERACTION_RATE_LOOKUP = env_str("INTERACTION_RATE_LOOKUP", "20/h")
# The national 我为政府网站找错 entry in every footer, with the site's 网站标识码.
GOV_ERROR_REPORT_SCRIPT_URL = env_str("GOV_ERROR_REPORT_SCRIPT_URL", "https://zfwzgl.www.gov.cn/exposure/jiucuo.js")

# --- 网站考评专栏 (voting) ----------------------------------------------------------
# The SMS gateway that sends vote confirmation codes (voting/sms.py documents the interface);
# the shipped backend writes the code to the log. Identities are hashed with a key derived from
# VOTING_IDENTITY_SALT (set it in production; empty: derived from SECRET_KEY).
VOTING_SMS_BACKEND = env_str("VOTING_SMS_BACKEND", "voting.sms.LogBackend")
VOTING_IDENTITY_SALT = env_str("VOTING_IDENTITY_SALT", "")

# --- e-mail -----------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@zhuhai.gov.cn")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- logins (accounts/) -------------------------------------------------------
# Lockout (django-axes): attempts are rows of the schema whose admin was tried, so a unit's
# failures never lock anyone out of another unit or of the centre. Counted per user name and
# client address together; a successful login clears them; the unit administrator (or the
# centre, in the public schema) lifts a lockout early on 登录锁定.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试或联系本单位管理员解除锁定。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系本单位管理员解除锁定。"
# Page and document view passwords (Wagtail's password restrictions): failed attempts per client address.
PAGE_PASSWORD_RATE = "10/15m"

# The second factor (django-otp: TOTP apps and one-time backup codes). Production requires it of every
# admin user; elsewhere only users who enrolled are asked for it.
OTP_REQUIRED = False
OTP_TOTP_ISSUER = "珠海市政府网站群"
OTP_BACKUP_CODE_COUNT = 10

# Idle sessions end: the session expires this long after the last request (accounts.middleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = int(SESSION_IDLE_TIMEOUT.total_seconds())


def _env_networks(name: str, default: list[str]) -> list[str]:
    """A list of CIDR networks from the environment, refused at import if one is malformed."""
    values = env_list(name, default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise EnvError(f"环境变量 {name} 中的 {value!r} 不是有效的网络地址（如 10.0.0.0/8）") from exc
    return values


# /admin/ answers, on every host, only to clients in these networks (empty: anyone; production requires
# them, and nginx has the same rule). The client's address is REMOTE_ADDR, or the X-Forwarded-For entry
# added by one of TRUSTED_PROXIES (nginx on the same machine in production).
ADMIN_ALLOWED_NETWORKS = _env_networks("ADMIN_ALLOWED_NETWORKS", [])
TRUSTED_PROXIES = _env_networks("TRUSTED_PROXIES", [])

# --- security headers ---------------------------------------------------------
# Public pages (portal and unit sites): a strict policy; scripts and <style> only from the platform
# itself (and the national 找错 entry's script) or with the request's nonce ({{ CSP_NONCE }}). Style
# attributes stay allowed (style-src-attr): a few public templates use them. /admin/ gets a policy of
# the same kind report-only: Wagtail's admin uses inline scripts and styles.
_error_report = urlsplit(GOV_ERROR_REPORT_SCRIPT_URL)
_error_report_origin = [f"{_error_report.scheme}://{_error_report.netloc}"] if _error_report.netloc else []
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, *_error_report_origin],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", *_error_report_origin],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}
