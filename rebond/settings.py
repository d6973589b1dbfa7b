"""Settings for Rebond, read from the environment through strict parsers.

`.env.example` documents every variable in one line. Development (`make run`) sets DEBUG=True
and HTTPS=False; production leaves both at their safe defaults and must provide SECRET_KEY,
ALLOWED_HOSTS and, for PostgreSQL, DATABASE_URL. See docs/deploy.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from rebond.lib import paths
from rebond.lib.database import postgresql_options
from rebond.lib.env import envbool, envint, envlist, envsecret, envstr
from rebond.lib.files import create_private_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = paths.var_dir()
try:
    # Licensed wording a clinic loads with `rebond instruments load-wording` (rebond/lib/paths.py).
    WORDING_DIR = paths.wording_dir()
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

DEBUG = envbool("DEBUG", False)
# HTTPS is on unless explicitly turned off; only a loopback development server turns it off.
HTTPS = envbool("HTTPS", not DEBUG)


def _development_secret(name: str) -> str:
    """Return a per-checkout random secret kept in var/<name> (0600, var/ 0700), made once."""
    path = VAR_DIR / name
    create_private_file(path, secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


def _secret_key() -> str:
    """Return SECRET_KEY; in development, a per-checkout random key kept under var/."""
    key = envsecret("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG=False: make a file of 50+"
            " random characters, mode 0400, and name it in SECRET_KEY_FILE (docs/deploy.md)."
        )
    return _development_secret("dev-secret-key")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list this server's host names when DEBUG=False:"
        " set ALLOWED_HOSTS=rebond.example.org (comma-separated)."
    )
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")
# Where the quick-exit control on public and client pages leaves to: a neutral, common site.
QUICK_EXIT_URL = envstr("QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
# Days a private link sent to a partner stays valid (SECURITY.md LK-01).
PRIVATE_LINK_DAYS = envint("PRIVATE_LINK_DAYS", 14, minimum=1)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # django-ninja (the JSON API): listed for its static files, the Swagger UI that the API
    # documentation page (rebond/interop/views.py, api_docs) serves from this server.
    "ninja",
    # Rebond, bottom layer first (docs/architecture.md).
    "rebond.accounts",
    "rebond.audit",
    "rebond.crypto",
    "rebond.couples",
    "rebond.assessments",
    "rebond.alerts",
    "rebond.measurement",
    "rebond.intake",
    "rebond.portal",
    "rebond.emergency",
    "rebond.interop",
    "rebond.therapy",
    "rebond.appointments",
    "rebond.diary",
    "rebond.shelf",
    "rebond.staff",
    "rebond.lifecycle",
    "rebond.outcomes",
    "rebond.ops",
    "rebond.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A request id for every log line, and one log line per request (docs/deploy.md, Logs).
    "rebond.ops.logging.RequestLogMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language until the view knows whose page it is: a clinician's choice, a
    # partner's language or a clinic's default then wins (rebond/portal/locale_middleware.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute limits of a clinician's session (SECURITY.md SE-02).
    "rebond.accounts.middleware.ClinicianSessionMiddleware",
    # No clinician page before the second factor (SECURITY.md AU-01).
    "rebond.accounts.middleware.SecondFactorMiddleware",
    # Every clinician read of a page, and every refused object fetch, is audited (LG-01).
    "rebond.accounts.middleware.ClinicalReadAuditMiddleware",
    # Times shown and typed in the clinic's time zone; stored in UTC (rebond/lib/clinic_time.py).
    "rebond.portal.locale_middleware.ClinicLocaleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rebond.lib.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "rebond.urls"
WSGI_APPLICATION = "rebond.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rebond" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE and LANGUAGE_BIDI: <html lang> and dir follow the active language.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "rebond.alerts.context_processors.priority_alerts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets readers proceed during a write; the busy timeout and
# IMMEDIATE transactions make concurrent writers queue for the lock instead of failing with
# "database is locked" half-way through a transaction.
SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=20000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rebond.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = SQLITE_OPTIONS
    if _database["NAME"] not in ("", ":memory:"):
        # Created here, 0600, before SQLite would create it with the umask's mode (0644);
        # SQLite gives its -wal and -shm files the database file's mode.
        create_private_file(Path(_database["NAME"]))
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["OPTIONS"] = postgresql_options(
        pool=envbool("DB_POOL", True),
        behind_pgbouncer=envbool("DB_PGBOUNCER", False),
        conn_max_age=_database["CONN_MAX_AGE"],
        pool_min_size=envint("DB_POOL_MIN_SIZE", 1, minimum=0),
        pool_max_size=envint("DB_POOL_MAX_SIZE", 4, minimum=1),
        pool_timeout=envint("DB_POOL_TIMEOUT", 10, minimum=1),
    )
    # A server that restarted or a proxy that dropped the connection costs one quick check
    # at the start of a request, not the request's first query failing.
    _database["CONN_HEALTH_CHECKS"] = True
    # PgBouncer in transaction mode hands each transaction a different server connection,
    # so a cursor left open between transactions (QuerySet.iterator()) would vanish.
    _database["DISABLE_SERVER_SIDE_CURSORS"] = envbool("DB_PGBOUNCER", False)
else:
    raise ImproperlyConfigured(
        "DATABASE_URL must point to SQLite or PostgreSQL: set it to"
        " postgres://user@host:5432/name, or leave it empty for SQLite under REBOND_VAR_DIR."
    )
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Audit trail ----------------------------------------------------------------------------
def _audit_chain_key() -> str:
    """Return the HMAC key of the audit hash chain; in development, a random key under var/.

    Kept apart from SECRET_KEY (never derived from it), so whoever learns SECRET_KEY or gets a
    copy of the database still cannot rewrite the audit trail unnoticed. It must not change
    once entries exist: `rebond audit verify` would then report every entry.
    """
    key = envsecret("AUDIT_CHAIN_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured(
                "AUDIT_CHAIN_KEY must be at least 32 characters: put 32+ random characters in"
                " the file named by AUDIT_CHAIN_KEY_FILE."
            )
        if key == SECRET_KEY:
            raise ImproperlyConfigured(
                "AUDIT_CHAIN_KEY must differ from SECRET_KEY: make it from fresh random characters."
            )
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE) must be set when DEBUG=False: make a file"
            " of 32+ random characters, mode 0400, and name it in AUDIT_CHAIN_KEY_FILE."
        )
    return _development_secret("dev-audit-chain-key")


AUDIT_CHAIN_KEY = _audit_chain_key()
# Where `rebond audit anchor` appends the signed chain head and `verify` reads it back: a file
# the database owner cannot rewrite (append-only, or on another machine; docs/deploy.md).
AUDIT_ANCHOR_FILE = envstr("AUDIT_ANCHOR_FILE")

# --- Encryption at rest -----------------------------------------------------------------------
# Field and backup keys (rebond/crypto/keys.py): a keyring file (mode 0600/0400) or the keyring
# text itself; never derived from SECRET_KEY. Development creates var/dev-keys.
from rebond.crypto.keys import load_configured as _load_keyring  # noqa: E402

REBOND_KEYRING = _load_keyring(
    text=envstr("REBOND_KEYS"), path=envstr("REBOND_KEYS_FILE"), debug=DEBUG, var_dir=VAR_DIR
)
# Subject keys (crypto-shredding, rebond/crypto/subject_keys.py): a SQLite file outside the
# database and outside `rebond backup`; back it up with the keyring, never beside the backups.
REBOND_SUBJECT_KEYS_FILE = Path(
    envstr("REBOND_SUBJECT_KEYS_FILE") or VAR_DIR / "subject-keys.sqlite3"
)

# --- Background work ------------------------------------------------------------------------
# Tasks are stored in the database, so SQLite and PostgreSQL installs need no broker. The
# worker is `rebond worker` (make run starts one; docs/deploy.md shows a systemd unit), which
# writes the heartbeat /healthz reads; plain `db_worker` writes none.
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Hours a finished export's file (and an import's report) can be downloaded; then the daily
# clean-up deletes it and destroys its key (rebond/interop/jobs.py).
BACKGROUND_FILE_HOURS = envint("BACKGROUND_FILE_HOURS", 24, minimum=1)

# --- Accounts and sessions ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    # Argon2id (Django's Argon2PasswordHasher uses the ID variant) per ASVS 5.0 11.4.2.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # ASVS 5.0 6.2.1 (at least 8, 15 recommended; composition rules are not allowed, 6.2.5),
    # 6.2.4 (common passwords) and 6.2.9 (long passphrases accepted).
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A password reset link works once (it is bound to the password hash) and for 30 minutes
# (rebond/accounts/passwords.py).
PASSWORD_RESET_TIMEOUT = 30 * 60
# Login throttling (SECURITY.md AU-03, rebond/accounts/throttle.py): after this many failures
# within the window for one account (whatever the address), or from one address (whatever the
# account), each attempt waits 30 s after the last failure, doubling per failure up to the
# longest delay; never a lockout. A browser in which the clinician completed the second factor
# before counts only its own failures (rebond/accounts/devices.py).
LOGIN_FAILURE_WINDOW_MINUTES = envint("LOGIN_FAILURE_WINDOW_MINUTES", 24 * 60, minimum=1)
LOGIN_FAILURES_PER_USER = envint("LOGIN_FAILURES_PER_USER", 5, minimum=1)
LOGIN_FAILURES_PER_IP = envint("LOGIN_FAILURES_PER_IP", 20, minimum=1)
LOGIN_DELAY_MAX_MINUTES = envint("LOGIN_DELAY_MAX_MINUTES", 15, minimum=1)
# Reverse proxies in front of Rebond that append the client address to X-Forwarded-For; 0
# (the default) reads REMOTE_ADDR only, so a forged header changes nothing. Login throttling
# and the consultation-request limit both count by this address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
SESSION_COOKIE_AGE = 12 * 60 * 60  # Absolute limit for clinicians (SECURITY.md header, 6).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Transport security ---------------------------------------------------------------------
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host and path "/" over HTTPS (ASVS 5.0 3.3.1).
    SESSION_COOKIE_NAME = "__Host-rebond-session"
    CSRF_COOKIE_NAME = "__Host-rebond-csrf"
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 63072000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    # Preloading is a near-permanent commitment for a whole domain (and its subdomains), made
    # by the operator at hstspreload.org, not a safe default; HSTS itself is on.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    if envbool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SESSION_COOKIE_NAME = "rebond-session"
    CSRF_COOKIE_NAME = "rebond-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": no Referer ever leaves for another site (private links must not leak,
# ASVS 5.0 14.2.1), while same-origin form posts keep a real Origin for CSRF checks.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Strict Content-Security-Policy (ASVS 5.0 3.4.3): no inline script or style, nothing from
# another origin. Scripts also carry a per-response nonce for defence in depth.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "manifest-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Project-wide assets (base stylesheet, vendored htmx); apps keep theirs in <app>/static/.
STATICFILES_DIRS = [BASE_DIR / "rebond" / "static"]
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
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
# Seconds to wait for the mail server on each step (connect, greeting, every command). Without
# a limit a server that accepts and never answers stalls the safety sweep and the worker for
# ever, and with them every escalation (issue 15, C11); a timed-out e-mail is retried later.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Rebond <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds a delivery worker holds an alert notification before another may retry it.
ALERT_DELIVERY_LEASE_SECONDS = envint("ALERT_DELIVERY_LEASE_SECONDS", 300, minimum=1)

# --- Text messages (rebond/lib/sms.py, docs/deploy.md) --------------------------------------
# Printed to the console in development. In production nothing is sent until a provider is
# set: the disabled backend refuses each text, which the clinician then sees as not sent.
SMS_BACKEND = envstr(
    "SMS_BACKEND",
    "rebond.lib.sms.ConsoleBackend" if DEBUG else "rebond.lib.sms.DisabledBackend",
)
SMS_TWILIO_ACCOUNT_SID = envstr("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = envsecret("SMS_TWILIO_AUTH_TOKEN") or ""
SMS_TWILIO_FROM = envstr("SMS_TWILIO_FROM", "")
SMS_TWILIO_BASE_URL = envstr("SMS_TWILIO_BASE_URL", "https://api.twilio.com")
# Seconds to wait for the provider; a provider that never answers costs one timeout per sweep.
SMS_TIMEOUT = envint("SMS_TIMEOUT", 10, minimum=1)

# --- Operations (rebond/ops, docs/deploy.md) ------------------------------------------------
# `rebond worker` writes a heartbeat this often; /healthz fails once the newest is older.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = envint("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 60, minimum=2)
# Each round of `rebond safety_sweep` (every minute) records a heartbeat; /healthz fails once
# the newest is older than this: three missed minutes, or a round stuck that long.
SAFETY_SWEEP_MAX_AGE_SECONDS = envint("SAFETY_SWEEP_MAX_AGE_SECONDS", 180, minimum=2)

# --- Internationalisation -------------------------------------------------------------------
# The languages Rebond ships a complete catalogue for (rebond/locale/<code>/, docs/translation.md).
# Adding one is adding its catalogue and its line here; the catalogue test then asks for every
# string to be translated. Names are each language's own, as a language switch shows them.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
]
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "rebond" / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------------
# Logs carry no clinical content: requests are logged by path name only by Django's handlers,
# and Rebond code never logs answers, notes or names. Private-link tokens are redacted.
# One JSON object a line (rebond/ops/logging.py) unless LOG_FORMAT=text; text by default
# under DEBUG for a readable development console.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"Unexpected value LOG_FORMAT={LOG_FORMAT!r}, use 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_links": {"()": "rebond.lib.logs.RedactLinks"},
        "request_id": {"()": "rebond.ops.logging.RequestIdFilter"},
        "no_request_paths": {"()": "rebond.ops.logging.NoRequestPaths"},
    },
    "formatters": {"json": {"()": "rebond.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_links", "no_request_paths", "request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Django's own handlers (its DEBUG-only console copy, and runserver's request lines) print
    # unfiltered; without them these records reach the console handler above, whose filters
    # redact private-link tokens on the development server too.
    "loggers": {
        "django": {"handlers": []},
        "django.server": {"handlers": [], "propagate": True},
        # PDF layout (rebond/lib/pdf.py) narrates every step at INFO and fontTools every font
        # table it subsets; a report is not an event worth a log line. Real problems still show.
        "weasyprint": {"level": "ERROR"},
        "weasyprint.progress": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
