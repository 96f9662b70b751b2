"""The JSON API v1 beyond items and collections: people (public profiles), vocabularies,
media renditions, each for every role before and after a withdrawal; curators' writes with
Wagtail API tokens; ETags and cursor pages on the new lists."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import APIToken

from archive.items.consent import take_down_without_consent
from archive.items.models import ItemPage
from archive.vocabularies.models import Motif, Place
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media, made_once
from tests.test_role_matrix import LEVELS, ROLES, admitted

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("api-media")


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    settings.MEDIA_ROOT = media_root
    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    """A recording at each level, each with its own speaker and a picture; a user per role."""
    src = tmp_path_factory.mktemp("api-src")
    with made_once(django_db_blocker, media_root):
        _, collections = factories.site_tree()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        items = {}
        for level in LEVELS:
            speaker = factories.person(slug=f"speaker-{level}", is_speaker=True)
            item = factories.recording(
                collections["dialects"],
                speaker=speaker,
                access=level,
                identifier=f"MHA-API-{level.upper()}",
                community=village if level == "community" else None,
            )
            image = add_media(item, make.card(src / f"{level}.jpg", 300, 200), caption_en=level)
            items[level] = (item, speaker, image)
        users = factories.role_users(village, elsewhere)
        county = Place.objects.create(slug="api-leishan", label_zh="雷山县", kind="county")
        Place.objects.create(slug="api-paimo", label_zh="排莫", kind="village", broader=county)
        for n in range(3):
            Motif.objects.create(slug=f"api-motif-{n}", label_zh=f"纹{n}", label_en=f"Motif {n}")
        yield items, users


def as_role(client, world, role):
    _, users = world
    if role != "anonymous":
        client.force_login(users[role])
    return client


def doors(item, speaker) -> dict[str, str]:
    return {
        "item": f"/api/v1/items/{item.identifier}",
        "media": f"/api/v1/items/{item.identifier}/media",
        "person": f"/api/v1/people/{speaker.slug}",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_role_meets_each_api_door_as_the_policy_says(world, client, role, level):
    items, _ = world
    item, speaker, _image = items[level]
    as_role(client, world, role)
    expected = 200 if admitted(role, level) else 404
    for name, url in doors(item, speaker).items():
        assert client.get(url).status_code == expected, f"{role} / {level} / {name}"
    people = {p["slug"] for p in client.get("/api/v1/people", {"limit": 100}).json()["results"]}
    assert (speaker.slug in people) == admitted(role, level)
    assert client.get("/api/v1/vocabularies/places").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_after_a_withdrawal_no_role_reaches_the_item_its_media_or_the_speaker(world, client, role):
    items, _ = world
    item, speaker, _image = items["public"]
    speaker.consents.first().withdraw(on=speaker.consents.first().granted_on)
    take_down_without_consent(speaker)
    as_role(client, world, role)
    for name, url in doors(item, speaker).items():
        assert client.get(url).status_code == 404, f"{role} / {name}"
    people = {p["slug"] for p in client.get("/api/v1/people", {"limit": 100}).json()["results"]}
    assert speaker.slug not in people


def test_media_lists_renditions_never_the_original(world, client):
    items, _ = world
    item, _speaker, image = items["public"]
    body = client.get(f"/api/v1/items/{item.identifier}/media").json()
    (media,) = body["results"]
    assert media["kind"] == "image" and media["caption"]["en"] == "public"
    names = {r["name"] for r in media["renditions"]}
    assert {"thumb", "web-webp", "web-jpeg"} <= names
    assert "original" not in names and not names & {"tiles", "pyramid"}
    thumb = next(r for r in media["renditions"] if r["name"] == "thumb")
    assert client.get(thumb["url"]).status_code == 200
    assert media["iiif_image"] == f"http://testserver/iiif/3/{image.pk}"


def test_a_restricted_picture_on_a_public_item_stays_out_of_its_media(world, client, tmp_path):
    items, users = world
    item, _speaker, _image = items["public"]
    add_media(item, make.card(tmp_path / "secret.jpg", 200, 100), access_level="restricted")
    assert len(client.get(f"/api/v1/items/{item.identifier}/media").json()["results"]) == 1
    client.force_login(users["curator"])
    assert len(client.get(f"/api/v1/items/{item.identifier}/media").json()["results"]) == 2


def test_a_profile_is_public_fields_only(world, client):
    items, _ = world
    _item, speaker, _image = items["public"]
    body = client.get(f"/api/v1/people/{speaker.slug}").json()
    assert body["slug"] == speaker.slug and body["roles"] == ["speaker"]
    assert "birth_year" not in body and "consents" not in body
    listed = client.get(body["items_url"]).json()["results"]
    assert [i["identifier"] for i in listed] == ["MHA-API-PUBLIC"]


def test_vocabularies_list_their_terms_with_broader_terms_in_cursor_pages(world, client):
    names = [v["name"] for v in client.get("/api/v1/vocabularies").json()["results"]]
    assert {"places", "motifs", "techniques"} <= set(names)
    places = client.get("/api/v1/vocabularies/places", {"broader": "api-leishan"}).json()
    (paimo,) = places["results"]
    assert paimo["broader"] == "api-leishan" and paimo["place"]["kind"] == "village"
    first = client.get("/api/v1/vocabularies/motifs", {"limit": 2}).json()
    second = client.get(first["next"]).json()
    slugs = [t["slug"] for t in first["results"] + second["results"]]
    assert slugs == ["api-motif-0", "api-motif-1", "api-motif-2"] and second["next"] is None
    assert client.get("/api/v1/vocabularies/nothing").status_code == 404


@pytest.mark.parametrize(
    "url", ["/api/v1/people", "/api/v1/vocabularies/motifs", "/api/v1/items/MHA-API-PUBLIC/media"]
)
def test_new_lists_answer_conditional_requests(world, client, url):
    first = client.get(url)
    assert first["ETag"] and first["Cache-Control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


# --- curators write with tokens ----------------------------------------------------------


def token_for(user) -> dict:
    _token, key = APIToken.create_token(user=user, name="tests")
    return {"Authorization": f"Bearer {key}"}


NEW = {
    "collection": "dialects",
    "identifier": "MHA-API-NEW",
    "title": "新录音",
    "title_en": "A new recording",
    "access_level": "public",
}


def test_writes_need_a_curators_token(world, client):
    _, users = world
    assert client.post("/api/v1/items", NEW, content_type="application/json").status_code == 401
    client.force_login(users["curator"])  # a session is not a token
    assert client.post("/api/v1/items", NEW, content_type="application/json").status_code == 401
    for role in ("registered", "teacher", "contributor"):
        response = client.post(
            "/api/v1/items", NEW, content_type="application/json", headers=token_for(users[role])
        )
        assert response.status_code == 401, role
    assert not ItemPage.objects.filter(identifier="MHA-API-NEW").exists()


def test_a_curator_creates_a_draft_that_nobody_reads_until_published(world, client):
    _, users = world
    auth = token_for(users["curator"])
    response = client.post("/api/v1/items", NEW, content_type="application/json", headers=auth)
    assert response.status_code == 201, response.content
    assert response.json()["live"] is False
    page = ItemPage.objects.get(identifier="MHA-API-NEW").specific
    assert page.title_en == "A new recording" and page.get_parent().slug == "dialects"
    assert client.get("/api/v1/items/MHA-API-NEW").status_code == 404
    taken = client.post("/api/v1/items", NEW, content_type="application/json", headers=auth)
    assert taken.status_code == 400 and "MHA-API-NEW" in taken.json()["detail"]


def test_a_change_waits_as_a_revision_for_review(world, client):
    items, users = world
    item = items["public"][0]
    auth = token_for(users["curator"])
    response = client.patch(
        f"/api/v1/items/{item.identifier}",
        {"title_en": "Renamed by the API", "place": "api-paimo"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200, response.content
    body = client.get(f"/api/v1/items/{item.identifier}").json()
    assert body["title"]["en"] != "Renamed by the API"  # still the published version
    page = ItemPage.objects.get(pk=item.pk)
    page.get_latest_revision().publish()
    body = client.get(f"/api/v1/items/{item.identifier}").json()
    assert body["title"]["en"] == "Renamed by the API" and body["place"].startswith("排莫")


def test_a_curator_sets_controlled_vocabulary_by_term_slugs(world, client):
    from archive.vocabularies.models import Dialect

    items, users = world
    item = items["registered"][0]
    Dialect.objects.create(slug="api-dialect", label_zh="雷山话")
    auth = {**token_for(users["curator"]), "Accept-Language": "en"}
    url = f"/api/v1/items/{item.identifier}"
    ok = client.patch(
        url, {"terms": {"dialect": ["api-dialect"]}}, content_type="application/json", headers=auth
    )
    assert ok.status_code == 200, ok.content
    ItemPage.objects.get(pk=item.pk).get_latest_revision().publish()
    assert ItemPage.objects.get(pk=item.pk).specific.dialect.slug == "api-dialect"
    for terms in ({"dialect": ["nowhere"]}, {"motifs": ["api-motif-0"]}, {"place": ["x"]}):
        bad = client.patch(url, {"terms": terms}, content_type="application/json", headers=auth)
        assert bad.status_code == 400, terms


@pytest.mark.parametrize(
    "change,word",
    [
        ({"access_level": "secret"}, "access_level"),
        ({"licence": "mine"}, "licence"),
        ({"place": "atlantis"}, "atlantis"),
        ({"year_from": 2000, "year_to": 1990}, ""),  # the model's own words
    ],
)
def test_a_bad_change_is_refused_with_the_reason(world, client, change, word):
    items, users = world
    item = items["public"][0]
    response = client.patch(
        f"/api/v1/items/{item.identifier}",
        change,
        content_type="application/json",
        headers={**token_for(users["curator"]), "Accept-Language": "en"},
    )
    assert response.status_code == 400 and word in response.json()["detail"]


def test_a_curator_uploads_media_through_the_ingest(world, client, tmp_path):
    items, users = world
    item = items["registered"][0]
    auth = token_for(users["curator"])
    picture = make.card(tmp_path / "upload.jpg", 320, 240).read_bytes()
    response = client.post(
        f"/api/v1/items/{item.identifier}/media",
        {"file": SimpleUploadedFile("upload.jpg", picture), "caption_en": "From the API"},
        headers=auth,
    )
    assert response.status_code == 201, response.content
    asset = item.assets.get(caption_en="From the API")
    assert asset.access_level == "restricted" and asset.original.kind == "image"
    bad = client.post(
        f"/api/v1/items/{item.identifier}/media",
        {"file": SimpleUploadedFile("notes.jpg", b"<html>not a picture</html>")},
        headers=auth,
    )
    assert bad.status_code == 400 and bad.json()["detail"]


def test_the_openapi_document_describes_every_new_door(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in (
        "/api/v1/people",
        "/api/v1/people/{slug}",
        "/api/v1/vocabularies",
        "/api/v1/vocabularies/{name}",
        "/api/v1/items/{identifier}/media",
    ):
        assert "get" in doc["paths"][path], path
    assert "post" in doc["paths"]["/api/v1/items"]
    assert "patch" in doc["paths"]["/api/v1/items/{identifier}"]
    assert "post" in doc["paths"]["/api/v1/items/{identifier}/media"]
    assert doc["components"]["securitySchemes"]["CuratorToken"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs").status_code == 200
