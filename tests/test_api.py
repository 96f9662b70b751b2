"""The JSON API v1: items and collections read through the access policy, cursor pages,
ETags, and the OpenAPI 3.1 document that describes it and the search contract."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def tree():
    _, collections = factories.site_tree()
    return collections


@pytest.fixture
def levels(tree):
    """One live recording at each access level."""
    speaker = factories.person()
    return {
        level: factories.recording(tree["dialects"], speaker=speaker, access=level)
        for level in ("public", "registered", "community", "restricted")
    }


def identifiers(body) -> set[str]:
    return {r["identifier"] for r in body["results"]}


def test_anonymous_callers_see_public_items_only(client, levels):
    body = client.get("/api/v1/items").json()
    assert identifiers(body) == {levels["public"].identifier}
    for level in ("registered", "community", "restricted"):
        assert client.get(f"/api/v1/items/{levels[level].identifier}").status_code == 404


def test_signed_in_callers_and_curators_see_what_the_policy_lets_them(client, levels):
    client.force_login(factories.user())
    assert identifiers(client.get("/api/v1/items").json()) == {
        levels["public"].identifier,
        levels["registered"].identifier,
    }
    client.force_login(factories.user(is_superuser=True))
    assert identifiers(client.get("/api/v1/items").json()) == {
        i.identifier for i in levels.values()
    }


def test_an_item_in_detail_carries_its_dublin_core_and_manifest(client, levels):
    item = levels["public"]
    body = client.get(f"/api/v1/items/{item.identifier}").json()
    assert body["type"] == "recording"
    assert body["collection"] == "dialects"
    assert body["title"]["zh"] == item.title and body["title"]["en"] == item.title_en
    assert body["dublin_core"]["identifier"] == [item.identifier]
    assert body["manifest"].endswith(f"/iiif/3/item/{item.pk}/manifest")
    assert body["url"].startswith("http://testserver/")


def test_a_withdrawn_item_leaves_the_api(client, tree):
    from django.core.management import call_command

    speaker = factories.person()
    item = publish(factories.recording(tree["dialects"], speaker=speaker))
    assert client.get(f"/api/v1/items/{item.identifier}").status_code == 200
    call_command("consent", "withdraw", speaker.slug, "--scope", "public_web")
    assert client.get(f"/api/v1/items/{item.identifier}").status_code == 404
    assert identifiers(client.get("/api/v1/items").json()) == set()


def test_cursor_pages_walk_every_item_once(client, tree):
    speaker = factories.person()
    items = [factories.recording(tree["dialects"], speaker=speaker) for _ in range(5)]
    url, seen = "/api/v1/items?limit=2", []
    while url:
        body = client.get(url).json()
        seen += [r["identifier"] for r in body["results"]]
        url = body["next"]
    assert seen == [i.identifier for i in items]


def test_filters_narrow_the_list_and_bad_ones_are_refused(client, levels):
    assert identifiers(client.get("/api/v1/items?collection=dialects").json()) == {
        levels["public"].identifier
    }
    assert client.get("/api/v1/items?collection=embroidery").json()["results"] == []
    assert client.get("/api/v1/items?type=embroidery").json()["results"] == []
    assert client.get("/api/v1/items?collection=pottery").status_code == 422  # not in the enum
    assert client.get("/api/v1/items?type=pottery").status_code == 422
    assert client.get("/api/v1/items?cursor=forged").status_code == 400
    assert client.get("/api/v1/items?limit=1000").status_code == 422


def test_collections_count_only_what_the_caller_may_see(client, levels):
    body = client.get("/api/v1/collections").json()
    counts = {c["slug"]: c["item_count"] for c in body["results"]}
    assert counts == {"embroidery": 0, "dialects": 1, "folk-music": 0}
    one = client.get("/api/v1/collections/dialects").json()
    assert one["items_url"].endswith("/api/v1/items?collection=dialects")
    assert client.get("/api/v1/collections/pottery").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/items", "/api/v1/collections", "ITEM"])
def test_a_matching_etag_gets_304_and_a_change_a_new_etag(client, levels, path):
    item = levels["public"]
    path = f"/api/v1/items/{item.identifier}" if path == "ITEM" else path
    first = client.get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    item.title_en = "Renamed"
    publish(item)
    changed = client.get(path, headers={"If-None-Match": etag})
    if path != "/api/v1/collections":
        assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_signed_in_answer_is_kept_by_no_shared_cache(client, levels):
    client.force_login(factories.user())
    response = client.get("/api/v1/items")
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


def test_the_openapi_document_describes_the_api_and_search(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path in (
        "/api/v1/items",
        "/api/v1/items/{identifier}",
        "/api/v1/collections",
        "/api/v1/collections/{slug}",
        "/api/v1/search",
        "/api/v1/search/suggest",
    ):
        assert "get" in paths[path], path
    search = paths["/api/v1/search"]["get"]["responses"]["200"]["content"]["application/json"]
    schema = doc["components"]["schemas"][search["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"total", "results", "facets"} <= set(schema["required"])
    assert client.get("/api/v1/docs").status_code == 200


def test_search_still_answers_its_contract(client, levels):
    body = client.get("/api/v1/search", {"q": "Recording"}).json()
    assert {"total", "results", "facets"} <= set(body)
