import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Each test gets its own storage folder: files from one test never satisfy another.
    settings.MEDIA_ROOT = tmp_path / "media"
