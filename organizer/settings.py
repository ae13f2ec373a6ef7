"""Settings for Organizer: one module, read from the environment through typed helpers.

Every value has a default that works for local development (``DEBUG=1``). With ``DEBUG`` off
(the default) the settings refuse to load on an unsafe default: see ``_refuse_unsafe``.
``.env.example`` lists every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from organizer import embedded
from organizer.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Staff and captains confirm a TOTP second factor before they see any data. Only a DEBUG
# (demo/development) install may switch this off; production refuses to start without it.
REQUIRE_2FA = env_bool("REQUIRE_2FA", True)


# Keys seen in examples and tutorials: a production install with one of them signs sessions and
# password-reset links with a key an attacker may already know.
_KNOWN_KEYS = {DEV_SECRET_KEY, "changeme", "change-me", "secret", "your-secret-key", "django"}


def weak_secret_key(key: str) -> bool:
    """Short (under 50 characters), low in entropy (under 5 distinct characters, or one that
    repeats a short pattern), Django's ``django-insecure-`` default, or a known example key:
    the rules of Django's deploy check (security.W009), enforced at load time."""
    stripped = key.strip()
    lowered = stripped.lower()
    return (
        len(stripped) < 50
        or len(set(stripped)) < 5
        or stripped.startswith("django-insecure-")
        or lowered in _KNOWN_KEYS
        or any(known in lowered for known in _KNOWN_KEYS if len(known) > 10)
        or _repeats_a_short_pattern(stripped)
    )


def _repeats_a_short_pattern(key: str) -> bool:
    return any(key == (key[:n] * (len(key) // n + 1))[: len(key)] for n in range(1, 9))


def _refuse_unsafe() -> None:
    if DEBUG:
        return
    problems = []
    if weak_secret_key(SECRET_KEY):
        problems.append(
            "SECRET_KEY must be a long random value (50+ characters, not an example key): "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the site is served on")
    if not REQUIRE_2FA:
        problems.append("REQUIRE_2FA cannot be switched off in production")
    # The embedded PostgreSQL and Redis (organizer/embedded.py) are for development only.
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env_str(name):
            problems.append(f"{name} must point at the production server")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))


_refuse_unsafe()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our static (no CDN)
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "accounts",
    "hubs",
    "contacts",
    "campaigns",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "organizer.middleware.SecurityHeadersMiddleware",
    "organizer.middleware.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "organizer.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # A database error in a view answers 503 "back in a minute" (organizer/middleware.py).
    "organizer.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "organizer.urls"
WSGI_APPLICATION = "organizer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizer.context_processors.site",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or the embedded PostgreSQL under .data/ ---------------------------
DATABASE_URL = env_str("DATABASE_URL") or embedded.postgres_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,  # a PostgreSQL restart costs no failed requests
    )
}
# A few hot statements (one person's rescore, a caller's "next") are prepared once per
# connection (organizer/lib/prepared.py). Behind a connection pooler in transaction mode
# (PgBouncer), which hands a session's prepared statements to others: 0.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
if env_str("TEST_DATABASE_NAME"):  # lets parallel test runs on one server keep apart
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
# Reports read from a replica when REPORTS_DATABASE_URL is set (reports/routers.py).
REPORTS_DATABASE_URL = env_str("REPORTS_DATABASE_URL")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = dj_database_url.parse(REPORTS_DATABASE_URL, conn_max_age=60)
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["reports.routers.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: REDIS_URL, or the embedded Redis under .data/ -------------------------------------
REDIS_URL = env_str("REDIS_URL") or embedded.redis_url()

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "organizer",
        "OPTIONS": {
            # A dead Redis must not take the site down: the cache degrades to misses.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions live in PostgreSQL: they survive a Redis outage and end server-side on sign-out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "contacts:my_day"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Organizer")

# Failed sign-ins: five failures for one email from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# authenticate() receives the email as "username"; axes would otherwise look for "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Rate limits (organizer/lib/ratelimit.py: Redis counters in fixed windows of the given seconds;
# with Redis down they let everything through and the lockout above still holds).
# Failed sign-ins per address and per account (spraying many emails from one address, or one
# account from many addresses), answered 429 with a page:
RATELIMIT_SIGN_IN_PER_ADDRESS = env_int("RATELIMIT_SIGN_IN_PER_ADDRESS", 20)
RATELIMIT_SIGN_IN_PER_ACCOUNT = env_int("RATELIMIT_SIGN_IN_PER_ACCOUNT", 10)
RATELIMIT_SIGN_IN_WINDOW = env_int("RATELIMIT_SIGN_IN_WINDOW", 15 * 60)
# Password-reset requests per address and per email typed (known or not: no enumeration):
RATELIMIT_RESET_PER_ADDRESS = env_int("RATELIMIT_RESET_PER_ADDRESS", 5)
RATELIMIT_RESET_PER_EMAIL = env_int("RATELIMIT_RESET_PER_EMAIL", 3)
RATELIMIT_RESET_WINDOW = env_int("RATELIMIT_RESET_WINDOW", 60 * 60)
# API calls per signed-in user:
RATELIMIT_API_PER_USER = env_int("RATELIMIT_API_PER_USER", 120)
RATELIMIT_API_WINDOW = env_int("RATELIMIT_API_WINDOW", 60)

# --- Internationalization ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("CHAPTER_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "US")
# The largest file anyone may upload (bytes: people and address imports); bigger files get a
# clear message. 200 MB holds ~3 million rows of a typical people export.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Where uploaded import files wait (streamed to disk, never kept in memory or the cache).
IMPORT_UPLOAD_DIR = env_str("IMPORT_UPLOAD_DIR", str(embedded.DATA_DIR / "uploads"))
# An import whose worker has not written a heartbeat for this long is taken up again.
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 120)
# Outgoing webhooks: plain http:// hook URLs, and URLs resolving to private, loopback or
# link-local addresses (SSRF), are refused unless these are on (default: on only with DEBUG).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", DEBUG)
# Milliseconds any one SQL statement of a web request may run before PostgreSQL cancels it (the
# page then says 503); 0 = no limit. Celery workers and management commands never have it.
REQUEST_STATEMENT_TIMEOUT_MS = env_int("REQUEST_STATEMENT_TIMEOUT_MS", 5000)
# Map tiles for cutting turf ({z}/{x}/{y} URL template); empty = no tiles (outlines and doors
# still show). Use a tile server whose terms allow your traffic.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

# --- Static files (whitenoise) -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait on the mail server; emails are sent by workers, which retry later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Organizer <organizer@localhost>")

# --- Follow-up reminders: links in emails and texts, the SMS sender -----------------------------
# The site's address as people reach it; reminder emails and texts link to it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM = env_str("TWILIO_FROM")
# Dotted path of the SMS sender class: Twilio once TWILIO_* are set, else one that only logs.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "organizer.sms.TwilioSender" if TWILIO_ACCOUNT_SID else "organizer.sms.LoggingSender",
)

# --- Security (production) ---------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])


def _tile_origin(url: str) -> str:
    """The origin map tiles load from, for the CSP's img-src ("{s}." subdomains: a wildcard)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Content-Security-Policy (organizer/middleware.py): scripts only from our own static files (no
# inline <script>, no on…= handlers, no eval: htmx runs with allowEval off). Style attributes
# stay allowed (style-src-attr) for three data-driven bars (a share, stage sizes, tree depth);
# style elements and sheets only from our static files. Images from us, data: URIs (Leaflet's
# icons) and the map tile server.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        f"img-src 'self' data: {_tile_origin(MAP_TILE_URL)}".strip(),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Browser features no page uses are switched off; location only for this site (maps).
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # API tokens (api/auth.py: OSDI-API-Token, Authorization: Token/Bearer), then the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON written by orjson (api/renderers.py: the same bytes, a tenth of the time).
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # Per user, through organizer/lib/ratelimit.py (RATELIMIT_API_*): 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["organizer.throttles.PerUserRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI schema of the native API (/api/v1/schema/, docs at /api/v1/docs/; api/native/).
SPECTACULAR_SETTINGS = {
    "TITLE": "Organizer API",
    "DESCRIPTION": (
        "The native API (/api/v1/): people, one-on-ones and interactions, follow-ups, the "
        "ladder, hubs, turf and walk lists, workplace maps, campaigns and the report metrics. "
        "Every answer shows only what the caller's role and hubs allow on the pages; anything "
        "else is 404. Lists page by cursor: follow `next` until it is null.\n\n"
        'The Action Network–compatible API (/api/v2/, OSDI, tags "OSDI: …"): HAL+JSON, '
        "paged by `page`/`per_page`, token in the `OSDI-API-Token` header; errors are "
        '`{"error": "…"}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "PREPROCESSING_HOOKS": ["api.native.schema.only_versioned_api"],
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/v2/ ids: "<uuid>" or "action_network:<uuid>" (api/osdi/urls.py, ids.py).
    "PATH_CONVERTER_OVERRIDES": {
        "osdi": {"type": "string", "pattern": "^(?:action_network:)?[0-9a-fA-F-]{1,64}$"}
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "osdiToken": {
                "type": "apiKey",
                "in": "header",
                "name": "OSDI-API-Token",
                "description": "Your API token, as Action Network clients send it (/api/v2/).",
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "PhoneKindEnum": "contacts.models.Phone.Kind",
        "HubKindEnum": "hubs.models.Hub.Kind",
        "HubMemberRoleEnum": "contacts.models.HubMember.Role",
        "HubRoleEnum": "hubs.models.HubRole.Role",
        "AssessmentLevelEnum": "contacts.models.Assessment.Level",
        "CallListKindEnum": "campaigns.models.CallList.Kind",
        "CallListSourceEnum": "campaigns.models.CallList.Source",
        "SurveyQuestionKindEnum": "campaigns.models.SurveyQuestion.Kind",
        "CallTargetResultEnum": "campaigns.models.CallTarget.Result",
        "DoorResultEnum": "hubs.models.DoorResult.Result",
        "PressureActionKindEnum": "campaigns.models.PressureAction.Kind",
        "PressureActionSourceEnum": "campaigns.models.PressureAction.Source",
        "OsdiSubscriptionStatusEnum": [
            ("subscribed", "subscribed"),
            ("unsubscribed", "unsubscribed"),
        ],
        "OsdiEventStatusEnum": [("confirmed", "confirmed"), ("cancelled", "cancelled")],
        "OsdiAttendanceStatusEnum": [("accepted", "accepted"), ("cancelled", "cancelled")],
        "OsdiVisibilityEnum": [("public", "public"), ("private", "private")],
    },
}

# --- Celery ------------------------------------------------------------------------------------
LONGEST_TASK_SECONDS = 60 * 30
CELERY_BROKER_URL = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://")
    if REDIS_URL.startswith("unix://")
    else REDIS_URL
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = LONGEST_TASK_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = LONGEST_TASK_SECONDS - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task, or Redis would hand an unacknowledged task to a second worker.
    "visibility_timeout": LONGEST_TASK_SECONDS * 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
# organizer/ is not an installed app, so autodiscovery does not see its tasks module.
CELERY_IMPORTS = ["organizer.tasks"]
CELERY_BEAT_SCHEDULE_FILENAME = str(embedded.DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Heartbeat: proves beat and worker are alive; writes the time to the cache for /healthz.
    "heartbeat": {"task": "organizer.tasks.heartbeat", "schedule": crontab(minute="*")},
    # Ladder catch-up: rescore people whose activity changed (needs_rescore), every minute.
    "ladder-catch-up": {"task": "contacts.tasks.ladder_catch_up_task", "schedule": crontab()},
    # Ladder jobs: run full rescores still waiting (queued while Redis was down), every minute.
    "ladder-jobs": {"task": "contacts.tasks.ladder_jobs_sweep_task", "schedule": crontab()},
    # Ladder nightly: at 03:00 chapter time, rescore the people past their crossing time (decay).
    "ladder-nightly": {
        "task": "contacts.tasks.ladder_nightly_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Imports: queue those left pending (Redis was down) and take up those whose worker died.
    "imports-sweep": {"task": "contacts.tasks.imports_sweep_task", "schedule": crontab()},
    # Invitations and password resets: send emails still waiting, retry failed ones.
    "account-emails": {"task": "accounts.tasks.account_emails_sweep_task", "schedule": crontab()},
    # Follow-up reminders: plan today's digests whose hour has come, send them, retry failures.
    "reminders-tick": {"task": "contacts.tasks.reminders_tick", "schedule": crontab(minute="*/5")},
    # Event messages: plan the day-before and two-hours-before reminders, send what is due.
    "event-messages-tick": {
        "task": "campaigns.tasks.event_messages_tick",
        "schedule": crontab(minute="*/5"),
    },
    # Webhooks: send deliveries due for a retry, and take up those whose worker died mid-send.
    "webhooks-sweep": {"task": "api.tasks.webhooks_sweep_task", "schedule": crontab()},
    # Syncs from Action Network: start those left pending, take up those whose worker died.
    "sync-sweep": {"task": "api.tasks.sync_sweep_task", "schedule": crontab()},
    # Weekly report email: plan this week's summaries (Monday 07:00 on), send the unsent, hourly.
    "reports-weekly": {
        "task": "reports.tasks.weekly_summaries_task",
        "schedule": crontab(minute=10, hour="7-20", day_of_week="mon"),
    },
    # Report facts: rewrite each person's neighborhood and first activity (reports_personfact).
    "reports-person-facts": {
        "task": "reports.tasks.person_facts_refresh_task",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django_redis": {"level": "ERROR"}, "pgserver": {"level": "WARNING"}},
}

DEMO_MODE = env_bool("DEMO_MODE", False)
