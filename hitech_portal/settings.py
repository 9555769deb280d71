"""Settings, read once from the environment.

A fresh checkout runs with no environment at all (DEBUG on, SQLite file, in-process cache).
With DEBUG off the site refuses to start without a SECRET_KEY: a key made up per process would
break sessions across app servers.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "django_prose_editor",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "hitech_portal",
    "images",
    "articles",
    "indicators",
    "api",
]

MIDDLEWARE = [
    # First: answers anonymous readers' cached pages with the response every middleware below
    # made when it was stored (security, CSP and CORS headers, GZip's compression), before any
    # session, locale or login work (hitech_portal/middleware.py).
    "hitech_portal.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every response gets the policies (CONTENT_SECURITY_POLICY); a cached page keeps its own.
    "csp.middleware.CSPMiddleware",
    "hitech_portal.middleware.AdminStylesMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # CORS headers for /api/ (GET from any origin), on cached responses too.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (whitenoise already serves static files compressed); outermost of the
    # middleware that touch the body, so anything rewriting HTML runs before it.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the path alone: /zh-hant/… is traditional, everything else simplified
    # whatever the browser asks for (i18n_patterns with prefix_default_language=False).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made a change, for the revisions simple-history records itself (indicators, deletions).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: converts what the views wrote under /zh-hant/ (the page cache stores the result).
    "hitech_portal.middleware.TraditionalChineseMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name, or
# from one address, that user name or address is locked out for AXES_COOLOFF_TIME (each new try
# meanwhile restarts it). Attempts are kept in the database, so every app server sees them;
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS` lifts a lockout at once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per user, per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False

ROOT_URLCONF = "hitech_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hitech_portal.context_processors.site",
                "hitech_portal.context_processors.scripts",
            ],
        },
    },
]

WSGI_APPLICATION = "hitech_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after the database restarts,
        # the app reconnects by itself.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the importer writes; a busy timeout instead of "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Review notifications (articles.workflow). Without EMAIL_BACKEND, mail is printed to the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")

REDIS_URL = os.environ.get("REDIS_URL", "")
# Public pages are kept apart from everything else (hitech_portal.pagecache): filling their store
# can never evict the page generation, the publication schedule or counts. In Redis they are
# the keys with a TTL; run it with maxmemory-policy volatile-lru (or volatile-ttl) so only those
# are evicted when memory runs short.
if REDIS_URL:
    CACHES = {
        alias: {
            # Django's RedisCache, for which Redis being away is a miss (hitech_portal.cache).
            "BACKEND": "hitech_portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        for alias, prefix in (("default", "portal"), ("pages", "portal-pages"))
    }
else:
    # Without Redis the few shared keys (page generation, publication schedule, who is editing
    # what) live in files every process on the machine reads, so a save in one gunicorn worker
    # retires the pages of all of them; the pages themselves stay in each process's memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-pages",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "2000"))},
        },
    }
# Background jobs' progress and cancel requests (hitech_portal.jobs): written by the worker while
# its transaction keeps the rows to itself, read by the web servers. In Redis when there is one,
# else in files that every process on this machine sees.
CACHES["jobs"] = (
    {**CACHES["default"], "KEY_PREFIX": "portal-jobs", "TIMEOUT": 7 * 24 * 3600}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("JOBS_CACHE_DIR", str(BASE_DIR / "var" / "jobs")),
        "TIMEOUT": 7 * 24 * 3600,
    }
)

# Background jobs (django-tasks): queued in the database, run by ``manage.py db_worker``, which
# ``./scripts/serve`` starts beside the web server. See hitech_portal/jobs.py.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Article reads are buffered (Redis with REDIS_URL, else this file) and added to the database
# at most this often (articles.view_counts).
VIEW_COUNT_BUFFER = Path(os.environ.get("VIEW_COUNT_BUFFER", BASE_DIR / "view_counts.sqlite3"))
VIEW_COUNT_FLUSH_SECONDS = int(os.environ.get("VIEW_COUNT_FLUSH_SECONDS", "10"))
# How many proxies (nginx, a load balancer) stand before the app servers and append the reader's
# address to X-Forwarded-For; 0 trusts REMOTE_ADDR alone.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# 简繁: the OpenCC profile that makes the /zh-hant/ pages: s2t (OpenCC's standard: 爲, 綫 in
# older dictionaries), s2tw (Taiwan characters: 為, 線, as the source site writes), s2twp (Taiwan
# characters and phrases: 软件→軟體), s2hk, s2hkp (Hong Kong).
OPENCC_PROFILE = os.environ.get("OPENCC_PROFILE", "s2tw")

# Public pages for anonymous readers are kept in the shared cache this long (0 turns it off);
# every write retires at once the pages that show what it changed (hitech_portal.pagecache).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# How many of the pages it served lately each app process keeps at hand (checked against the
# shared versions on every hit like the others): 0 reads every page from the store.
PAGE_CACHE_LOCAL_ENTRIES = int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "200"))
# How many parts of pages (counts, navigation, an article's surroundings: pagecache.kept) each
# app process keeps at hand, under the generation like the store's: 0 reads each from the store.
PAGE_CACHE_LOCAL_PARTS = int(os.environ.get("PAGE_CACHE_LOCAL_PARTS", "500"))
# How long a CDN or proxy in front may keep a public page (s-maxage, and as long again stale while
# it revalidates); browsers always revalidate (ETag/Last-Modified, 304).
CDN_CACHE_SECONDS = int(os.environ.get("CDN_CACHE_SECONDS", "60"))

# The read-only JSON API (api/): how many requests one client address may make ("600/min",
# "10000/day"; empty: no limit). Its answers are cached like every public page.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],  # public and read-only: no session, no CSRF
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsablePage",  # the browsable page, for browsers
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Behind a proxy, the client address is the one it adds to X-Forwarded-For.
}
SPECTACULAR_SETTINGS = {
    "TITLE": "高新区产业门户 API",
    "DESCRIPTION": "只读：已发布的文章、栏目、标签、指标及其观测值。/zh-hant/api/… 为繁体。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
CORS_URLS_REGEX = r"^/(zh-hant/)?api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images: files under MEDIA_ROOT on one machine (served by the app, or by nginx in front
# of it: README "Production"), or an S3-compatible bucket when several app servers share them.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower()
if MEDIA_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            # Public pictures by plain URL (a CDN or the bucket's public domain), no signed query.
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    if not DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (and the S3_* credentials).")
elif MEDIA_STORAGE == "local":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
# With local storage the app serves /media/ itself, DEBUG or not (hitech_portal/urls.py), unless
# a web server in front does it (SERVE_MEDIA=False).
SERVE_MEDIA = MEDIA_STORAGE == "local" and env_bool("SERVE_MEDIA", True)

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Site identity, used by templates, feeds and structured data.
SITE_NAME = os.environ.get("SITE_NAME", "高新区产业门户")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Spreadsheets with very long HTML bodies exceed the csv module's default field limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The admin's import (hitech_portal.imports.forms): uploads larger than this are refused before
# parsing, an XLSX that unzips to more too; the request only stores the file, background jobs
# check and import it. 100 MB holds some 40,000 articles of news length; bigger files go through
# `manage.py import_articles`. Cap the proxy's body size to match.
IMPORT_MAX_UPLOAD_MB = int(os.environ.get("IMPORT_MAX_UPLOAD_MB", "100"))
IMPORT_MAX_XLSX_MB = int(os.environ.get("IMPORT_MAX_XLSX_MB", "500"))

# Security: default-on; HTTPS-only parts switch on with DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Trust a proxy's word that the request came over HTTPS only when told which header it writes
# (e.g. X-Forwarded-Proto): an app server reachable directly would believe any client's header.
if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")
# Who the client is, for the login lockout per address, is decided where view counts decide it
# (NUM_PROXIES trusted proxies' X-Forwarded-For, else REMOTE_ADDR): one rule for both, and for
# the API's rate (api.views.ClientAddressThrottle).
AXES_CLIENT_IP_CALLABLE = "articles.view_counts.client_address"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    # Both bind every other host of the domain to HTTPS for a year (preload: for good, in the
    # browsers' lists): the operator's decision, not a default.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # check --deploy asks for both; left off on purpose (above), so not a warning.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

# Content-Security-Policy (django-csp), one policy for every page: scripts and styles from this
# site only, never inline; the one inline script, the prose editor's import map in the admin, is
# let in by the request's nonce (templates/admin/change_form.html). JSON-LD is data, not script,
# and charts draw through the CSSOM (static/js/charts.js), so neither needs an exception.
# A view that needs more relaxes it for itself, never here:
#   from csp.decorators import csp_update, csp_replace
#   @csp_update({"img-src": ["https://tiles.example.com"]})           # add a source
#   @csp_replace({"frame-ancestors": ["https://partner.example.com"]})  # an embeddable page
#   @xframe_options_exempt                                             # (with X_FRAME_OPTIONS)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Article bodies may show images kept on the source sites (sanitised <img>).
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page asks for these; a view that embeds
# something that does would say so with its own header.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
