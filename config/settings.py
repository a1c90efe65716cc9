"""VBE-portalen settings, read from the environment.

VBE_ENV chooses the mode:
- ``production`` (the default, so a forgotten variable never weakens a live system): every secret and
  host setting is required, HTTPS and a second factor are enforced.
- ``demo``: what ``make run`` uses. Secrets are generated under ``var/``, a "Demoläge" banner shows.
- ``test``: what the test suite uses (``config.test_settings``).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from vbe.core.env import env_bool, env_int, env_list, env_str, local_secret, parse_keyring

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VBE_VAR_DIR", str(BASE_DIR / "var")))

VBE_ENV = env_str("VBE_ENV", "production")
if VBE_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"VBE_ENV={VBE_ENV!r}: välj production, demo eller test.")
PRODUCTION = VBE_ENV == "production"
DEMO_MODE = VBE_ENV == "demo"

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG får inte vara på i produktion.")


def _secret(name: str) -> str:
    """A required secret in production; a stable generated one under var/keys in demo and test."""
    if PRODUCTION:
        return env_str(name, required=True)
    return env_str(name) or local_secret(VAR_DIR / "keys" / name.lower())


SECRET_KEY = _secret("SECRET_KEY")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY måste vara minst 50 tecken lång i produktion.")

# Keys outside the database: the access log's HMAC chain and (from the concern routine on) field
# encryption. Format "id=hex,id2=hex": the first key is current, older ones stay for verification.
AUDIT_HMAC_KEYS = parse_keyring(
    "AUDIT_HMAC_KEYS",
    env_str("AUDIT_HMAC_KEYS", required=PRODUCTION) or "demo=" + local_secret(VAR_DIR / "keys" / "audit"),
)
# The access log's chain anchored outside the database: verify_audit_log appends one signed line per
# run to this file (append-only; README "Drift" says how to ship it off the host).
AUDIT_CHECKPOINT_PATH = Path(
    env_str("AUDIT_CHECKPOINT_PATH", required=PRODUCTION) or str(VAR_DIR / "audit" / f"checkpoints-{VBE_ENV}.log")
)
# Refused anonymous requests per client and minute before the client is answered 429 (vbe.audit.denials).
ANONYMOUS_DENIALS_PER_MINUTE = env_int("ANONYMOUS_DENIALS_PER_MINUTE", 30)
# … and of all anonymous clients together: above it no rows per client, one summary of the minute's total.
ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE = env_int("ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE", 300)
FIELD_ENCRYPTION_KEYS = parse_keyring(
    "FIELD_ENCRYPTION_KEYS",
    env_str("FIELD_ENCRYPTION_KEYS", required=PRODUCTION) or "demo=" + local_secret(VAR_DIR / "keys" / "fields"),
)

# Keyed hash for exact personnummer look-up (blind index). Stable for the life of the data: changing
# it means re-indexing. Kept apart from the encryption keys so those can rotate freely.
_blind_index_hex = env_str("BLIND_INDEX_KEY", required=PRODUCTION) or local_secret(VAR_DIR / "keys" / "blind_index")
try:
    BLIND_INDEX_KEY = bytes.fromhex(_blind_index_hex)
except ValueError:
    raise ImproperlyConfigured("BLIND_INDEX_KEY ska skrivas som hex (64 hexsiffror).") from None
if len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("BLIND_INDEX_KEY ska vara minst 32 byte (64 hexsiffror).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"], required=PRODUCTION)

INSTALLED_APPS = [
    "vbe.accounts",
    "vbe.core",
    "vbe.organisations",
    "vbe.guidelines",
    "vbe.audit",
    "vbe.incidents",
    "vbe.concerns",
    "vbe.collaboration",
    "vbe.statistics",
    "vbe.competence",
    "vbe.knowledge",
    "vbe.plans",
    "vbe.reports",
    "vbe.notifications",
    "vbe.jobs",
    "vbe.portal",
    "vbe.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
]

# Background jobs (vbe/jobs): Django's tasks framework on its database backend, so a job survives a
# restart, any number of workers share the queue (`manage.py run_jobs`), and the same code runs on
# SQLite and PostgreSQL. `make run` starts one worker beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Queries per request as a response header, for `make bench` only (vbe.core.query_count): off unless
# VBE_BENCH_QUERIES is set, and then first in the chain so every query of the request counts.
BENCH_QUERY_HEADER = env_str("VBE_BENCH_QUERIES", "")
if BENCH_QUERY_HEADER and len(BENCH_QUERY_HEADER) < 32:
    raise ImproperlyConfigured("VBE_BENCH_QUERIES ska vara en slumpad nyckel på minst 32 tecken.")

MIDDLEWARE = [
    "vbe.core.query_count.QueryCountHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vbe.core.middleware.RequestIdMiddleware",
    "vbe.core.middleware.SecurityHeadersMiddleware",
    # Before anything reads the session, the form or the database: a NUL byte is a 400, never a 500.
    "vbe.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vbe.accounts.middleware.SessionPolicyMiddleware",
    "vbe.audit.middleware.DeniedRequestLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "vbe.portal.context_processors.portal",
            ],
        },
    }
]

# --- Database --------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", required=PRODUCTION) or f"sqlite:///{VAR_DIR / 'vbe.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent but bounded connections: one per worker thread, re-checked after an outage.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers never read the same chain head.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sign-in and sessions ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "portal:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out: after this many failed sign-ins in a row, the account is locked for a while.
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 5)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Revealing a personnummer, exporting, replacing a second factor and deciding an access change need a
# password (and code) entered within this many minutes (vbe.accounts.reauth).
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 5)
# A set-password link (new account, approved reset) is valid this long; Django's default is three days.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 24) * 3600
# A four-eyes proposal (vbe.accounts.four_eyes) not decided within this many days can no longer be approved.
ACCESS_CHANGE_EXPIRY_DAYS = env_int("ACCESS_CHANGE_EXPIRY_DAYS", 7)
# An open concern with no write (step, note, action, assignment …) for this many days is flagged in the
# coordinator's inbox and found by the case list's "inaktiv" filter (vbe.concerns.lists).
VBE_CONCERN_INACTIVE_DAYS = env_int("VBE_CONCERN_INACTIVE_DAYS", 14)
# Accounts only at these e-mail domains (comma-separated, e.g. "stockholm.se,edu.stockholm.se"; empty:
# any), enforced where the admin site creates an account or proposes a new address.
ACCOUNT_EMAIL_DOMAINS = [d.strip().lower().lstrip("@") for d in env_list("ACCOUNT_EMAIL_DOMAINS")]
# A second factor (TOTP) for every role that can see personal data. Only demo mode may turn it off.
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEMO_MODE)
if PRODUCTION and not MFA_REQUIRED:
    raise ImproperlyConfigured("MFA_REQUIRED kan bara stängas av i demoläge.")

SESSION_ENGINE = "django.contrib.sessions.backends.db"  # stateless app servers share the database
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60  # idle timeout (the row's expire_date)
# Not a write per request: SessionPolicyMiddleware restarts the idle timeout on a coarse tick
# (vbe.accounts.session_lifetime.keep_session_alive); otherwise a session is saved only when it changed.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers and transport ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-vbe-session"
    CSRF_COOKIE_NAME = "__Host-vbe-csrf"
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "vbe.portal.views.csrf_failure"

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "sv"
# Swedish only for now; an English catalogue goes in locale/en, then LocaleMiddleware is switched on.
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# Uploaded files (incident photos), in the default storage: read and written only through its API
# (vbe.incidents.uploads), never served from where they lie; only the portal's permission-checked view
# hands them out. Every app server must see the same storage, and it belongs in the backup.
# - filesystem: UPLOAD_ROOT, outside the web root; with several app servers a shared filesystem (NFS).
# - s3: a bucket on S3-compatible object storage (django-storages). Keys from AWS_ACCESS_KEY_ID and
#   AWS_SECRET_ACCESS_KEY (or _FILE), else boto3's own chain (an instance role).
UPLOAD_STORAGE = env_str("UPLOAD_STORAGE", "filesystem")
UPLOAD_ROOT = MEDIA_ROOT = Path(env_str("UPLOAD_ROOT", str(VAR_DIR / "uploads")))
if UPLOAD_STORAGE == "filesystem":
    _upload_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Location is MEDIA_ROOT; readable by the portal's user alone.
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
elif UPLOAD_STORAGE == "s3":
    from botocore.config import Config as _BotoConfig

    _upload_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", required=True),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # empty: AWS itself
            "region_name": env_str("S3_REGION") or None,
            "location": env_str("S3_PREFIX"),  # a key prefix, when the bucket is shared
            # Private objects: nothing in the bucket is readable without the keys. "none" for a bucket
            # whose ACLs are disabled (it is private by its own policy then).
            "default_acl": None if (acl := env_str("S3_OBJECT_ACL", "private")) == "none" else acl,
            # Encrypted at rest by the store (SSE-S3); "none" for a store without it (MinIO without a KMS).
            "object_parameters": (
                {}
                if (sse := env_str("S3_SERVER_SIDE_ENCRYPTION", "AES256")) == "none"
                else {"ServerSideEncryption": sse}
            ),
            # Random names never meet, but a name in use is never overwritten.
            "file_overwrite": False,
            # No public and no pre-signed links are ever handed out: the portal streams the file itself.
            "querystring_auth": True,
            "custom_domain": None,
            # A photo being served is held in memory up to this size, above it in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
            # A hanging store fails the request within seconds instead of holding a worker. The
            # addressing style goes here (django-storages ignores its own option beside a config):
            # "path" for most self-hosted stores, empty for botocore's choice.
            "client_config": _BotoConfig(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3},
                s3={"addressing_style": env_str("S3_ADDRESSING_STYLE") or "auto"},
            ),
            **(
                {"access_key": key, "secret_key": env_str("AWS_SECRET_ACCESS_KEY", required=True)}
                if (key := env_str("AWS_ACCESS_KEY_ID"))
                else {}
            ),
        },
    }
else:
    raise ImproperlyConfigured(f"UPLOAD_STORAGE={UPLOAD_STORAGE!r}: välj filesystem eller s3.")
STORAGES = {
    "default": _upload_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- E-mail ----------------------------------------------------------------------------------
if PRODUCTION:
    EMAIL_HOST = env_str("EMAIL_HOST", required=True)
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds a mail-server connection may wait for an answer. Without it a hanging server would hang the
# request that reported a concern (the first send is tried after commit, in the request). The outbox
# refuses to start unless its claim on a message outlasts a send (vbe.notifications.apps).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vbe-portalen@example.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The portal ------------------------------------------------------------------------------
SERVICE_NAME = "VBE-portalen"
# The portal's own address, for the links in e-mails (a message has no request to take a host from).
SITE_URL = env_str("SITE_URL", required=PRODUCTION) or "http://127.0.0.1:8000"
if not SITE_URL.startswith(("https://", "http://")) or SITE_URL.rstrip("/").count("/") > 2:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: skriv portalens adress, t.ex. https://vbe.stad.se")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL måste börja med https:// i produktion.")
SITE_URL = SITE_URL.rstrip("/")
MUNICIPALITY_NAME = env_str("MUNICIPALITY_NAME", "Stockholms stad")
# Reminders to coordinators this many days before each reporting deadline (manage.py send_reminders).
REMINDER_DAYS_BEFORE = [int(n) for n in env_list("REMINDER_DAYS_BEFORE", ["30", "7"])]
# Staff are reminded once of a required training whose validity ends within this many days.
VBE_TRAINING_EXPIRY_NOTICE_DAYS = env_int("VBE_TRAINING_EXPIRY_NOTICE_DAYS", 60)
# Support resources: how long before its review date a resource's owner is reminded, and the largest
# attachment accepted.
VBE_RESOURCE_REVIEW_NOTICE_DAYS = env_int("VBE_RESOURCE_REVIEW_NOTICE_DAYS", 30)
VBE_RESOURCE_ATTACHMENT_MAX_MB = env_int("VBE_RESOURCE_ATTACHMENT_MAX_MB", 10)
# The democracy condition: how long a "meets" decision holds unless the decision says otherwise, and how
# long before it runs out the assessing organisation is reminded to renew it.
VBE_DEMOCRACY_VALIDITY_MONTHS = env_int("VBE_DEMOCRACY_VALIDITY_MONTHS", 12)
VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = env_int("VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Each access-log checkpoint line, for the log shipping (journald/syslog) to carry off the host:
    # kept at INFO whatever LOG_LEVEL says (README, "Access-log checkpoints").
    "loggers": {"vbe.audit.checkpoint": {"level": "INFO"}},
    # Requests may carry personal data in POST bodies: Django's request logger never logs bodies,
    # and error mails to admins are off (no ADMINS), so nothing sensitive leaves in error reports.
}
