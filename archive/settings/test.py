"""Test settings: fast hashing, local-memory cache, immediate tasks.

The database is SQLite in a temporary folder unless DATABASE_URL points at the real
PostgreSQL that ``scripts/services.py`` starts; tests that prove the real worker or a real
search engine opt in to those explicitly.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
# The demo app: the suite loads the demo collection and makes its media with demo.mediamaker.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
#: Off by default in tests (one local-memory cache outlives each test's database); the
#: page-cache tests turn it on.
MHA_PAGE_CACHE_SECONDS = 0
#: Off too, for the same reason; the tests of what a page costs turn it on.
MHA_ROUTE_CACHE_SECONDS = 0
MHA_COLLECTION_CACHE_SECONDS = 0
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "media"],
    }
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="mha-test-media-"))
# The suite stores files in MEDIA_ROOT even when the MHA_S3_* variables are set; the S3
# storage that base.py built from them is kept here for tests/test_storage_s3.py.
TEST_S3_STORAGE = STORAGES["default"] if os.environ.get("MHA_S3_BUCKET") else None  # noqa: F405
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="mha-test-static-"))
# Login throttling (django-axes) stays on: tests/test_login_throttling.py proves it. Its
# counters live in the database, which each test starts afresh, and the suite signs in with
# client.force_login, which no failure counter sees.
MHA_TILE_ROOT = Path(tempfile.mkdtemp(prefix="mha-test-tiles-"))
