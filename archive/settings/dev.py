"""The demo archive and local development: embedded defaults everywhere."""

import os

from .base import *  # noqa: F403

DEBUG = True
# The demo archive (load_demo, ensure_demo_admin) lives outside the shipped package.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-miao-heritage-archive")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
INTERNAL_IPS = ["127.0.0.1"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Enquiry notifications and other mail: printed, or one file per message in a folder.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if os.environ.get("MHA_EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["MHA_EMAIL_FILE_PATH"]
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The demo's web server and its worker are two processes: they share a cache folder, so
# what one clears (an unpublish, a withdrawal) the other no longer serves.
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):  # noqa: F405
    CACHES = {  # noqa: F405
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),  # noqa: F405
        }
    }
