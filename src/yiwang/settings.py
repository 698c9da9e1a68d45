"""Settings of yiwang: every default lives here, every value can be overridden from the environment.

Environment variables (all optional in development):

- ``DATABASE_URL``          e.g. ``postgres://user:pass@127.0.0.1:5432/yiwang``; default SQLite in WAL mode
- ``YIWANG_PG_SERVER_SIDE_BINDING``  ``0`` to bind parameters client-side on PostgreSQL (default
  server-side, so that repeated statements can be prepared)
- ``YIWANG_PG_PREPARE_THRESHOLD``  runs after which a statement is prepared on its connection
  (``5``); empty to never prepare (behind a transaction-mode connection pooler)
- ``YIWANG_DATA_DIR``       where the SQLite file, uploaded files and the generated secret live (``./var``)
- ``YIWANG_MEDIA_ROOT``     uploaded materials and generated documents (``$YIWANG_DATA_DIR/media``)
- ``YIWANG_FILE_STORAGE`` / ``YIWANG_FILE_STORAGE_OPTIONS``  the storage backend of materials,
  letters and licences (dotted path) and its options (a JSON object); local files by default
- ``YIWANG_STATIC_ROOT``    collected static files (``$YIWANG_DATA_DIR/static``)
- ``YIWANG_LICENCE_SM2_PRIVATE_KEY``  SM2 private key (64 hex digits) that signs electronic
  licences; required in production, else generated once into ``$YIWANG_DATA_DIR/licence_sm2_key``
- ``YIWANG_LICENCE_SM2_PREVIOUS_PUBLIC_KEYS``  comma-separated public keys of earlier issuing
  keys, still trusted when verifying licences
- ``YIWANG_PUBLIC_BASE_URL``  the public address printed on paper: the QR codes of letters and
  licences point at it (``http://127.0.0.1:8000``)
- ``YIWANG_SECRET_KEY``     Django's secret key; required in production
- ``YIWANG_DEBUG``          ``1`` to turn debugging on (never in production)
- ``YIWANG_ALLOWED_HOSTS``  comma-separated host names (``localhost,127.0.0.1,[::1]``)
- ``YIWANG_PRODUCTION``     ``1`` for the hardened settings that ``yiwang check --deploy`` verifies
- ``YIWANG_TRUSTED_PROXIES``  comma-separated addresses or networks of the reverse proxies in
  front of the server, whose ``X-Forwarded-For`` names the client (none: the peer is the client)
- ``YIWANG_LOGIN_FAILURES_PER_USER`` / ``YIWANG_LOGIN_FAILURES_PER_ADDRESS``  failed sign-ins
  allowed per login name (5) and per client address (20) within
  ``YIWANG_LOGIN_WINDOW_SECONDS`` (900)
- ``YIWANG_TIME_ZONE``      the agencies' time zone (``Asia/Shanghai``)
- ``YIWANG_CALENDAR_REVALIDATE_SECONDS``  how often a process checks for holiday-table changes (5)
- ``YIWANG_PLEDGE_CHECK_WORKDAYS``  working days after the conclusion of a case approved on a
  pledge (告知承诺) within which the pledge must be checked (30)
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.secret_files import read_or_create


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 1/0 或 true/false，现为 {value!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，现为 {text!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name} 不能小于 {minimum}，现为 {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("YIWANG_DATA_DIR", Path.cwd() / "var")).resolve()

PRODUCTION = env_bool("YIWANG_PRODUCTION")
DEBUG = env_bool("YIWANG_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    key = os.environ.get("YIWANG_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须通过环境变量 YIWANG_SECRET_KEY 提供密钥")
    # Development: a random key kept beside the data, so it never enters the repository
    # and sessions survive restarts.
    key, _ = read_or_create(DATA_DIR / "secret_key", lambda: secrets.token_urlsafe(50))
    return key


SECRET_KEY = _secret_key()
if PRODUCTION and not os.environ.get("YIWANG_LICENCE_SM2_PRIVATE_KEY"):
    raise ImproperlyConfigured(
        "生产环境必须通过环境变量 YIWANG_LICENCE_SM2_PRIVATE_KEY 提供电子证照签发私钥"
    )
YIWANG_TRUSTED_PROXIES = env_list("YIWANG_TRUSTED_PROXIES", "")
for _proxy in YIWANG_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"环境变量 YIWANG_TRUSTED_PROXIES 中的 {_proxy!r} 不是 IP 地址或网段"
        ) from None


def public_base_url_from_env() -> str:
    """``YIWANG_PUBLIC_BASE_URL`` without its trailing slash; an address that is not an absolute
    http(s) URL stops the start rather than printing useless QR codes on every letter."""
    text = os.environ.get("YIWANG_PUBLIC_BASE_URL", "").strip() or "http://127.0.0.1:8000"
    scheme, _, rest = text.partition("://")
    if scheme not in ("http", "https") or not rest.strip("/") or " " in text:
        raise ImproperlyConfigured(
            f"环境变量 YIWANG_PUBLIC_BASE_URL 应为以 http:// 或 https:// 开头的完整地址，现为 {text!r}"
        )
    return text.rstrip("/")


YIWANG_PUBLIC_BASE_URL = public_base_url_from_env()
ALLOWED_HOSTS = env_list("YIWANG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("YIWANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "yiwang.core",
    "yiwang.organizations",
    "yiwang.accounts",
    "yiwang.workcalendar",
    "yiwang.catalog",
    "yiwang.audit",
    "yiwang.cases",
    "yiwang.documents",
    "yiwang.licences",
    "yiwang.demo",
    "yiwang.public",
    "yiwang.portal",
    "yiwang.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiwang.core.middleware.RefuseNulInAddress",
    "yiwang.api.middleware.JsonErrorsUnderApi",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Outside the CSRF check, so that its failure page is seen whole by htmx too.
    "yiwang.core.middleware.WholePageRefusalsForHtmx",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the messages, so that the login page can say the login has expired.
    "yiwang.accounts.middleware.LoginRedirects",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.accounts.context_processors.faces",
            ],
        },
    },
]

# SQLite by default, in WAL mode with IMMEDIATE transactions so that concurrent writers queue
# instead of failing on a lock upgrade; PostgreSQL when DATABASE_URL says so.
SQLITE_PATH = DATA_DIR / "yiwang.sqlite3"
#: Django's SQLite backend with each query text converted once (see yiwang.core.sqlite.base).
SQLITE_ENGINE = "yiwang.core.sqlite"
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Server-side parameters and prepared statements: psycopg prepares a statement once it
        # has run 5 times on a connection, and PostgreSQL then skips planning it, which on a
        # case step cost more than executing it. Behind a transaction-mode pooler set
        # YIWANG_PG_PREPARE_THRESHOLD to "" (prepared statements do not survive it).
        _threshold = os.environ.get("YIWANG_PG_PREPARE_THRESHOLD", "5").strip()
        if _threshold and not _threshold.isdigit():
            raise ImproperlyConfigured(
                f"环境变量 YIWANG_PG_PREPARE_THRESHOLD 应为整数或留空，现为 {_threshold!r}"
            )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=env_bool("YIWANG_PG_SERVER_SIDE_BINDING", True),
            prepare_threshold=int(_threshold) if _threshold.isdigit() else None,
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Tests run on a real file (not :memory:), so WAL and locking behave as in production.
            "TEST": {"NAME": str(DATA_DIR / "test_yiwang.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE  # a sqlite:// DATABASE_URL as well
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "yiwang.accounts.passwords.NotOnlySpacesValidator"},
    {"NAME": "yiwang.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# The one language: Django's own texts (the admin, form errors) follow it whatever language the
# browser asks for.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("YIWANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("YIWANG_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("YIWANG_MEDIA_ROOT", DATA_DIR / "media"))


def _file_storage() -> dict[str, Any]:
    """Where materials, letters and licences are stored: local files by default, or any Django
    storage backend (object storage through django-storages, for one) named by the environment."""
    backend = os.environ.get(
        "YIWANG_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"
    ).strip()
    text = os.environ.get("YIWANG_FILE_STORAGE_OPTIONS", "").strip() or "{}"
    try:
        options = json.loads(text)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"环境变量 YIWANG_FILE_STORAGE_OPTIONS 不是有效的 JSON：{exc}"
        ) from None
    if not isinstance(options, dict):
        raise ImproperlyConfigured("环境变量 YIWANG_FILE_STORAGE_OPTIONS 应为 JSON 对象")
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES: dict[str, dict[str, Any]] = {
    "default": _file_storage(),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Development serves static files straight from the apps; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YIWANG_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("YIWANG_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("YIWANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_AGE = env_int("YIWANG_SESSION_SECONDS", 1800, minimum=60)

# --- Domain settings -------------------------------------------------------------------------
# How a promised limit is derived where no published figure exists: ceil(statutory * ratio).
YIWANG_PROMISED_DAYS_RATIO = float(os.environ.get("YIWANG_PROMISED_DAYS_RATIO", "0.5"))
# How often a process re-reads the holiday tables' revision to pick up another process's edits.
YIWANG_CALENDAR_REVALIDATE_SECONDS = float(
    os.environ.get("YIWANG_CALENDAR_REVALIDATE_SECONDS", "5")
)
# Failed sign-ins allowed per login name and per client address within one window, after which
# sign-in is refused until the window ends.
YIWANG_LOGIN_FAILURES_PER_USER = env_int("YIWANG_LOGIN_FAILURES_PER_USER", 5, minimum=1)
YIWANG_LOGIN_FAILURES_PER_ADDRESS = env_int("YIWANG_LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
YIWANG_LOGIN_WINDOW_SECONDS = env_int("YIWANG_LOGIN_WINDOW_SECONDS", 900, minimum=1)
# Largest uploaded material accepted, in bytes (20 MB).
YIWANG_MAX_UPLOAD_BYTES = env_int("YIWANG_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spill to a temporary file
# Letters are numbered and stored in the step that issues them; the PDF is rendered in that step
# too unless this is off, in which case it is rendered on first download.
YIWANG_RENDER_DOCUMENTS_INLINE = env_bool("YIWANG_RENDER_DOCUMENTS_INLINE", True)
# A pledge (告知承诺) is checked after approval within a period that local rules set, not the
# law; counted in working days from the day the case is concluded.
YIWANG_PLEDGE_CHECK_WORKDAYS = env_int("YIWANG_PLEDGE_CHECK_WORKDAYS", 30, minimum=1)
