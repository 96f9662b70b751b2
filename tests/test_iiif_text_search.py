"""IIIF Content Search 2.0 over an item's own text (issue 13): every manifest a reader may
see names the search service, and a word of the title, description, meaning or story is
found as a ``describing`` annotation on the manifest's first canvas, the match quoted. The
door answers whoever may see the item page, and 404 once the item is taken down."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from archive.iiif.validation import validate
from tests import factories
from tests.iiif_support import image_item, made_once
from tests.test_iiif_conformance import schema_errors

# The module's data is made once: its tests share one storage folder (conftest).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_media")]

ROLES = ("anonymous", "registered", "member", "other-member", "teacher", "contributor", "curator")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    with made_once(django_db_blocker, media_root):
        pattern, image = image_item(tmp_path_factory.mktemp("iiif-text-search-src"))
        pattern.meaning_en = "The Butterfly Mother is the mother of all Miao people."
        pattern.story_zh = "蝴蝶妈妈从枫树心里生出来。"
        pattern.save()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        users = factories.role_users(village, elsewhere)
        artisan = pattern.people.get(role="artisan").person
        yield {"pattern": pattern, "image": image, "users": users, "artisan": artisan}


def sign_in(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])


def search(client, page, path="search", **params):
    return client.get(f"/iiif/3/item/{page.pk}/{path}", params)


def test_a_patterns_manifest_names_the_search_service(world, client):
    pattern = world["pattern"]
    doc = client.get(f"/iiif/3/item/{pattern.pk}/manifest").json()
    validate(doc)
    assert not schema_errors(doc)  # the official Presentation 3 schema, with the service
    (service,) = doc["service"]
    assert service["type"] == "SearchService2"
    assert service["id"] == f"http://testserver/iiif/3/item/{pattern.pk}/search"
    assert service["service"][0]["type"] == "AutoCompleteService2"


def test_a_word_of_the_description_is_found_on_the_patterns_canvas(world, client):
    pattern = world["pattern"]
    canvas = client.get(f"/iiif/3/item/{pattern.pk}/manifest").json()["items"][0]["id"]
    response = search(client, pattern, q="split-thread")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = response.json()
    assert doc["@context"] == "http://iiif.io/api/search/2/context.json"
    (hit,) = doc["items"]
    assert hit["motivation"] == "describing"
    assert hit["target"] == canvas
    assert hit["body"] == {
        "type": "TextualBody",
        "value": "A Butterfly Mother motif in split-thread embroidery.",
        "format": "text/plain",
        "language": ["en"],
    }
    (quote,) = doc["annotations"][0]["items"]
    assert quote["motivation"] == "highlighting"
    assert quote["target"]["source"] == hit["id"]
    assert quote["target"]["selector"] == [
        {
            "type": "TextQuoteSelector",
            "prefix": "A Butterfly Mother motif in ",
            "exact": "split-thread",
            "suffix": " embroidery.",
        }
    ]


def test_title_meaning_and_story_in_each_language_are_searched(world, client):
    pattern = world["pattern"]
    hits = search(client, pattern, q="BUTTERFLY mother").json()["items"]
    ids = {h["id"].split("/text/")[1] for h in hits}
    assert ids == {"title/en", "description/en", "meaning/en"}
    (story,) = search(client, pattern, q="枫树").json()["items"]
    assert story["body"]["language"] == ["zh-Hans"]
    (miao,) = search(client, pattern, q="liax").json()["items"]
    assert miao["body"] == {**miao["body"], "value": "Mais Bangx Mais Liax", "language": ["hmn"]}
    assert search(client, pattern, q="nowhere").json()["items"] == []
    # Only describing hits exist here: asking for transcripts finds nothing.
    assert search(client, pattern, q="motif", motivation="supplementing").json()["items"] == []
    assert len(search(client, pattern, q="motif", motivation="describing").json()["items"]) == 1
    terms = search(client, pattern, "autocomplete", q="emb").json()["items"]
    assert terms == [{"value": "embroidery", "total": 1}]


def check(world, client, role, withdrawn: bool) -> None:
    pattern = world["pattern"]
    page = client.get(pattern.url)
    for path, params in (("search", {"q": "motif"}), ("autocomplete", {"q": "moti"})):
        response = search(client, pattern, path, **params)
        # The search door answers exactly whoever may see the item page.
        assert response.status_code == (404 if withdrawn else 200), f"{role}/{path}"
        assert (page.status_code == 200) == (response.status_code == 200), f"{role}/{path}"
        if not withdrawn:
            assert len(response.json()["items"]) == 1
            public = role == "anonymous"
            assert ("public" in response["Cache-Control"]) == public


def test_each_readers_manifest_names_the_service_and_passes_the_official_schema(world, client):
    """Whoever may see the manifest may search it: the service is named for every role."""
    for role in ROLES:
        client.logout()
        sign_in(client, world, role)
        doc = client.get(f"/iiif/3/item/{world['pattern'].pk}/manifest").json()
        assert not schema_errors(doc), role
        assert doc["service"][0]["type"] == "SearchService2", role


@pytest.mark.parametrize("role", ROLES)
def test_each_role_searches_the_pattern_before_and_after_the_artisan_withdraws(
    world, client, role, django_capture_on_commit_callbacks
):
    sign_in(client, world, role)
    check(world, client, role, withdrawn=False)
    with transaction.atomic():
        factories.withdraw_consent(world["artisan"], django_capture_on_commit_callbacks)
        cache.clear()
        check(world, client, role, withdrawn=True)
        transaction.set_rollback(True)


def test_an_unpublished_patterns_search_is_404(world, client):
    pattern = world["pattern"]
    with transaction.atomic():
        pattern.unpublish()
        cache.clear()
        for role in ROLES:
            client.logout()
            sign_in(client, world, role)
            for path in ("search", "autocomplete"):
                assert search(client, pattern, path, q="motif").status_code == 404, role
        transaction.set_rollback(True)
