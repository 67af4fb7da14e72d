"""Django settings for zhifa.

Every setting that differs between machines comes from an environment variable with a safe
embedded default, so `make run` works on a fresh machine and production only sets variables.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DATA_DIR = Path(env_str("ZHIFA_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once into the data dir (never in git)."""
    if key := env_str("ZHIFA_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ZHIFA_DEBUG")
DEMO = env_bool("ZHIFA_DEMO")
ALLOWED_HOSTS = env_list("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("ZHIFA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",  # its own Swagger UI files, so the API docs page loads nothing from a CDN
    "zhifa.core",
    "zhifa.org",
    "zhifa.ledger",
    "zhifa.catalog",
    "zhifa.cases",
    "zhifa.disclosure",
    "zhifa.review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

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
                "zhifa.core.context.navigation",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("ZHIFA_DATABASE_URL", f"sqlite:///{DATA_DIR / 'zhifa.sqlite3'}")
    config = dj_database_url.parse(url, conn_max_age=env_int("ZHIFA_DB_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Connections are kept (ZHIFA_DB_CONN_MAX_AGE) as on PostgreSQL: opening one per
        # request (schema parse, PRAGMAs) cost more than serving a cached portal page.
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
            # failing with "database is locked" when a read transaction upgrades.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA recursive_triggers=ON;"
                # 64 MiB of page cache per connection (the default is 2 MiB): at a million
                # decisions the indexes' working set no longer fits in 2 MiB, and every
                # write re-read pages through the OS (bench/portal.py).
                "PRAGMA cache_size=-65536;"
            ),
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:todo"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ZHIFA_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REDIS_URL = env_str("ZHIFA_REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "zhifa", "url": REDIS_URL}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zhifa",
        "filename": str(DATA_DIR / "huey.sqlite3"),
    }
HUEY["immediate"] = env_bool("ZHIFA_TASKS_IMMEDIATE")
HUEY["consumer"] = {"workers": env_int("ZHIFA_TASK_WORKERS", 2), "worker_type": "thread"}

# Certificates expiring within this many days are flagged on the office's pages.
CERTIFICATE_EXPIRY_WARNING_DAYS = env_int("ZHIFA_CERTIFICATE_WARNING_DAYS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ZHIFA_LOG_LEVEL", "INFO")},
    # The Huey consumer logs through its own handler; don't print every line twice.
    "loggers": {"huey": {"level": "INFO", "propagate": False}},
}

# --- ledger ---
# Tamper-evident record (全过程记录): signed checkpoints, evidence store, resumable uploads.
# The log's name in its signed checkpoints; change it only when starting a new log.
LEDGER_ORIGIN = env_str("ZHIFA_LEDGER_ORIGIN", "zhifa.local/ledger")
# Ed25519 signing key: "PRIVATE+KEY+<origin>+<keyid>+<base64>" or a base64 32-byte seed.
# Empty: generated on first use into DATA_DIR/ledger/signing.key (mode 0600).
LEDGER_SIGNING_KEY = env_str("ZHIFA_LEDGER_SIGNING_KEY")
LEDGER_KEY_DIR = DATA_DIR / "ledger"
# Public keys of earlier signing keys (after a key rotation), as verifier keys
# "<origin>+<keyid>+<base64>" separated by spaces; `zhifa ledger verify` checks each checkpoint
# with the key that signed it. Keys used from the data dir are also kept in
# DATA_DIR/ledger/public-keys.txt automatically.
LEDGER_PUBLIC_KEYS = env_str("ZHIFA_LEDGER_PUBLIC_KEYS")
# Evidence files: "filesystem" (DATA_DIR/blobs/sha256/ab/cd/<hash>) or "s3".
LEDGER_BLOB_BACKEND = env_str("ZHIFA_BLOB_BACKEND", "filesystem")
LEDGER_BLOB_DIR = Path(env_str("ZHIFA_BLOB_DIR", str(DATA_DIR / "blobs")))
LEDGER_S3 = {
    "bucket_name": env_str("ZHIFA_S3_BUCKET", "zhifa-evidence"),
    "endpoint_url": env_str("ZHIFA_S3_ENDPOINT_URL") or None,
    "access_key": env_str("ZHIFA_S3_ACCESS_KEY") or None,
    "secret_key": env_str("ZHIFA_S3_SECRET_KEY") or None,
    "region_name": env_str("ZHIFA_S3_REGION") or None,
    "location": env_str("ZHIFA_S3_PREFIX"),
}
# tus resumable uploads: partial files, size limit, accepted types (MIME prefixes).
LEDGER_UPLOAD_DIR = Path(env_str("ZHIFA_UPLOAD_DIR", str(DATA_DIR / "uploads")))
LEDGER_UPLOAD_MAX_BYTES = env_int("ZHIFA_UPLOAD_MAX_BYTES", 8 * 1024**3)
# Unfinished resumable uploads older than this are deleted with their partial files (hourly
# task and `zhifa ledger expire-uploads`).
LEDGER_UPLOAD_EXPIRE_HOURS = env_int("ZHIFA_UPLOAD_EXPIRE_HOURS", 24)
LEDGER_UPLOAD_ALLOWED_TYPES = env_list(
    "ZHIFA_UPLOAD_ALLOWED_TYPES",
    "image/,video/,audio/,application/pdf,application/ofd,application/zip,"
    "application/msword,application/vnd.openxmlformats-officedocument.,text/plain",
)
# Portal: how long a process may reuse its reading of the portal's public state (the key of
# the cached pages) before asking the database again; a change made by the same process is
# visible at once, one made by another process within this time. 0: ask on every request.
PORTAL_STATE_SECONDS = env_int("ZHIFA_PORTAL_STATE_MS", 1000) / 1000
# Public decision pages are also kept as files (静态化发布), so a visit reads a file instead of
# asking the database (disclosure.pages). Several app servers must share this folder (NFS) or
# set "off": a server only removes its own files when a decision is corrected or withdrawn.
_page_files = env_str("ZHIFA_PAGE_FILES", str(DATA_DIR / "pages"))
PAGE_FILES_DIR = None if _page_files.strip().lower() in {"off", "0", "no"} else Path(_page_files)
# Push to subscribers (P16), against server-side request forgery: when set, subscriber URLs
# must use one of these host names (exact, case-insensitive); checked on save and on send.
PUSH_ALLOWED_HOSTS = env_list("ZHIFA_PUSH_ALLOWED_HOSTS", "")
# Loopback receivers (127.0.0.1, ::1) are refused unless this is on (tests, local trials).
PUSH_ALLOW_LOOPBACK = env_bool("ZHIFA_PUSH_ALLOW_LOOPBACK", False)
# An http:// proxy (e.g. http://10.0.0.5:3128) for intranets that reach the receivers only
# through it; the push tunnels (CONNECT) to the address it checked. Empty: connect directly.
PUSH_PROXY = env_str("ZHIFA_PUSH_PROXY", "")
