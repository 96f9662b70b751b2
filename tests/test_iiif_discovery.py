"""IIIF Change Discovery 1.0, as an aggregator harvests it: read the stream from its last
page backwards, learn of new, changed and withdrawn manifests."""

from __future__ import annotations

import pytest
from django.utils import timezone

from archive.iiif import discovery
from archive.people.models import ConsentRecord
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media

pytestmark = pytest.mark.django_db

CONTEXT = "http://iiif.io/api/discovery/1/context.json"


@pytest.fixture
def archive(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _, collections = factories.site_tree()
    items = {}
    for name in ("first", "second", "third"):
        speaker = factories.person(consent="public_web", name_en=f"Singer {name}")
        item = factories.recording(collections["dialects"], speaker=speaker, title_en=name)
        add_media(item, make.card(tmp_path / f"{name}.jpg", 200, 150))
        item.save_revision().publish()
        items[name] = item
    items["bare"] = factories.recording(
        collections["dialects"], speaker=factories.person(), title_en="no media"
    )
    hidden = factories.recording(collections["dialects"], access="restricted", title_en="hidden")
    add_media(hidden, make.card(tmp_path / "hidden.jpg", 200, 150))
    items["hidden"] = hidden
    return items


def harvest(client) -> list[dict]:
    """Every activity, read as the specification tells an aggregator: from the last page
    back through ``prev``, then put in time order."""
    stream = client.get("/iiif/discovery/1/activity")
    assert stream.status_code == 200
    doc = stream.json()
    assert doc["@context"] == CONTEXT and doc["type"] == "OrderedCollection"
    assert doc["first"]["type"] == doc["last"]["type"] == "OrderedCollectionPage"
    pages = []
    url = doc["last"]["id"]
    while url:
        page = client.get(url).json()
        assert page["type"] == "OrderedCollectionPage"
        assert page["partOf"]["id"] == doc["id"]
        pages.insert(0, page)
        url = page.get("prev", {}).get("id")
    assert pages[0]["id"] == doc["first"]["id"]
    activities = [a for p in pages for a in p["orderedItems"]]
    times = [a["endTime"] for a in activities]
    assert times == sorted(times)  # oldest first
    return activities


def changes(activities: list[dict], items: dict) -> list[tuple[str, str]]:
    names = {f"/iiif/3/item/{item.pk}/manifest": name for name, item in items.items()}
    return [
        (a["type"], names[a["object"]["id"].removeprefix("http://testserver")])
        for a in activities
        if a["object"]["id"].removeprefix("http://testserver") in names
    ]


def test_the_stream_announces_each_public_manifest_once(archive, client):
    activities = harvest(client)
    assert changes(activities, archive) == [
        ("Create", "first"),
        ("Create", "second"),
        ("Create", "third"),
    ]  # no manifest for an item without media, nothing of a restricted one
    for a in activities:
        assert a["object"]["type"] == "Manifest"
        assert client.get(a["object"]["id"]).status_code == 200
    # A curator harvests what everyone does: the stream is about public material only.
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    assert changes(harvest(client), archive) == changes(activities, archive)


def test_a_republished_item_is_an_update_at_the_end(archive, client):
    page = type(archive["first"]).objects.get(pk=archive["first"].pk)
    page.save_revision().publish()
    assert changes(harvest(client), archive) == [
        ("Create", "second"),
        ("Create", "third"),
        ("Update", "first"),
    ]


def test_a_withdrawal_is_a_delete_the_aggregator_sees(
    archive, client, django_capture_on_commit_callbacks
):
    consent = ConsentRecord.objects.get(person__name_en="Singer second", scope="public_web")
    consent.withdrawn_on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    activities = harvest(client)
    assert changes(activities, archive)[-1] == ("Delete", "second")
    assert ("Create", "second") not in changes(activities, archive)
    gone = next(a for a in activities if a["type"] == "Delete")
    assert client.get(gone["object"]["id"]).status_code == 404


def test_an_unpublished_item_is_a_delete_too(archive, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        archive["third"].unpublish()
    assert changes(harvest(client), archive)[-1] == ("Delete", "third")


def test_pages_link_both_ways(archive, client, monkeypatch):
    monkeypatch.setattr(discovery, "PAGE_SIZE", 2)
    assert len(changes(harvest(client), archive)) == 3
    first = client.get("/iiif/discovery/1/activity/page/0").json()
    assert "prev" not in first and first["next"]["id"].endswith("/page/1")
    assert first["startIndex"] == 0
    assert client.get("/iiif/discovery/1/activity/page/99").status_code == 404


def test_the_stream_is_open_to_any_harvester_and_linked_from_the_collections(archive, client):
    response = client.get("/iiif/discovery/1/activity/page/0")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == f'application/ld+json;profile="{CONTEXT}"'
    assert client.options("/iiif/discovery/1/activity").status_code == 204
    collection = client.get("/iiif/3/collection/dialects").json()
    links = [s["id"] for s in collection["seeAlso"]]
    assert "http://testserver/iiif/discovery/1/activity" in links


ROLES = ("registered", "member", "teacher", "contributor", "curator")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_harvests_what_everyone_does_before_and_after_a_withdrawal(
    archive, client, role, django_capture_on_commit_callbacks
):
    from archive.access.models import CommunityMembership

    groups = {"teacher": ("Teachers",), "contributor": ("Contributors",), "curator": ("Curators",)}
    user = factories.user(groups=groups.get(role, ()), is_staff=role in groups)
    if role == "member":
        village = factories.person(kind="community", consent=None)
        CommunityMembership.objects.create(user=user, community=village)
    signed_in = type(client)()
    signed_in.force_login(user)
    assert changes(harvest(signed_in), archive) == changes(harvest(client), archive)
    consent = ConsentRecord.objects.get(person__name_en="Singer first", scope="public_web")
    consent.withdrawn_on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    after = changes(harvest(signed_in), archive)
    assert after == changes(harvest(client), archive)
    assert after[-1] == ("Delete", "first")
