"""Settings for the clinic site, read from the environment.

Defaults are safe first and convenient second: with nothing set, DEBUG is off and the
site refuses to start without SECRET_KEY and ALLOWED_HOSTS. The Makefile and pytest set
DEBUG=1 for local work, which brings the embedded defaults (SQLite under var/, eager
Celery tasks, local-memory cache, console email).
"""

import datetime as dt
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A local `.env` file (git-ignored; `make` writes DEBUG=1 into it on first use) lets plain
# `python manage.py ...` work in a development checkout. Variables already set in the
# environment win; DJANGO_ENV_FILE="" turns the file off. Production needs no such file.
_env_file = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    environ.Env.read_env(_env_file)


def _env_str(name: str, default: str = "") -> str:
    """An environment value where an empty string counts as unset."""
    return env.str(name, default="") or default


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = _env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DEBUG off) needs a long random "
            "SECRET_KEY in the environment; for local development set DEBUG=1."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (dev only)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Production mode (DEBUG off) needs the host names "
            "the site answers to, comma-separated, e.g. ALLOWED_HOSTS=clinic.example.org."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clinic.apps.ClinicConfig",
    "assessments.apps.AssessmentsConfig",
    "treatments.apps.TreatmentsConfig",
    "interop.apps.InteropConfig",
    "custody.apps.CustodyConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

# Demo and benchmark tools (seed_demo, seed_bench, bench, totp_code, ...): in development, or
# where CLINIC_DEVTOOLS=1 asks for them (`make bench`, a throwaway demo server). A production
# site has none of these commands.
CLINIC_DEVTOOLS = DEBUG or env.bool("CLINIC_DEVTOOLS", default=False)
if CLINIC_DEVTOOLS:
    INSTALLED_APPS.append("devtools.apps.DevtoolsConfig")

MIDDLEWARE = [
    # Outermost, so the time it reports covers every other middleware too.
    "clinic.middleware.server_timing",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the session (it reads it) and after WhiteNoise (static files, answered
    # there, keep their long caching), outside everything else, so that every response a
    # signed-in user gets passes through it: pages, htmx partials, downloads, and also the
    # redirects and refusals made by the middleware below (timeout, two-factor, CSRF,
    # lockout) and the error pages.
    "clinic.middleware.no_store_when_signed_in",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the clinic's own middleware, which answer an htmx request with HX-Redirect
    # (never a login page swapped into the editor): they need `request.htmx`.
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.middleware.SessionTimeoutMiddleware",
    "clinic.middleware.StaffTwoFactorMiddleware",
    "clinic.middleware.EmergencyAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.permissions_policy",
    # Last, as django-axes asks: it turns a lockout signalled during sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
    {
        # Only the hot fragments (the desk's day grid, the patient search's rows), rendered
        # through clinic.fragments from clinic/jinja2/; every page stays a Django template.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "clinic.fragments.environment"},
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite under var/ by default (zero set-up); PostgreSQL in production and CI via
# DATABASE_URL, e.g. postgres://clinic:secret@db.internal:5432/clinic (psycopg 3).
# Importing settings does no I/O: ClinicConfig.ready creates the local directories in use.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"),
}
_db = DATABASES["default"]
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and in-process tasks read while one writes; IMMEDIATE
    # transactions take the write lock up front instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The covering indexes' INCLUDE columns are a PostgreSQL feature; SQLite builds the
    # plain index and says so on every command. Nothing to act on for the embedded database.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"

# --- Redis: Celery broker and cache ------------------------------------------------------
REDIS_URL = _env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (namespace CELERY_, read by clinic/celery.py). Without REDIS_URL tasks run eagerly,
# in-process, so `make run` needs no broker; with it, a worker (make worker) runs them.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Redis re-delivers an unacknowledged message after this long; it must exceed the longest
# task, because acks_late keeps a message unacknowledged until its task has finished.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_MAX_TASKS_PER_CHILD", default=200)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Work state lives in database rows (e.g. a summary's status), not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A broker that is down must not hold a request for long: two quick retries, then the
# caller gives up (work tracked by a row is sent again by its sweeper).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# PDF rendering has its own queue, so a dedicated worker (make pdf-worker) can bound its
# memory with a lower max-tasks-per-child and never delays reminders or alerts.
CELERY_TASK_ROUTES = {
    "treatments.tasks.visit_summary_render_task": {"queue": "pdf"},
    "treatments.tasks.course_summary_render_task": {"queue": "pdf"},
    "treatments.tasks.record_copy_render_task": {"queue": "pdf"},
    "treatments.tasks.discharge_summary_render_task": {"queue": "pdf"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "clinic.tasks.worker_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "appointment-reminders": {
        "task": "clinic.tasks.appointment_reminders_task",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
    "ims-spacing-audit": {
        "task": "clinic.tasks.spacing_audit_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # The clinic dashboard's precomputed facts, recounted from the rows (a safety net for
    # writes that went around the services).
    "dashboard-facts-rebuild": {
        "task": "clinic.tasks.dashboard_facts_rebuild_task",
        "schedule": crontab(hour=3, minute=10),
    },
    "ims-recall": {
        "task": "clinic.tasks.recall_task",
        "schedule": crontab(hour=9, minute=0),
    },
    "remeasure-reminders": {
        "task": "clinic.tasks.remeasure_reminders_task",
        "schedule": crontab(hour=9, minute=30),
    },
    "summaries-sweep": {
        "task": "treatments.tasks.summaries_sweep_task",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    "clear-expired-sessions": {
        "task": "clinic.tasks.sessions_clear_expired_task",
        "schedule": 24 * 60 * 60.0,
    },
    "waitlist-offers-expire": {
        "task": "clinic.tasks.waitlist_offers_expire_task",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # A quiet hour; /healthz warns when the last good backup is older than 26 hours.
    "nightly-backup": {
        "task": "custody.tasks.backup_nightly_task",
        "schedule": crontab(hour=1, minute=30),
    },
}

# --- Authentication -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it counts failed sign-ins and refuses a locked-out account before the
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Ten failures lock the account (from any address) and, separately, the address (for any
# account): guessing one password from many machines, or many passwords from one, both
# stop. Successful sign-ins reset the count. Clinic admins unlock early with
# `manage.py axes_reset_username NAME` or `axes_reset_ip ADDRESS`.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.views.home.locked_out"
AXES_VERBOSE = False
# "The address" is the client's, found the way the access log finds it: behind
# TRUSTED_PROXY_COUNT load balancers, that many entries from the right of X-Forwarded-For
# (what is further left is the client's own claim and is ignored). Without this, axes 8
# (django-ipware is not installed, so its AXES_IPWARE_* settings do nothing) would count
# REMOTE_ADDR, the load balancer's address: one guesser would lock every user out.
AXES_CLIENT_IP_CALLABLE = "clinic.origin.client_ip"

# Two-factor sign-in (TOTP, django-otp) for every staff role. It can be switched off only
# in development (DEBUG on), e.g. to click through the demo quickly.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=True)
if not DEBUG and not OTP_REQUIRED_FOR_STAFF:
    raise ImproperlyConfigured("OTP_REQUIRED_FOR_STAFF can be off only with DEBUG on.")
OTP_TOTP_ISSUER = env.str("CLINIC_NAME", default="Cedar IMS Physiotherapy")

# Sessions: signed out after a quiet spell (staff sooner: shared clinic computers) and in
# any case after a working day. A new session key is issued at every sign-in.
SESSION_IDLE_MINUTES_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=15)
SESSION_IDLE_MINUTES_PATIENT = env.int("SESSION_IDLE_MINUTES_PATIENT", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=12) * 60 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link is good for three hours

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-ca"
TIME_ZONE = env.str("TIME_ZONE", default="America/Vancouver")  # the clinic's local time
USE_I18N = True
USE_TZ = True

# --- Static files and storage -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Several app servers and workers need one shared store: set PRIVATE_STORAGE_S3_BUCKET (and
# install requirements-s3.txt) to keep patient documents in a private S3-compatible bucket.
# Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
PRIVATE_STORAGE_S3_BUCKET = _env_str("PRIVATE_STORAGE_S3_BUCKET")
STORAGES = {
    # Patient documents (PDF summaries): never under STATIC_ROOT, never served directly;
    # only through an authorised, audit-logged view.
    "default": {
        "BACKEND": "clinic.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
if PRIVATE_STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_S3_BUCKET,
            "endpoint_url": _env_str("PRIVATE_STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": _env_str("PRIVATE_STORAGE_S3_REGION") or None,
            "location": env.str("PRIVATE_STORAGE_S3_PREFIX", default="private"),
            "default_acl": "private",
            "querystring_auth": True,  # never a public URL; the app streams the file anyway
            "file_overwrite": True,
        },
    }

# --- Backups (custody, docs/OPERATIONS.md) ----------------------------------------------------
# The nightly job writes an archive here and keeps the newest CLINIC_BACKUP_KEEP. Put it on
# another disk (or set CLINIC_BACKUP_STORAGE to a STORAGES entry, a bucket, to copy it off
# the machine). CLINIC_BACKUP_KEY (32 bytes, URL-safe base64; `manage.py backup
# --generate-key`) encrypts archives; keep it apart from them, a lost key is a lost backup.
CLINIC_BACKUP_DIR = env.path("CLINIC_BACKUP_DIR", default=VAR_DIR / "backups")
CLINIC_BACKUP_KEEP = env.int("CLINIC_BACKUP_KEEP", default=14)
CLINIC_BACKUP_KEY = env.str("CLINIC_BACKUP_KEY", default="")
CLINIC_BACKUP_STORAGE = env.str("CLINIC_BACKUP_STORAGE", default="")
CLINIC_BACKUP_MAX_AGE_HOURS = env.int("CLINIC_BACKUP_MAX_AGE_HOURS", default=26)

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587; console by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clinic <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if "EMAIL_FILE_PATH" in _email:  # filemail:///path writes each message to a file there
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]

# --- The clinic -------------------------------------------------------------------------------
CLINIC_NAME = env.str("CLINIC_NAME", default="Cedar IMS Physiotherapy")
# The canonical base of the FHIR export's local code systems, extensions and questionnaires
# (interop.fhir; listed in docs/INTEROPERABILITY.md). Also the namespace of the stable ids:
# change it and every exported id changes, so set it once per clinic.
FHIR_CANONICAL_BASE = env.str(
    "FHIR_CANONICAL_BASE", default="https://gunn-ims-clinic.example/fhir/"
)
CLINIC_PHONE = env.str("CLINIC_PHONE", default="604-555-0142")
CLINIC_EMAIL = env.str("CLINIC_EMAIL", default="hello@cedar-ims.example")
# ISO 3166 country of the clinic: phone numbers typed without a country code are read as
# this country's (clinic/contact.py).
CLINIC_COUNTRY = env.str("CLINIC_COUNTRY", default="CA")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="2150 West 4th Avenue, Vancouver, BC")
# Patient documents: paper size (Letter or A4) and how long a summary may stay pending
# before the sweeper sends it to the queue again.
SUMMARY_PAGE_SIZE = env.str("SUMMARY_PAGE_SIZE", default="Letter")
SUMMARY_STUCK_MINUTES = env.int("SUMMARY_STUCK_MINUTES", default=3)
# Absolute address of the site, for links in e-mails sent by background tasks.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PORTAL_INVITATION_DAYS = env.int("PORTAL_INVITATION_DAYS", default=7)
# Calendar feeds (interop): fetches of one subscription link allowed per hour; calendar
# apps poll every few minutes at most, so more is a script or a leaked link (answered 429).
CALENDAR_FEED_FETCHES_PER_HOUR = env.int("CALENDAR_FEED_FETCHES_PER_HOUR", default=60)
IMS_MIN_INTERVAL_DAYS = env.int("IMS_MIN_INTERVAL_DAYS", default=7)
# The fewest days between IMS visits inside the first two weeks of a care plan that allows
# twice weekly (clinic.selectors.scheduling.EarlyAllowance gives the sources).
IMS_EARLY_MIN_INTERVAL_DAYS = env.int("IMS_EARLY_MIN_INTERVAL_DAYS", default=3)
# How long a waitlist offer's e-mailed link can be used (it also ends when the slot starts).
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=2)
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="gunn-ims-demo")
# How many reverse proxies (load balancers) sit in front of the app and append to
# X-Forwarded-For; 0 means REMOTE_ADDR is the client. Used for the access log's IP and
# for the sign-in lockout's per-address count (AXES_CLIENT_IP_CALLABLE).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Forms ------------------------------------------------------------------------------------
# Widget templates may live in templates/ (e.g. templates/clinic/widgets/).
FORM_RENDERER = "clinic.renderers.FastWidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    # Behind a TLS-terminating load balancer, tell Django which header marks HTTPS.
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): our own files only; no inline script or style, no
# framing, forms post only to us. Scripts live in static/js and static/vendor.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Server-Timing: app;dur=<ms> on every response (clinic.middleware.server_timing), read by
# `manage.py bench` and browsers' developer tools. Durations only; 0 turns it off.
SERVER_TIMING = env.bool("SERVER_TIMING", default=True)

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {
        "no_phi": {"()": "clinic.logging.WithholdExceptionMessages"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_phi"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO, and fontTools its subsetting.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Without REDIS_URL tasks run in-process over kombu's memory transport, which has no
        # host and says so once per process ("No hostname was supplied").
        "kombu.connection": {"level": "ERROR" if not REDIS_URL else "WARNING"},
    },
}
