"""Keeping search current: publish, unpublish, delete, a renamed vocabulary term, a search
engine that goes down and comes back. Run on every engine."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from archive.items.models import EmbroideryPatternPage
from archive.vocabularies.models import Motif
from search import engines, indexing
from search.engines import SearchQuery
from search.models import PendingIndexOp
from tests import factories
from tests import search_support as support

pytestmark = pytest.mark.django_db

DOWN_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(params=["database", "opensearch", "elasticsearch"])
def engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


@pytest.fixture(params=["opensearch", "elasticsearch"])
def real_engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    engine.clear()
    engines._cached.cache_clear()


def _found(engine, words: str) -> set[int]:
    if engine.name != "database":
        engine.refresh()
    return {h.id for h in engine.search(SearchQuery(raw=words)).hits}


def _draft(collections, **kw) -> EmbroideryPatternPage:
    page = EmbroideryPatternPage(
        title=kw.pop("title", "新绣片"),
        title_en=kw.pop("title_en", "New panel"),
        identifier=kw.pop("identifier", "MHA-EMB-NEW1"),
        slug=kw.pop("slug", "new-panel"),
        access_level="public",
        live=False,
        **kw,
    )
    collections["embroidery"].add_child(instance=page)
    return page


def test_publish_unpublish_and_delete_update_the_index(engine, django_capture_on_commit_callbacks):
    _, collections = factories.site_tree()
    page = _draft(collections, title_en="Glimmerfrog panel")
    assert page.pk not in _found(engine, "glimmerfrog")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert page.pk in _found(engine, "glimmerfrog")
    page = EmbroideryPatternPage.objects.get(pk=page.pk)
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert page.pk not in _found(engine, "glimmerfrog")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert page.pk in _found(engine, "glimmerfrog")
    pk = page.pk
    page = EmbroideryPatternPage.objects.get(pk=page.pk)
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert pk not in _found(engine, "glimmerfrog")


def test_a_renamed_vocabulary_label_reindexes_its_items_in_the_background(
    engine, django_capture_on_commit_callbacks
):
    _, collections = factories.site_tree()
    parent = Motif.objects.create(slug="bird", label_zh="鸟", label_en="Bird")
    child = Motif.objects.create(
        slug="jiyu", label_zh="鹡宇鸟", label_en="Jiyu bird", broader=parent
    )
    page = _draft(collections)
    page.motifs.set([child])
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert page.pk not in _found(engine, "snowquail")
    # Renaming the BROADER term reaches the item through its narrower term.
    parent.label_hmn = "snowquail"
    with django_capture_on_commit_callbacks(execute=True):
        parent.save()
    assert page.pk in _found(engine, "snowquail")


def test_when_the_engine_is_down_search_answers_from_the_database_and_catches_up(
    real_engine, settings, client, django_capture_on_commit_callbacks
):
    engine = real_engine
    real_url = settings.MHA_SEARCH_URL
    data = support.corpus()
    support.reindex(engine)

    settings.MHA_SEARCH_URL = DOWN_URL
    engines._cached.cache_clear()
    page = client.get("/en/search/", {"q": "butterfly"}).content.decode()
    assert "reduced mode" in page
    assert data["items"]["public"].title_en.split(":")[0] in page
    body = client.get("/api/v1/search", {"q": "butterfly"}).json()
    assert body["engine"] == "database" and "notice" in body and body["total"] == 2
    assert client.get("/healthz").status_code == 503

    # Published while the engine is down: recorded, not lost.
    _, collections = factories.site_tree()
    new = _draft(collections, title_en="Latecomer panel")
    with django_capture_on_commit_callbacks(execute=True):
        new.save_revision().publish()
    assert PendingIndexOp.objects.filter(item_id=new.pk).exists()
    # The fallback already finds it.
    assert client.get("/api/v1/search", {"q": "latecomer"}).json()["total"] == 1

    settings.MHA_SEARCH_URL = real_url
    engines._cached.cache_clear()
    # The first search that reaches the engine again triggers the catch-up task.
    client.get("/api/v1/search", {"q": "butterfly"})
    assert not PendingIndexOp.objects.exists()
    body = client.get("/api/v1/search", {"q": "latecomer"}).json()
    assert body["engine"] == engine.name and body["total"] == 1


def test_the_catch_up_command_reports_and_fails_while_the_engine_is_down(real_engine, settings):
    engine = real_engine
    _, collections = factories.site_tree()
    page = _draft(collections)
    page.save_revision().publish()
    settings.MHA_SEARCH_URL = DOWN_URL
    engines._cached.cache_clear()
    indexing.index_items([page.pk])
    with pytest.raises(SystemExit):
        call_command("search_catch_up")
    assert PendingIndexOp.objects.count() == 1
    settings.MHA_SEARCH_URL = support.os.environ[support.ENGINE_URLS[engine.name]]
    engines._cached.cache_clear()
    call_command("search_catch_up")
    assert page.pk in _found(engines.get_engine(), "新绣片")


def test_healthz_pings_the_configured_engine(engine, client):
    body = client.get("/healthz").json()
    assert body["search"]["status"] == "ok"
    assert body["search"]["engine"] == engine.name


def test_a_bulk_load_is_searchable_at_once_and_leaves_the_index_settings_as_they_were(
    real_engine, settings
):
    """``bulk_fast`` (reindexing, the benchmarks) turns refreshes and replicas off while it
    loads; afterwards every document is found and the index refreshes as before."""
    from search import documents

    _, collections = factories.site_tree()
    pages = [
        _draft(collections, title_en=f"Quillmoth panel {i}", identifier=f"MHA-Q{i}", slug=f"q{i}")
        for i in range(3)
    ]
    docs = [documents.build(p) for p in pages]
    prepared = list(real_engine.prepare(docs[1:]))  # built once, loadable into any index
    assert real_engine.bulk_fast([docs[0], *prepared], chunk_size=2) == 3
    found = {h.id for h in real_engine.search(SearchQuery(raw="quillmoth")).hits}
    assert found == {p.pk for p in pages}
    kept = real_engine._indices.get_settings(index=real_engine.alias)
    (index,) = (s["settings"]["index"] for s in kept.values())
    assert index["refresh_interval"] == "1s"
    assert index["number_of_replicas"] == str(getattr(settings, "MHA_SEARCH_REPLICAS", 0))
