"""An item sign-in could open announces itself to IIIF viewers; a hidden one stays unknown.

Four songs of Paimo village: one for signed-in visitors, one for Paimo's members, one for
curators only, and one for signed-in visitors that is then taken down. Each role asks the
manifest door and the item's Auth 2.0 probe (with a token from the token service, as a viewer
on another origin would) before and after the singer withdraws her consent and after the
take-down. A locked manifest (401, or 403 for a signed-in reader still not admitted) names
nothing of the item: no title, no identifier, no community, no canvas, only the probe.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from archive.people.models import ConsentRecord
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media, made_once
from tests.test_iiif_auth import ROLES, client_class, sign_in

pytestmark = pytest.mark.django_db

AUTH = "http://iiif.io/api/auth/2/context.json"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("locked-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    src = tmp_path_factory.mktemp("locked-src")
    with made_once(django_db_blocker, media_root):
        _, collections = factories.site_tree()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        singer = factories.person(consent="public_web", name_en="Yang Ayi")
        items = {}
        for n, (what, level) in enumerate(
            [
                ("registered", "registered"),
                ("community", "community"),
                ("restricted", "restricted"),
                ("taken down", "registered"),
            ]
        ):
            item = factories.recording(
                collections["dialects"],
                speaker=singer,
                community=village,
                access=level,
                title=f"秘密的飞歌{n}",
                title_en=f"Secret flying song {n}",
                identifier=f"MHA-DIA-LOCK{n}",
            )
            add_media(item, make.card(src / f"singer{n}.jpg", 300, 200))
            items[what] = item
        users = factories.role_users(village, elsewhere)
        yield {"items": items, "users": users, "singer": singer, "village": village}


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    settings.MEDIA_ROOT = media_root
    cache.clear()


def expected(role: str, what: str) -> int:
    """The README's promise, written out apart from the policy module."""
    if what == "taken down":
        return 404  # public doors never show an unpublished item, not even to curators
    if role == "curator":
        return 200
    if what == "restricted":
        return 404  # nothing sign-in could open: not announced
    if role == "anonymous":
        return 401
    if what == "registered" or role == "member":
        return 200
    return 403


def manifest(client, item, origin: str | None = None):
    headers = {"Origin": origin} if origin else {}
    return client.get(f"/iiif/3/item/{item.pk}/manifest", headers=headers)


def item_probe(client, item, token: str | None) -> dict:
    headers = {"Origin": "https://viewer.example.org"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(f"/iiif/auth/2/probe/item/{item.pk}", headers=headers)
    assert response.status_code == 200  # the answer is in the body
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in response["Cache-Control"]
    doc = response.json()
    assert doc["type"] == "AuthProbeResult2" and doc["@context"] == AUTH
    return doc


def assert_locked_shell(response, item, village) -> None:
    """A locked manifest: the probe and a generic label, nothing of the item."""
    assert response["Access-Control-Allow-Origin"] == "*"  # a viewer elsewhere reads it
    assert "no-store" in response["Cache-Control"]
    doc = response.json()
    assert doc["@context"] == [AUTH, "http://iiif.io/api/presentation/3/context.json"]
    assert doc["type"] == "Manifest" and doc["items"] == []
    assert doc["id"].endswith(f"/iiif/3/item/{item.pk}/manifest")
    (probe,) = doc["service"]
    assert probe["type"] == "AuthProbeService2"
    assert probe["id"].endswith(f"/iiif/auth/2/probe/item/{item.pk}")
    access = probe["service"][0]
    assert access["type"] == "AuthAccessService2" and access["profile"] == "active"
    text = json.dumps(doc, ensure_ascii=False)
    for secret in (item.title, item.title_en, item.identifier, village.name_en, "/iiif/3/item"):
        if secret == "/iiif/3/item":
            assert text.count(secret) == 1  # its own id, no transcript, no dc.json
        else:
            assert secret not in text
    assert "/assets/" not in text and "canvas" not in text


def check_every_door(world, client, role: str, token: str | None, state: str) -> None:
    viewer = client_class(client)  # another origin: the token, no cookie
    for what, item in world["items"].items():
        want = expected(role, what) if state == "before" else 404
        if state == "withdrawn":
            item.refresh_from_db()
            # The policy asks consent of public material only: an item behind sign-in
            # stays as it was, and one taken down stays down.
            want = expected(role, what) if item.live else 404
        response = manifest(client, item)
        assert response.status_code == want, f"{role} / {what} / {state}"
        if want in (401, 403):
            assert_locked_shell(response, item, world["village"])
        elif want == 200:
            assert response.json()["label"]["en"] == [item.title_en]
        assert item_probe(viewer, item, token)["status"] == want, f"{role} / {what} / {state}"


@pytest.fixture(autouse=True)
def _taken_down(world, db):
    """The fourth song is taken down for every test (each test's rollback restores it)."""
    for item in world["items"].values():
        item.refresh_from_db()
    item = world["items"]["taken down"]
    if item.live:
        item.unpublish()
        item.refresh_from_db()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_meets_each_item_at_the_manifest_and_its_probe(world, client, role):
    token = sign_in(client, world, role)
    check_every_door(world, client, role, token, "before")


@pytest.mark.parametrize("role", ROLES)
def test_after_the_singer_withdraws_and_after_a_take_down(
    world, client, role, django_capture_on_commit_callbacks
):
    token = sign_in(client, world, role)
    with transaction.atomic():
        consent = ConsentRecord.objects.get(person=world["singer"], scope="public_web")
        consent.withdrawn_on = timezone.localdate()
        with django_capture_on_commit_callbacks(execute=True):
            consent.save()
        check_every_door(world, client, role, token, "withdrawn")
        for item in list(world["items"].values())[:3]:
            item.unpublish()
        check_every_door(world, client, role, token, "unpublished")
        transaction.set_rollback(True)


def test_an_expired_item_and_a_missing_one_are_not_announced(world, client):
    item = world["items"]["registered"]
    assert manifest(client, item).status_code == 401
    with transaction.atomic():
        type(item).objects.filter(pk=item.pk).update(expire_at=timezone.now())
        assert manifest(client, item).status_code == 404
        assert item_probe(client, item, None)["status"] == 404
        transaction.set_rollback(True)
    assert client.get("/iiif/3/item/2147483647/manifest").status_code == 404
    assert client.get("/iiif/3/item/9999999999/manifest").status_code == 404
    assert client.get("/iiif/auth/2/probe/item/9999999999").json()["status"] == 404


def test_the_other_doors_of_a_locked_item_stay_shut(world, client):
    """Only the manifest announces the item: its Dublin Core record, transcripts and search
    are linked from the full manifest alone, and answer 404 until the reader is admitted."""
    item = world["items"]["community"]
    for path in ("dc.json", "transcript.hmn.vtt", "search?q=a", "autocomplete?q=a"):
        assert client.get(f"/iiif/3/item/{item.pk}/{path}").status_code == 404, path
    assert manifest(client, item).status_code == 401
    assert client.options(f"/iiif/auth/2/probe/item/{item.pk}").status_code == 204
    assert client.post(f"/iiif/auth/2/probe/item/{item.pk}").status_code == 405
