import os
import shutil

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Each test gets its own storage folder: files from one test never satisfy another.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory, request):
    """One storage folder for a whole module, for modules whose data is made once
    (``iiif_support.made_once``) and whose tests read its files; see ``module_media``."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return tmp_path_factory.mktemp(f"{name}-media")


@pytest.fixture
def module_media(settings, media_root, _media_root):
    """Opt-in (``pytest.mark.usefixtures("module_media")``): every test of the module uses
    ``media_root`` instead of a folder of its own, with the cache cleared (the IIIF
    descriptors and pages of one test are not another's)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = media_root
    cache.clear()


@pytest.fixture(autouse=True)
def _english_messages():
    # Messages raised outside a request (validation, ingest) are asserted in English; pages
    # requested through the client still negotiate their own language.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _wagtail_root_present(request, django_db_blocker):
    """Every database test starts with the locale, root page and groups migrations make.

    Tests with a live server need committed data, so pytest-django flushes the database after
    them, and with it those rows; xdist shares files among processes in no fixed order, so
    any test may come next. One query when they are there; restored (committed) when not.
    """
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    from tests import factories

    with django_db_blocker.unblock():
        factories.wagtail_root()


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Ingest, then run the processing it queues on commit, as the worker would."""
    from archive.assets.ingest import ingest as _ingest

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


@pytest.fixture
def wagtail_root(transactional_db):
    """The locale and root page Wagtail's migrations made, restored after a flush.

    Tests with a live server need committed data, so they flush the database between tests
    and with it those migration-made rows.
    """
    from tests import factories

    factories.wagtail_root()


if os.environ.get("MHA_TEST_DB_TEMPLATE"):
    # Mutation runs (scripts/mutation.sh) start pytest once per mutant; migrating a fresh
    # test database each time would cost ~12 s of every run. Instead each session works on
    # its own copy of a database migrated once (a copy: transactional tests flush theirs).

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker, tmp_path_factory):
        from django.db import connections

        copy = tmp_path_factory.mktemp("db") / "test.sqlite3"
        shutil.copyfile(os.environ["MHA_TEST_DB_TEMPLATE"], copy)
        with django_db_blocker.unblock():
            for conn in connections.all():
                conn.close()
                conn.settings_dict["NAME"] = str(copy)
