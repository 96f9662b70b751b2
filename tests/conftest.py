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


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Ingest, then run the processing it queues on commit, as the worker would."""
    from media_pipeline.ingest import ingest as _ingest

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return _ingest(*args, **kwargs)

    return run


@pytest.fixture
def item(db):
    """A live, public recording with a consenting speaker, ready to receive media."""
    from tests import factories

    _, collections = factories.site_tree()
    return factories.recording(collections["dialects"], speaker=factories.person())
