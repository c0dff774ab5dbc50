"""Settings for motcua, read from ``MOTCUA_*`` environment variables (interfaces §1).

Nothing is required to run locally: the default is a SQLite database under ``MOTCUA_DATA_DIR``
(``./var``). Production switches fail loudly when a value they need is missing.

| variable | default | meaning |
| --- | --- | --- |
| ``MOTCUA_DATABASE_URL`` | ``sqlite:///<DATA_DIR>/motcua.sqlite3`` | ``sqlite:///ABS/PATH`` or ``postgres://…`` |
| ``MOTCUA_DATA_DIR`` | ``./var`` | database, uploads, exports |
| ``MOTCUA_PRODUCTION`` | ``0`` | ``1`` requires a secret key and allowed hosts |
| ``MOTCUA_SECRET_KEY`` | a fixed development key | required in production |
| ``MOTCUA_ALLOWED_HOSTS`` | ``localhost,127.0.0.1,[::1]`` | comma-separated |
| ``MOTCUA_DEBUG`` | ``0`` | Django debug pages (never in production) |
| ``MOTCUA_TIME_ZONE`` | ``Asia/Ho_Chi_Minh`` | default time zone for new units and display |
| ``MOTCUA_LANGUAGE`` | ``vi`` | default UI language |
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"MOTCUA_{name}", default)


def _env_bool(name: str, default: bool = False) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"MOTCUA_{name}: expected 0/1/true/false, got {raw!r}")


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(_env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
PRODUCTION = _env_bool("PRODUCTION")
DEBUG = _env_bool("DEBUG") and not PRODUCTION

_DEV_SECRET = "motcua-development-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = _env("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "MOTCUA_SECRET_KEY must be set to a long random value when MOTCUA_PRODUCTION=1"
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in _env("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "MOTCUA_ALLOWED_HOSTS must list the server's host names when MOTCUA_PRODUCTION=1"
    )
if "testserver" not in ALLOWED_HOSTS and not PRODUCTION:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "motcua.core",
    "motcua.catalogue",
    "motcua.accounts",
    "motcua.dossiers",
    "motcua.reports",
    "motcua.reform",
    "motcua.web",
    "motcua.forms",
    "motcua.signing",
    "motcua.feedback",
    "motcua.public",
    "motcua.dashboards",
    "motcua.payments",
    "motcua.evaluation",
    "motcua.interop",
    "motcua.portal",
    "motcua.documents",
    "motcua.postal",
    "motcua.jobs",
    "motcua.notify",
    "motcua.online",
    "motcua.api",
]

# Stored files (docs/documents.md): dossier scans and result e-copies go to the "documents" storage, on disk
# under MOTCUA_DATA_DIR/files by default; a deployment may point it at any Django storage backend (e.g. an
# S3-compatible one) by replacing this entry. Uploads above MOTCUA_UPLOAD_MAX_BYTES (default 20 MB) are refused.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(DATA_DIR / "files")}},
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                  "OPTIONS": {"location": str(DATA_DIR / "files")}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MOTCUA_UPLOAD_MAX_BYTES = int(_env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = _env("DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    except Exception as exc:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"MOTCUA_DATABASE_URL: cannot parse {url!r}: {exc}") from exc
    engine = str(config["ENGINE"])
    if engine.endswith("sqlite3"):
        # WAL lets readers work while one officer writes; IMMEDIATE takes the write lock at BEGIN so two
        # concurrent transactions queue instead of failing with "database is locked" on upgrade.
        # Django's SQLite backend always turns foreign keys on.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        config.setdefault("TEST", {"NAME": _env("TEST_SQLITE_NAME", "") or None})
    elif "postgres" in engine:
        config["ENGINE"] = "django.db.backends.postgresql"
        # JIT compilation costs more than it saves on motcua's report queries (docs/performance.md).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    else:
        raise ImproperlyConfigured(
            f"MOTCUA_DATABASE_URL: unsupported database {engine!r} (use sqlite or postgres)"
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = _env("LANGUAGE", "vi")
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "files"

# The address citizens reach the public pages at (printed in the receipt's QR code); empty = the request's host.
MOTCUA_PUBLIC_URL = _env("PUBLIC_URL", "")

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail (docs/configuration.md, "E-mail and SMS"): MOTCUA_EMAIL_URL or MOTCUA_SMTP_*, else printed to the console
# with masked recipients; required when MOTCUA_PRODUCTION=1. SMS settings (MOTCUA_SMS_*) are read by motcua.notify.
from motcua.notify.config import email_settings  # noqa: E402

globals().update(email_settings(os.environ, production=PRODUCTION))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "motcua.logging.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}
