"""Settings for the test suite: the real settings, with a throwaway data dir and fast hashing."""

import os
import tempfile

os.environ.setdefault("ZHIFA_DATA_DIR", tempfile.mkdtemp(prefix="zhifa-test-"))
os.environ.setdefault("ZHIFA_TASKS_IMMEDIATE", "1")

from zhifa.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared-cache in-memory database: the browser journeys' live server
    # answers several requests at once (a page, its <video> and <img> each record a view),
    # and in shared-cache memory concurrent writers fail at once with "database table is
    # locked" instead of waiting as they do on the production file (IMMEDIATE, timeout 30).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# Tests change data and read the portal in one process without committing (on_commit hooks
# do not run): read the portal's state on every request (tests of the memo set it).
PORTAL_STATE_SECONDS = 0

# The push tests' receivers listen on 127.0.0.1 (production refuses loopback subscribers).
PUSH_ALLOW_LOOPBACK = True
