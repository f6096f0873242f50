"""Settings for Peyvand, read from the environment and secure by default.

Nothing secret is committed: when SECRET_KEY is not set, a random key is generated once
and kept in the data directory, so a fresh clone runs with `make run` alone.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("PEYVAND_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "huey.contrib.djhuey",
    "ninja",
    # In the order of their ladder (docs/architecture.md): an app uses only those above it here.
    "peyvand.core",
    "peyvand.customers",
    "peyvand.interactions",
    "peyvand.notifications",
    "peyvand.sales",
    "peyvand.activities",
    "peyvand.service",
    "peyvand.marketing",
    "peyvand.analytics",
    "peyvand.portal",
    "peyvand.adoption",
    "peyvand.automation",
]

MIDDLEWARE = [
    "peyvand.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peyvand.core.middleware.UserLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peyvand.core.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "peyvand.core.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "peyvand.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "peyvand.urls"
WSGI_APPLICATION = "peyvand.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "peyvand.core.context_processors.peyvand",
            ],
            # Only core's tags are everywhere; a template loads an app's own ({% load sales %}).
            "builtins": ["peyvand.core.templatetags.peyvand"],
        },
    }
]

FORM_RENDERER = "peyvand.core.forms.FormRenderer"

# --- database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'peyvand.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades from read to write inside a transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background worker --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Periodic jobs run on the installation's clock (TIME_ZONE, which Django makes the
# process's): the nightly analysis at 03:07 in Tehran, not at 03:07 UTC.
HUEY: dict[str, Any]
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "peyvand", "url": REDIS_URL, "utc": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "peyvand",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "utc": False,
    }

# --- authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection: after this many failures within the window, one address waits
# before trying that account again (the wait doubles with each further failure); the
# account stays open from every other address.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"
# Behind an HTTPS reverse proxy (docs/administration.md): HTTPS only, and HSTS once it works.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
if env_bool("BEHIND_HTTPS_PROXY"):
    # The proxy says the request came over HTTPS; only trust it when it is the only way in.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- languages, time zones, formats -------------------------------------------------------
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "peyvand_language"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tehran"

# --- static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static", PROJECT_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "peyvand.core.storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are for developers' tools and megabytes large: not worth compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- imports ---
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(300 * 1024 * 1024)))
# A run of an import that is not heard from for this long is presumed dead; another may
# take the job over (`peyvand import resume` waits for that).
PEYVAND_IMPORT_LEASE_SECONDS = int(os.environ.get("PEYVAND_IMPORT_LEASE_SECONDS", "60"))

# --- API ----------------------------------------------------------------------------------
NINJA_PAGINATION_MAX_LIMIT = 200
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_forbidden": {"()": "peyvand.core.logging.QuietForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 403 is logged without its traceback: a refused request is no error of ours.
        "django.request": {"filters": ["quiet_forbidden"]},
        # The worker's command adds its own handler; without this every line prints twice.
        "huey": {"propagate": False},
    },
}

# --- communications (activities, notifications, email, SMS, telephony) --------------------
# Everything works offline by default: mail goes to files under the data directory, SMS to
# the log, inbound mail is read from a folder of .eml files. Set the variables to go live.
# Outgoing webhooks (interactions): each delivery's time limit, its attempts, the first wait
# before a retry (then four times longer each time, at most 12 hours), how many failures in a
# row pause a webhook, and how long finished deliveries are kept.
PEYVAND_WEBHOOK_TIMEOUT = float(os.environ.get("PEYVAND_WEBHOOK_TIMEOUT", "5"))
PEYVAND_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("PEYVAND_WEBHOOK_MAX_ATTEMPTS", "8"))
PEYVAND_WEBHOOK_RETRY_SECONDS = int(os.environ.get("PEYVAND_WEBHOOK_RETRY_SECONDS", "60"))
PEYVAND_WEBHOOK_PAUSE_AFTER = int(os.environ.get("PEYVAND_WEBHOOK_PAUSE_AFTER", "20"))
PEYVAND_WEBHOOK_KEEP_DAYS = int(os.environ.get("PEYVAND_WEBHOOK_KEEP_DAYS", "30"))
# Never from the environment: only the tests let a webhook reach their own local receiver.
PEYVAND_WEBHOOK_ALLOW_PRIVATE = False
# An invitation link to choose a password is good for a week.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600
PEYVAND_BASE_URL = os.environ.get("PEYVAND_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(DATA_DIR / "mail" / "sent")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Peyvand <crm@localhost>")
# Domain of the Message-ID of every outgoing email (the outbox's idempotency key sits left of it).
PEYVAND_MESSAGE_ID_DOMAIN = os.environ.get("PEYVAND_MESSAGE_ID_DOMAIN", "peyvand.local")

# Inbound email: an IMAP mailbox when PEYVAND_IMAP_HOST is set, else a folder of .eml files.
PEYVAND_INBOX_DIR = Path(os.environ.get("PEYVAND_INBOX_DIR", DATA_DIR / "inbox"))
PEYVAND_IMAP_HOST = os.environ.get("PEYVAND_IMAP_HOST", "")
PEYVAND_IMAP_PORT = int(os.environ.get("PEYVAND_IMAP_PORT", "993"))
PEYVAND_IMAP_USER = os.environ.get("PEYVAND_IMAP_USER", "")
PEYVAND_IMAP_PASSWORD = os.environ.get("PEYVAND_IMAP_PASSWORD", "")
PEYVAND_IMAP_FOLDER = os.environ.get("PEYVAND_IMAP_FOLDER", "INBOX")
PEYVAND_IMAP_SSL = env_bool("PEYVAND_IMAP_SSL", True)
PEYVAND_ATTACHMENTS_DIR = Path(os.environ.get("PEYVAND_ATTACHMENTS_DIR", DATA_DIR / "attachments"))
PEYVAND_ATTACHMENT_MAX_BYTES = int(os.environ.get("PEYVAND_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
# Who automatic records (suspects from unknown senders and callers, consent withdrawals)
# are written as; the first active administrator when unset.
PEYVAND_SYSTEM_USER = os.environ.get("PEYVAND_SYSTEM_USER", "")

# The service desk: the address customers answer tickets at (the inbox's), and whether an
# email that answers no ticket opens one (the inbox is a support inbox).
PEYVAND_SUPPORT_EMAIL = os.environ.get("PEYVAND_SUPPORT_EMAIL", "")
# A satisfaction survey (CSAT) goes to the customer once a ticket is resolved.
PEYVAND_SURVEY_AFTER_RESOLVED = env_bool("PEYVAND_SURVEY_AFTER_RESOLVED", True)
PEYVAND_TICKETS_FROM_EMAIL = env_bool("PEYVAND_TICKETS_FROM_EMAIL", True)
# An SMS that answers no ticket opens one only when this is set (most are replies to campaigns).
PEYVAND_TICKETS_FROM_SMS = env_bool("PEYVAND_TICKETS_FROM_SMS", False)

# SMS: "console" (the log), "file" (one JSON line per message under the data directory) or
# "http" (a gateway: POST JSON to PEYVAND_SMS_URL with the key as a bearer token).
PEYVAND_SMS_BACKEND = os.environ.get("PEYVAND_SMS_BACKEND", "console")
PEYVAND_SMS_URL = os.environ.get("PEYVAND_SMS_URL", "")
PEYVAND_SMS_API_KEY = os.environ.get("PEYVAND_SMS_API_KEY", "")
PEYVAND_SMS_SENDER = os.environ.get("PEYVAND_SMS_SENDER", "")
PEYVAND_SMS_FILE = Path(os.environ.get("PEYVAND_SMS_FILE", DATA_DIR / "sms" / "sent.jsonl"))
PEYVAND_SMS_TIMEOUT = float(os.environ.get("PEYVAND_SMS_TIMEOUT", "15"))
# Price of one SMS segment, shown before sending (Decimal text) and its ISO currency.
PEYVAND_SMS_SEGMENT_PRICE = os.environ.get("PEYVAND_SMS_SEGMENT_PRICE", "1500")
PEYVAND_SMS_CURRENCY = os.environ.get("PEYVAND_SMS_CURRENCY", "IRR")
# The shared secret an SMS gateway sends with replies (POST /api/v1/sms/inbound).
PEYVAND_SMS_WEBHOOK_TOKEN = os.environ.get("PEYVAND_SMS_WEBHOOK_TOKEN", "")

# Telephony (CTI): the shared secret a PBX sends to POST /api/v1/telephony/calls.
PEYVAND_TELEPHONY_TOKEN = os.environ.get("PEYVAND_TELEPHONY_TOKEN", "")
# The area code a local number without one (88776655) is dialled in: Tehran's by default.
PEYVAND_TELEPHONY_AREA_CODE = os.environ.get("PEYVAND_TELEPHONY_AREA_CODE", "21").strip().lstrip("0")

# The outbox: attempts before a message is failed for good, and the first retry's delay
# (doubled at each attempt, capped); a claimed message is reclaimed after the lease.
PEYVAND_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("PEYVAND_OUTBOX_MAX_ATTEMPTS", "6"))
PEYVAND_OUTBOX_RETRY_SECONDS = int(os.environ.get("PEYVAND_OUTBOX_RETRY_SECONDS", "60"))
PEYVAND_OUTBOX_LEASE_SECONDS = int(os.environ.get("PEYVAND_OUTBOX_LEASE_SECONDS", "300"))

# Follow-up: how long after its due time an ignored activity is escalated to the team's
# manager (a team's own setting wins), and the weekdays nobody works (Python weekday
# numbers, Monday 0: Friday in Iran), which "schedule next contact" skips.
PEYVAND_ESCALATION_DELAY_MINUTES = int(os.environ.get("PEYVAND_ESCALATION_DELAY_MINUTES", "1440"))
PEYVAND_WEEKEND = [int(day) for day in env_list("PEYVAND_WEEKEND", "4")]
# --- end of communications ----------------------------------------------------------------
