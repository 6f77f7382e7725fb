"""Opus settings: one module, read from the environment through small typed helpers.

Development is the default (SQLite in var/, DEBUG on, e-mail to the console).
`OPUS_ENV=production` turns on the secure defaults and refuses to start without
the values a real installation must set.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from opus.core.storage_settings import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str | None = None) -> str | None:
    """A string from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when OPUS_ENV=production")
    return value


def database_from_url(url: str) -> dict[str, object]:
    """PostgreSQL settings from postgresql://user:password@host:port/name."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be postgresql://…, not {parsed.scheme}://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }


def sqlite_database() -> dict[str, object]:
    """SQLite tuned for a small server: WAL, a busy timeout, writers serialised."""
    path = env_str("SQLITE_PATH") or str(VAR_DIR / "opus.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                " PRAGMA foreign_keys=ON;"
            ),
        },
        # OPUS_TEST_SQLITE lets several test runs on one machine keep their own file.
        "TEST": {"NAME": env_str("OPUS_TEST_SQLITE") or str(VAR_DIR / "test-opus.sqlite3")},
    }


OPUS_ENV = env_str("OPUS_ENV", "development")
PRODUCTION = OPUS_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = required("SECRET_KEY") if PRODUCTION else env_str("SECRET_KEY", "dev-only-insecure")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not env_str("ALLOWED_HOSTS"):
    required("ALLOWED_HOSTS")
SITE_NAME = env_str("OPUS_SITE_NAME", "Opus")
SITE_URL = env_str("OPUS_SITE_URL", "http://127.0.0.1:8000")
SYNTHETIC_DATA_BANNER = env_bool("OPUS_SYNTHETIC_DATA", not PRODUCTION)
# The council running Opus, named in the privacy notice (the data controller), the
# accessibility statement and the phase banner's feedback link. The placeholders are for the
# demo: a production check warns while they are left as they are.
OPUS_COUNCIL_NAME = env_str("OPUS_COUNCIL_NAME", "Example Council")
OPUS_COUNCIL_EMAIL = env_str("OPUS_COUNCIL_EMAIL", "opus@example.gov.uk")
OPUS_DPO_EMAIL = env_str("OPUS_DPO_EMAIL", "") or OPUS_COUNCIL_EMAIL  # data protection officer
OPUS_FEEDBACK_URL = (
    env_str("OPUS_FEEDBACK_URL", "") or f"mailto:{OPUS_COUNCIL_EMAIL}?subject=Opus%20feedback"
)

# Commissioning and open procurement.
# The publisher's registered OCDS prefix (https://standard.open-contracting.org/latest/en/
# guidance/build/#register-an-ocid-prefix); the default marks data as not yet registered.
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-xxxxxx")
# Your registered 360Giving prefix for published grants (required in production: opus.E005).
OPUS_360_PREFIX = env_str("OPUS_360_PREFIX", "")
OCDS_PUBLISHER_NAME = env_str("OCDS_PUBLISHER_NAME", "")
# Contracts under this value may use the light-touch procedure with no PQQ (pence; £100,000).
COMMISSIONING_LIGHT_TOUCH_THRESHOLD_PENCE = env_int(
    "COMMISSIONING_LIGHT_TOUCH_THRESHOLD_PENCE", 10_000_000
)
# The fewest evaluators free of conflict of interest who score before moderation.
COMMISSIONING_MIN_PANEL = env_int("COMMISSIONING_MIN_PANEL", 2)
# A tender's social value weight may not be under this percentage (of the quality score under
# price per quality point); 0 to 100.
OPUS_SOCIAL_VALUE_MIN_WEIGHT = env_int("OPUS_SOCIAL_VALUE_MIN_WEIGHT", 10)
if not 0 <= OPUS_SOCIAL_VALUE_MIN_WEIGHT <= 100:
    raise ImproperlyConfigured("OPUS_SOCIAL_VALUE_MIN_WEIGHT must be a percentage from 0 to 100")
# How many services the demo directory has (0 to 20,000; opus/directory/demo.py checks).
OPUS_DEMO_SERVICES = env_int("OPUS_DEMO_SERVICES", 1500)
# The largest amount a bid, lot, opportunity or contract may carry (pence; £10 billion), far
# above any real contract: larger ones are refused at the form, the API and the service.
OPUS_MAX_CONTRACT_PENCE = env_int("OPUS_MAX_CONTRACT_PENCE", 1_000_000_000_000)
# Wraps each opportunity's bid-opening key. Set it apart from SECRET_KEY in production, so
# that rotating SECRET_KEY does not make the sealed bids of open opportunities unopenable.
OPUS_BID_SEALING_SECRET = (
    required("OPUS_BID_SEALING_SECRET") if PRODUCTION else env_str("OPUS_BID_SEALING_SECRET", "")
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "ninja",
    "opus.core",
    "opus.needs",
    "opus.directory",
    "opus.choice",
    "opus.knowledge",
    "opus.budgets",
    "opus.commissioning",
    "opus.notifications",
    "opus.neighbourhoods",
    "opus.voice",
    "opus.allocation",
]

MIDDLEWARE = [
    "opus.core.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opus.core.replica.ReplicaMiddleware",
    "opus.core.ratelimit.RateLimitMiddleware",
    "opus.core.cors.OpenDataCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "opus.core.middleware.IdleSessionMiddleware",
    "opus.core.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opus.urls"
WSGI_APPLICATION = "opus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "opus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opus.core.context_processors.site",
                "opus.choice.acting.acting_banner",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": database_from_url(DATABASE_URL) if DATABASE_URL else sqlite_database()}
# Public read-only requests may read from a replica (opus/core/replica.py). Without one the
# `replica` alias is the primary under another name (and in tests a mirror of it).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
OPUS_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASES["replica"] = {
    **(database_from_url(DATABASE_REPLICA_URL) if DATABASE_REPLICA_URL else DATABASES["default"]),
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = ["opus.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:sign_in"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# Failed sign-ins lock the account they name, whichever address they come from (behind a
# proxy every visitor shares its address); its owner is told (opus/core/account_security.py).
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address as a lockout key too; it is left out on purpose: behind a
# proxy, or a council's shared network, five failures by anyone would lock out everyone.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "opus.core.throttle.client_ip"
# The client's address, for sign-in records and throttles. Off (0) by default: the connecting
# address is used and any forwarding header ignored, since a client can write one. Behind N
# reverse proxies that each append to OPUS_TRUSTED_PROXY_HEADER, set N: the address N places
# from the right of that header is the client's.
OPUS_TRUSTED_PROXY_COUNT = env_int("OPUS_TRUSTED_PROXY_COUNT", 0)
OPUS_TRUSTED_PROXY_HEADER = env_str("OPUS_TRUSTED_PROXY_HEADER", "X-Forwarded-For")
# Password-reset e-mails: at most this many an hour to one address, and from one client.
OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env_int("OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", 3)
OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR = env_int("OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR", 10)
# Two-factor sign-in (opus/core/twofactor.py): commissioners, auditors and administrators must
# give a code from an authenticator app (or a backup code) as well as their password. On by
# default in production, off in the demo and tests; anyone may turn it on for themselves.
OPUS_REQUIRE_2FA = env_bool("OPUS_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = SITE_NAME
# API tokens stop working this many days after they are made.
OPUS_API_TOKEN_LIFETIME_DAYS = env_int("OPUS_API_TOKEN_LIFETIME_DAYS", 90)
# A session ends after this many minutes without a request (opus.core.middleware).
OPUS_SESSION_IDLE_MINUTES = env_int("OPUS_SESSION_IDLE_MINUTES", 30 if PRODUCTION else 480)
# The stored session and its cookie outlive the idle limit by the minute the middleware
# waits between refreshes of them; the middleware enforces the limit itself.
SESSION_COOKIE_AGE = OPUS_SESSION_IDLE_MINUTES * 60 + 60

LANGUAGE_CODE = "en-gb"
# English and Welsh: the header's toggle (a cookie) or the browser's Accept-Language chooses;
# a string with no Welsh translation yet shows in English (opus/locale/cy).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "opus" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "opus" / "static"]
# Uploaded files (PB delivery photos) through Django's storage API; never served from MEDIA_URL
# by the web server as pages: `neighbourhoods.photos` streams them with their checked type.
MEDIA_ROOT = Path(env_str("OPUS_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": default_storage(os.environ, str(MEDIA_ROOT)),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "opus@localhost")
# Notifications (opus/notifications): through GOV.UK Notify when its API key is set, else by
# EMAIL_BACKEND. Notify needs one e-mail template with ((subject)) and ((body)), and for text
# messages one with ((body)); text messages are sent only through Notify.
OPUS_NOTIFY_API_KEY = env_str("OPUS_NOTIFY_API_KEY", "")
OPUS_NOTIFY_EMAIL_TEMPLATE_ID = env_str("OPUS_NOTIFY_EMAIL_TEMPLATE_ID", "")
OPUS_NOTIFY_SMS_TEMPLATE_ID = env_str("OPUS_NOTIFY_SMS_TEMPLATE_ID", "")
if PRODUCTION and OPUS_NOTIFY_API_KEY and not OPUS_NOTIFY_EMAIL_TEMPLATE_ID:
    required("OPUS_NOTIFY_EMAIL_TEMPLATE_ID")
# A notice is tried this many times, with waits of 1, 5, 30 and 120 minutes, then marked failed.
OPUS_NOTIFY_MAX_ATTEMPTS = env_int("OPUS_NOTIFY_MAX_ATTEMPTS", 5)

# Background tasks through django-tasks: its database backend by default (worker: `manage.py
# db_worker`), or Redis through RQ with OPUS_TASKS_BACKEND=rq (worker: `manage.py rqworker
# default`; opus/core/rq_backend.py hands jobs to Redis when their transaction commits).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "opus.core.rq_backend.OnCommitRQBackend",
}
OPUS_TASKS_BACKEND = env_str("OPUS_TASKS_BACKEND", "database") or "database"
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS.get(OPUS_TASKS_BACKEND, OPUS_TASKS_BACKEND),
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {
    "default": {
        "URL": env_str("OPUS_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": 3600,
    }
}

# Secure defaults; `manage.py check --deploy` passes with OPUS_ENV=production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The proxy asks the web processes directly, over plain HTTP, whether they live and are ready.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Logs: JSON lines in production (one per request on `opus.requests`, each with its request
# id; see opus/core/request_log.py), readable text otherwise; OPUS_LOG_FORMAT overrides.
OPUS_LOG_FORMAT = env_str("OPUS_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "opus.core.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if OPUS_LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "opus.requests": {
            "level": env_str("OPUS_REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")
        }
    },
}

OPUS_SUPPRESSION_THRESHOLD = env_int("OPUS_SUPPRESSION_THRESHOLD", 5)
# The cache (rate-limit counts): each process's memory, or Redis shared by every web process.
OPUS_CACHE_URL = env_str("OPUS_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": OPUS_CACHE_URL}
        if OPUS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# API requests a minute (opus/core/ratelimit.py): per bearer token, and per address.
OPUS_API_RATE_LIMITS = env_bool("OPUS_API_RATE_LIMITS", True)
OPUS_API_RATE_PER_TOKEN = env_int("OPUS_API_RATE_PER_TOKEN", 600)
OPUS_API_RATE_PER_ADDRESS = env_int("OPUS_API_RATE_PER_ADDRESS", 120)
# The audit log's and the ledger's hot statements are prepared on PostgreSQL (opus/core/sql.py);
# turn off behind a connection pooler in transaction mode that cannot keep prepared statements.
OPUS_PREPARED_STATEMENTS = env_bool("OPUS_PREPARED_STATEMENTS", True)
# The largest amount one ledger operation may move (pence; £10 billion), far above any real
# budget: `opus/budgets/ledger.py: post` refuses more. The database itself refuses any stored
# amount or running figure beyond ±10^15 pence (CHECK constraints), so keep this below that.
OPUS_MAX_AMOUNT_PENCE = env_int("OPUS_MAX_AMOUNT_PENCE", 1_000_000_000_000)
