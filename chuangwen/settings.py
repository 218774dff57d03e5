"""Settings, all from environment variables with safe embedded defaults.

Embedded default: SQLite in ./var, eager Celery, local files, DEBUG off unless asked for.
Production: set SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS (and DEBUG=0).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHUANGWEN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("CHUANGWEN_PRODUCTION", False):
        raise RuntimeError("SECRET_KEY must be set in production")
    # Embedded default: a per-checkout key kept in ./var so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the Swagger UI of /api/docs from its own static files, not a CDN
    "django_filters",
    "django_htmx",
    "axes",
    "chuangwen.core",
    "chuangwen.org",
    "chuangwen.indicators",
    "chuangwen.sites",
    "chuangwen.tasks",
    "chuangwen.inspections",
    "chuangwen.cases",
    "chuangwen.assessment",
    "chuangwen.citizens",
    "chuangwen.volunteers",
    "chuangwen.dashboard",
    "chuangwen.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "chuangwen.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chuangwen.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chuangwen.org.middleware.ScopeMiddleware",
    "chuangwen.core.middleware.ServiceErrorMiddleware",
    "chuangwen.core.busy.BusyMiddleware",  # DB locked/unreachable → 503 + Retry-After
    "axes.middleware.AxesMiddleware",
    "chuangwen.core.idempotency.IdempotencyMiddleware",  # Idempotency-Key on API/Open311 POSTs
]

ROOT_URLCONF = "chuangwen.urls"
WSGI_APPLICATION = "chuangwen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chuangwen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chuangwen.core.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chuangwen.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # a kept connection is checked before each request reuses it, so a worker recovers by
        # itself after the database restarts instead of failing its next request
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer. IMMEDIATE: a transaction takes the write lock at
    # BEGIN, so two writers queue there (and duplicate detection is serialised) instead of one
    # failing at once when it upgrades a read to a write. timeout: how long a writer queues for
    # the lock (e.g. behind an import) before the request answers 503 "busy, retry".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("DB_BUSY_TIMEOUT", "15")),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# 等保 level 3: password length and complexity, lock-out, idle session timeout.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuangwen.core.passwords.ComplexityValidator"},
    {"NAME": "chuangwen.core.passwords.GuessableValidator"},
    # also records every password set: API tokens issued before the newest one stop working
    {"NAME": "chuangwen.core.passwords.PasswordHistoryValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lock the account, not the address: a whole office often shares one NAT address, and locking
# it by IP would lock every colleague out after one person's mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A covering index's extra columns (INCLUDE) serve PostgreSQL; SQLite keeps the index without them
SILENCED_SYSTEM_CHECKS += ["models.W040"]
# ... but many failures from one address across accounts (password spraying) refuse that
# address for the same cool-off time: core.lockout.AxesHandler adds this second limit.
AXES_HANDLER = "chuangwen.core.lockout.AxesHandler"
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", "30"))
# API tokens: lifetime given at creation (days), and the longest one may ask for.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "366"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: each request extends the session
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "chuangwen" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# thousands separators for money and areas in Chinese (chuangwen/formats/zh_Hans)
FORMAT_MODULE_PATH = ["chuangwen.formats"]
# list filters: an empty choice reads 全部 (not "---------")
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "chuangwen" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # shared by every worker process (rate limits must be), unlike a per-process memory cache;
    # its table is created by migrate (core's post_migrate runs createcachetable)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cw_cache",
        }
    }
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# periodic jobs (celery beat); each is also a manage.py command for cron or a manual run
CELERY_BEAT_SCHEDULE = {
    "task-reminders": {"task": "tasks.send_reminders", "schedule": 24 * 3600},
    "recompute-metrics": {"task": "tasks.recompute_metrics", "schedule": 24 * 3600},
    "sweep-stale-jobs": {"task": "core.sweep_stale_jobs", "schedule": 3600},
    "moral-bank-daily": {"task": "volunteers.moral_bank_daily", "schedule": 24 * 3600},
    "draft-bulletins": {"task": "assessment.draft_bulletins", "schedule": 24 * 3600},
    "propose-accountability": {"task": "assessment.propose_accountability", "schedule": 24 * 3600},
}
CELERY_TIMEZONE = TIME_ZONE

# Map tiles: an XYZ URL template reachable from the users' network; empty = plain background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
# Fernet keys encrypting personal identifiers at rest (core.crypto), newest first; empty: a key
# derived from SECRET_KEY (embedded trials only — production sets its own, kept apart from backups)
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
# the cockpit (数据大屏) polls its figures this often (seconds); ?refresh= overrides per screen
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_SECONDS", "60"))
# /api/docs and /api/openapi.json: for logged-in users only, unless the office opens them
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env_bool("CHUANGWEN_PRODUCTION", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

PLATFORM_NAME = _("创文 · 文明城市创建工作平台")
