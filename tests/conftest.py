import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Each test gets its own storage folder: files from one test never satisfy another.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_messages():
    # Messages raised outside a request (validation, ingest) are asserted in English; pages
    # requested through the client still negotiate their own language.
    from django.utils import translation

    with translation.override("en"):
        yield
