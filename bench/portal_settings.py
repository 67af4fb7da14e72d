"""Settings for the server that `bench/portal.py` measures: the real settings, with the
bench-only URLconf (`portal_urls`, which adds `/bench/trivial/`) and static files served from
the source folders, so the server starts without `collectstatic` (as the test settings do).
Used only with `bench/` on `sys.path`; never by the product."""

from zhifa.settings import *  # noqa: F403

ROOT_URLCONF = "portal_urls"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
