"""Each role against each door: what the access policy promises in the README, checked.

Items at every level (public, registered, community, restricted), each with a picture and a
transcribed recording; visitors in every role (anonymous, registered, community member,
member of another community, teacher, contributor, curator). Every door must admit exactly
those the policy admits: roles in the admin (teacher, contributor) widen nothing on the
public doors; the original file goes to curators only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from archive.items.models import TranscriptCue
from demo import mediamaker as make
from search import indexing
from tests import factories
from tests.iiif_support import add_media

LEVELS = ("public", "registered", "community", "restricted")
ROLES = ("anonymous", "registered", "member", "other-member", "teacher", "contributor", "curator")


def admitted(role: str, level: str) -> bool:
    """The README's table, written out independently of the policy module."""
    if role == "curator":
        return True
    if level == "public":
        return True
    if role == "anonymous":
        return False
    if level == "registered":
        return True
    return level == "community" and role == "member"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    src = tmp_path_factory.mktemp("matrix-src")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        _, collections = factories.site_tree()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        items = {}
        for level in LEVELS:
            speaker = factories.person(consent="public_web")
            item = factories.recording(
                collections["dialects"],
                speaker=speaker,
                access=level,
                community=village if level == "community" else None,
                title=f"矩阵{level}",
                title_en=f"Matrix {level} song",
            )
            TranscriptCue.objects.create(
                item=item,
                start=Decimal(0),
                end=Decimal(1),
                sort_order=0,
                text_hmn="Hxak",
                text_zh=f"{level} 歌词",
                text_en="words",
            )
            image = add_media(item, make.card(src / f"{level}.jpg", 400, 300))
            audio = add_media(item, make.tone(src / f"{level}.wav", 1.0))
            items[level] = (item, image, audio)
        indexing.index_items([i.pk for i, _, _ in items.values()])
        users = factories.role_users(village, elsewhere)
        yield items, users
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    settings.MEDIA_ROOT = media_root
    cache.clear()


pytestmark = pytest.mark.django_db


def doors(item, image, audio) -> dict[str, str]:
    return {
        "page": item.url,
        "thumbnail": f"/assets/{image.pk}/thumb",
        "audio": f"/assets/{audio.pk}/opus",
        "iiif info": f"/iiif/3/{image.pk}/info.json",
        "iiif image": f"/iiif/3/{image.pk}/full/100,/0/default.jpg",
        "manifest": f"/iiif/3/item/{item.pk}/manifest",
        "dublin core": f"/iiif/3/item/{item.pk}/dc.json",
        "transcript": f"/iiif/3/item/{item.pk}/transcript.zh.vtt",
        "picture page": f"/picture/{image.pk}/",
    }


def refused(role: str, level: str, door: str) -> int:
    """A refused reader gets 404, except at the manifest of an item sign-in could open: the
    Auth 2.0 flow's 401 (anonymous) or 403 (signed in, not admitted), naming nothing of it."""
    if door == "manifest" and level in ("registered", "community"):
        return 401 if role == "anonymous" else 403
    return 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_role_meets_each_door_as_the_policy_says(world, client, role, level):
    items, users = world
    if role != "anonymous":
        client.force_login(users[role])
    item, image, audio = items[level]
    for name, url in doors(item, image, audio).items():
        expected = 200 if admitted(role, level) else refused(role, level, name)
        assert client.get(url).status_code == expected, f"{role} / {level} / {name}"
    hits = client.get("/api/v1/search", {"q": f"Matrix {level}"}).json()["results"]
    assert any(h["url"].endswith(item.url) for h in hits) == admitted(role, level)
    in_sitemap = item.url in client.get("/sitemap.xml").content.decode()
    assert in_sitemap == (level == "public")  # the sitemap is for everyone: public only


@pytest.mark.parametrize("role", ROLES)
def test_only_curators_receive_an_original_file(world, client, role):
    items, users = world
    if role != "anonymous":
        client.force_login(users[role])
    _, image, _ = items["public"]
    expected = 200 if role == "curator" else 404
    assert client.get(f"/assets/{image.pk}/original").status_code == expected


def test_a_restricted_recording_keeps_its_transcript_from_a_public_page(world, client):
    items, _ = world
    item, image, audio = items["public"]
    type(audio).objects.filter(pk=audio.pk).update(access_level="restricted")
    try:
        page = client.get(item.url).content.decode()
        assert "public 歌词" not in page
        assert client.get(f"/iiif/3/item/{item.pk}/transcript.zh.vtt").status_code == 404
        manifest = client.get(f"/iiif/3/item/{item.pk}/manifest").content.decode()
        assert "transcript" not in manifest
        from search import documents

        doc = documents.build(documents.live_items().get(pk=item.pk))
        assert not doc["cues"]
    finally:
        type(audio).objects.filter(pk=audio.pk).update(access_level="public")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_behind_nginx_each_role_is_handed_a_file_only_as_the_policy_says(
    world, client, settings, role, level
):
    """With MHA_ACCEL_REDIRECT the file doors hand nginx an internal location instead of
    the bytes (deploy/nginx/mha.conf): only after the same check, never to a refused role."""
    settings.MHA_ACCEL_REDIRECT = True
    items, users = world
    if role != "anonymous":
        client.force_login(users[role])
    item, image, audio = items[level]
    for url in (f"/assets/{image.pk}/thumb", f"/assets/{audio.pk}/opus"):
        response = client.get(url, HTTP_RANGE="bytes=0-9")
        if admitted(role, level):
            assert response.status_code == 200, f"{role} / {level} / {url}"
            assert response["X-Accel-Redirect"].startswith(settings.MHA_ACCEL_MEDIA_PREFIX)
            assert response.content == b""  # nginx sends the bytes and the range
        else:
            assert response.status_code == 404, f"{role} / {level} / {url}"
            assert not response.has_header("X-Accel-Redirect")
        # HEAD is answered here, with the size nginx would send.
        head = client.head(url)
        assert head.status_code == (200 if admitted(role, level) else 404)
        assert not head.has_header("X-Accel-Redirect")
    original = client.get(f"/assets/{image.pk}/original")
    assert original.has_header("X-Accel-Redirect") == (role == "curator")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_only_what_everyone_may_see_says_it_may_be_kept_offline(world, client, role, level):
    """The offline copy (static/js/sw.js) keeps a response only when it says ``public``."""
    items, users = world
    if role != "anonymous":
        client.force_login(users[role])
    item, image, audio = items[level]
    for name, url in doors(item, image, audio).items():
        response = client.get(url)
        if response.status_code != 200:
            continue
        public = "public" in response.get("Cache-Control", "")
        if level != "public" or (role != "anonymous" and name in ("page", "picture page")):
            assert not public, f"{role} / {level} / {name}: {response.get('Cache-Control')}"
        if role == "anonymous":
            assert public, f"{role} / {level} / {name}: {response.get('Cache-Control')}"
