"""The rules, as a visitor would notice them: tests written to kill mutants that survived
`make mutation` (README, "Mutation testing"). Each name says what a person would see go wrong.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone

from archive.access import policy
from archive.access.models import CommunityMembership
from archive.assets.models import Derivative, MediaAsset
from archive.assets.views import ranged_file_response
from archive.items.models import ItemPage
from archive.items.models.people import consent_problems
from archive.people.models import ConsentRecord, Person
from media_pipeline.errors import MediaError
from media_pipeline.sniff import Sniffed, sniff
from tests import factories

# ---------------------------------------------------------------- the audience (no database)


def _item(level="public", community_id=None, live=True, expire_at=None, assets=()):
    return SimpleNamespace(
        access_level=level,
        community_id=community_id,
        live=live,
        expire_at=expire_at,
        assets=SimpleNamespace(all=lambda: list(assets)),
    )


def _asset(item, level="public", kind="audio"):
    return SimpleNamespace(item=item, access_level=level, original=SimpleNamespace(kind=kind))


def test_a_signed_in_stranger_cannot_see_community_material():
    stranger = policy.Audience(policy.SIGNED_IN_LEVELS)
    member = policy.Audience(policy.SIGNED_IN_LEVELS, frozenset({7}))
    assert not stranger.admits("community", 7)
    assert not member.admits("community", 8)  # another village's material
    assert member.admits("community", 7)
    assert not member.admits("restricted", 7)  # membership opens community material only
    assert policy.CURATORS.admits("restricted", None)


def test_the_audience_filter_admits_community_material_of_the_members_village_only():
    member = policy.Audience(policy.SIGNED_IN_LEVELS, frozenset({9, 7}))
    q = member.q("lvl", "com")
    assert q == policy.Q(lvl__in=["public", "registered"]) | policy.Q(
        lvl="community", com__in=[7, 9]
    )
    assert policy.EVERYONE.q() == policy.Q(access_level__in=["public"])
    assert policy.CURATORS.q() == policy.Q()


def test_an_expired_item_is_hidden_at_its_expiry_and_not_before():
    now = timezone.now()
    assert policy.is_expired(_item(expire_at=now - timedelta(seconds=1)))
    assert not policy.is_expired(_item(expire_at=now + timedelta(minutes=5)))
    assert not policy.is_expired(_item(expire_at=None))
    assert not policy.is_expired(SimpleNamespace())  # a model without expiry never expires


def test_an_anonymous_visitor_sees_only_live_unexpired_public_items():
    anon = AnonymousUser()
    assert policy.can_view_item(anon, _item())
    assert policy.can_view_item(None, _item())
    assert not policy.can_view_item(anon, _item(live=False))
    assert not policy.can_view_item(anon, _item(expire_at=timezone.now() - timedelta(hours=1)))
    assert not policy.can_view_item(anon, _item("registered"))


def test_a_restricted_file_on_a_public_item_is_not_served_to_the_public():
    item = _item()
    assert policy.can_view_asset(None, _asset(item))
    assert not policy.can_view_asset(None, _asset(item, "restricted"))
    assert not policy.can_view_asset(None, _asset(_item("registered")))
    assert policy.asset_shown_to_everyone(_asset(item))
    assert not policy.asset_shown_to_everyone(_asset(item, "registered"))
    assert not policy.asset_shown_to_everyone(_asset(_item("registered")))
    assert not policy.asset_shown_to_everyone(_asset(_item(live=False)))
    expired = _item(expire_at=timezone.now() - timedelta(seconds=5))
    assert not policy.asset_shown_to_everyone(_asset(expired))


def test_a_transcript_is_read_only_by_those_who_may_hear_the_recording():
    item = _item()
    item.assets = SimpleNamespace(all=lambda: [_asset(item, "restricted")])
    assert not policy.can_view_transcript(None, item)
    assert not policy.transcript_shown_to_everyone(item)
    # an image is not what the transcript transcribes: its level does not matter
    item.assets = SimpleNamespace(
        all=lambda: [_asset(item, "restricted", "image"), _asset(item, "public", "video")]
    )
    assert policy.can_view_transcript(None, item)
    assert policy.transcript_shown_to_everyone(item)
    # one recording the visitor may hear is enough
    item.assets = SimpleNamespace(
        all=lambda: [_asset(item, "restricted"), _asset(item, "public", "audio")]
    )
    assert policy.can_view_transcript(None, item)
    # no recording: the text goes with the item
    assert policy.can_view_transcript(None, _item())
    assert not policy.can_view_transcript(None, _item(live=False))


@pytest.mark.parametrize(
    ("item_level", "recording_levels", "indexable"),
    [
        ("public", [], True),
        ("public", ["public"], True),
        ("public", ["registered"], False),  # anonymous searchers would find hidden words
        ("registered", ["registered"], True),
        ("registered", ["community"], False),
        ("community", ["community"], True),
        ("community", ["restricted"], False),
        ("restricted", ["restricted"], True),  # curators see everything
        ("public", ["restricted", "public"], True),
    ],
)
def test_a_transcripts_words_are_searchable_only_if_as_open_as_its_item(
    item_level, recording_levels, indexable
):
    item = _item(item_level, community_id=5)
    item.assets = SimpleNamespace(all=lambda: [_asset(item, lvl) for lvl in recording_levels])
    assert policy.transcript_as_open_as_item(item) is indexable


def test_community_material_of_an_item_with_no_community_stays_hidden_from_transcript_search():
    item = _item("community", community_id=None)
    item.assets = SimpleNamespace(all=lambda: [_asset(item, "community")])
    assert policy.transcript_as_open_as_item(item)


def test_public_material_is_shared_and_nothing_else():
    assert policy.shown_to_everyone("public")
    assert not policy.shown_to_everyone("registered")
    assert not policy.shown_to_everyone("community", 3)


# ---------------------------------------------------------------- the audience of real users


@pytest.mark.django_db
def test_a_deactivated_account_sees_only_what_the_public_sees():
    former = factories.user(is_active=False)
    assert policy.audience(former) == policy.EVERYONE
    former_curator = factories.user(groups=("Curators",), is_active=False)
    assert policy.audience(former_curator) == policy.EVERYONE
    assert not policy.is_curator(former_curator)
    assert not policy.is_curator(None)


@pytest.mark.django_db
def test_a_village_member_sees_their_villages_community_material():
    village = Person.objects.create(slug="v", name_zh="村", kind="community")
    member = factories.user()
    CommunityMembership.objects.create(user=member, community=village)
    assert policy.community_ids(member) == {village.pk}
    assert policy.community_ids(AnonymousUser()) == set()
    assert policy.community_ids(None) == set()
    assert policy.audience(member) == policy.Audience(
        policy.SIGNED_IN_LEVELS, frozenset({village.pk})
    )
    assert policy.audience(factories.user(groups=("Curators",))) == policy.CURATORS
    assert policy.audience(None) == policy.EVERYONE


@pytest.mark.django_db
def test_an_expired_page_leaves_every_listing_at_once():
    _, collections = factories.site_tree()
    page = factories.recording(collections["dialects"], speaker=factories.person())
    later = factories.recording(collections["dialects"], speaker=factories.person())
    ItemPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    ItemPage.objects.filter(pk=later.pk).update(expire_at=timezone.now() + timedelta(days=1))
    shown = set(policy.visible_items(ItemPage.objects.all(), None).values_list("pk", flat=True))
    assert page.pk not in shown and later.pk in shown


# ---------------------------------------------------------------- consent over time


@pytest.mark.django_db
def test_a_consent_withdrawn_today_does_not_count_and_one_granted_tomorrow_not_yet():
    p = factories.person(consent=None)
    today = timezone.localdate()
    rec = ConsentRecord.objects.create(
        person=p, scope="public_web", granted_on=today, recorded_by="x"
    )
    assert p.has_consent("public_web")  # granted today counts today
    assert not p.has_consent("education")
    assert not p.has_consent("public_web", on=today - timedelta(days=1))
    rec.withdrawn_on = today + timedelta(days=1)
    rec.save()
    assert p.has_consent("public_web")  # withdrawn tomorrow: still counts today
    rec.withdrawn_on = today
    rec.save()
    assert not p.has_consent("public_web")


@pytest.mark.django_db
def test_a_consent_for_one_recording_covers_that_recording():
    _, collections = factories.site_tree()
    p = factories.person(consent=None)
    page = factories.recording(collections["dialects"], access="community")
    ConsentRecord.objects.create(
        person=p, scope="public_web", item=page, granted_on=datetime.date(2024, 1, 1),
        recorded_by="x",
    )  # fmt: skip
    assert p.has_consent("public_web", item=page)
    assert not p.has_consent("public_web")  # not a consent for everything
    assert consent_problems(page, [(p, "speaker")]) == []
    other = factories.recording(collections["dialects"], access="community")
    assert len(consent_problems(other, [(p, "speaker")])) == 1


@pytest.mark.django_db
def test_only_people_whose_voice_or_hands_are_shown_need_to_consent():
    _, collections = factories.site_tree()
    page = factories.recording(collections["dialects"], speaker=factories.person())
    nobody = factories.person(consent=None)
    assert consent_problems(page, [(nobody, "collector")]) != []  # a recording names no voice
    assert consent_problems(page, [(factories.person(), "speaker")]) == []
    problems = consent_problems(page, [(nobody, "speaker")])
    assert len(problems) == 1 and "Speaker" in problems[0] and str(nobody) in problems[0]


# ---------------------------------------------------------------- the asset door


@pytest.fixture
def asset_door(db):
    _, collections = factories.site_tree()
    page = factories.recording(collections["dialects"], speaker=factories.person())
    data = bytes(range(256)) * 4
    original = factories.original(data, "a.wav", "audio/wav", "audio")
    asset = MediaAsset.objects.create(item=page, original=original, status="ready")
    d = Derivative(asset=asset, name="aac", content_type="audio/mp4", size=len(data))
    d.file.save("a.m4a", ContentFile(data), save=False)
    d.save()
    return asset


def test_an_original_file_is_served_to_curators_only(client, asset_door):
    url = f"/assets/{asset_door.pk}/original"
    assert client.get(url).status_code == 404
    client.force_login(factories.user())
    assert client.get(url).status_code == 404
    client.force_login(factories.user(groups=("Curators",)))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content) == bytes(range(256)) * 4


def test_a_public_file_is_shareable_and_a_registered_one_is_private(client, asset_door):
    url = f"/assets/{asset_door.pk}/aac"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "audio/mp4"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/assets/{asset_door.pk}/opus").status_code == 404  # never made
    assert client.get(f"/assets/{asset_door.pk}/Bad_Name").status_code == 404
    MediaAsset.objects.filter(pk=asset_door.pk).update(access_level="registered")
    locked = client.get(url)  # sign-in opens it: it says so (IIIF Auth 2.0), and no more
    assert locked.status_code == 401 and not locked.content
    assert locked["Cache-Control"] == "private, no-store"
    client.force_login(factories.user())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]
    assert client.post(url).status_code == 405


class _File:
    name = "clip.m4a"

    def __init__(self, data: bytes):
        self.data, self.size = data, len(data)

    def open(self, mode="rb"):
        import io

        return io.BytesIO(self.data)


def _get(range_header=None, data=bytes(range(200)), content_type=None):
    headers = {"HTTP_RANGE": range_header} if range_header else {}
    request = RequestFactory().get("/", **headers)
    response = ranged_file_response(request, _File(data), content_type)
    body = b"".join(response.streaming_content) if response.status_code in (200, 206) else b""
    return response, body


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        (None, 200, 0, 199),
        ("bytes=-", 200, 0, 199),
        ("bytes=0-", 206, 0, 199),
        ("bytes=10-19", 206, 10, 19),
        ("bytes=150-", 206, 150, 199),
        ("bytes=190-5000", 206, 190, 199),
        ("bytes=-30", 206, 170, 199),
        ("bytes=-5000", 206, 0, 199),
        ("bytes=199-199", 206, 199, 199),
        ("items=0-5", 200, 0, 199),
    ],
)
def test_a_player_seeking_gets_exactly_the_bytes_it_asked_for(header, status, first, last):
    data = bytes(range(200))
    response, body = _get(header, data)
    assert response.status_code == status
    assert body == data[first : last + 1]
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mp4"  # guessed from the name
    if status == 206:
        assert response["Content-Range"] == f"bytes {first}-{last}/200"
        assert response["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=200-", "bytes=300-400", "bytes=50-10"])
def test_a_range_beyond_the_file_is_refused_with_its_size(header):
    response, _ = _get(header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */200"


def test_a_long_range_is_streamed_whole():
    data = bytes(range(256)) * 600  # more than one 64 KiB chunk
    response, body = _get("bytes=1-", data, "audio/ogg")
    assert body == data[1:] and response["Content-Type"] == "audio/ogg"


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0", ("image", "image/jpeg", "jpeg", ".jpg")),
        (b"\x89PNG\r\n\x1a\n", ("image", "image/png", "png", ".png")),
        (b"II*\x00", ("image", "image/tiff", "tiff", ".tif")),
        (b"MM\x00*", ("image", "image/tiff", "tiff", ".tif")),
        (b"II+\x00", ("image", "image/tiff", "tiff", ".tif")),
        (b"MM\x00+", ("image", "image/tiff", "tiff", ".tif")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("image", "image/webp", "webp", ".webp")),
        (b"\x00\x00\x00\x18ftypheic", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypheix", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypmif1", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypmsf1", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypheim", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypheis", ("image", "image/heic", "heif", ".heic")),
        (b"\x00\x00\x00\x18ftypavif", ("image", "image/avif", "heif", ".avif")),
        (b"\x00\x00\x00\x18ftypM4A ", ("audio", "audio/mp4", "mov", ".m4a")),
        (b"\x00\x00\x00\x18ftypM4B ", ("audio", "audio/mp4", "mov", ".m4a")),
        (b"\x00\x00\x00\x18ftypqt  ", ("video", "video/quicktime", "mov", ".mov")),
        (b"\x00\x00\x00\x18ftypisom", ("video", "video/mp4", "mov", ".mp4")),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("audio", "audio/wav", "wav", ".wav")),
        (b"RF64\xff\xff\xff\xffWAVEds64", ("audio", "audio/wav", "wav", ".wav")),
        (b"fLaC\x00\x00\x00\x22", ("audio", "audio/flac", "flac", ".flac")),
        (b"OggS\x00\x02", ("audio", "audio/ogg", "ogg", ".ogg")),
        (b"ID3\x04\x00", ("audio", "audio/mpeg", "mp3", ".mp3")),
        (b"\xff\xfb\x90\x00", ("audio", "audio/mpeg", "mp3", ".mp3")),  # MPEG-1 layer III
        (b"\xff\xf3\x90\x00", ("audio", "audio/mpeg", "mp3", ".mp3")),  # MPEG-2 layer III
        (b"\x1a\x45\xdf\xa3\x01\x00", ("video", "video/x-matroska", "matroska", ".mkv")),
    ],
)
def test_a_file_is_known_by_its_bytes(tmp_path, head, expected):
    path = tmp_path / "upload.bin"
    path.write_bytes(head + b"\x00" * 64)
    assert sniff(path) == Sniffed(*expected)


@pytest.mark.parametrize(
    "head",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'>",
        b"  \n<?xml version='1.0'?>",
        b"<!DOCTYPE html><html>",
        b"<HTML><body>",
        b"#EXTM3U\n#EXTINF:10,\nhttp://example.invalid/a.ts",
        b"ffconcat version 1.0\nfile a.wav",
    ],
)
def test_markup_and_playlists_are_refused_for_what_they_are(tmp_path, head):
    path = tmp_path / "upload.jpg"
    path.write_bytes(head)
    with pytest.raises(MediaError, match="markup or playlist"):
        sniff(path)


@pytest.mark.parametrize(
    "head",
    [
        b"\xff\xe1\x00\x00",  # a frame sync with the reserved layer: not MP3
        b"\xff\x10\x00\x00",
        b"RIFF\x00\x00\x00\x00AVI LIST",
        b"\x00\x00\x00\x18free",
        b"plain words",
    ],
)
def test_an_unknown_format_is_refused(tmp_path, head):
    path = tmp_path / "upload.bin"
    path.write_bytes(head)
    with pytest.raises(MediaError, match="Not a recognised"):
        sniff(path)


def test_an_empty_file_is_refused_as_empty(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        sniff(path)


# ---------------------------------------------------------------- the transcript door


def test_a_transcript_of_a_registered_recording_is_read_by_signed_in_users_only(client, asset_door):
    from decimal import Decimal

    from archive.items.models import TranscriptCue

    page = asset_door.item
    url = f"/iiif/3/item/{page.pk}/transcript.en.vtt"
    assert client.get(url).status_code == 404  # no cues yet
    TranscriptCue.objects.create(
        item=page, start=Decimal(0), end=Decimal(1), sort_order=0, text_en="Hello"
    )
    response = client.get(url)
    assert response.status_code == 200 and "Hello" in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == "*"
    MediaAsset.objects.filter(pk=asset_door.pk).update(access_level="registered")
    assert client.get(url).status_code == 404
    client.force_login(factories.user())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert client.post(url).status_code == 405


def test_a_dublin_core_record_lists_a_registered_files_format_to_signed_in_readers(
    client, asset_door
):
    url = f"/iiif/3/item/{asset_door.item.pk}/dc.json"
    response = client.get(url)
    assert response.json()["format"] == ["audio/wav"]
    assert asset_door.item.title in response.content.decode()  # Chinese as written, unescaped
    MediaAsset.objects.filter(pk=asset_door.pk).update(access_level="registered")
    assert client.get(url).json()["format"] == []
    client.force_login(factories.user())
    assert client.get(url).json()["format"] == ["audio/wav"]


def test_a_collection_listing_is_shareable_with_any_viewer(client, db):
    factories.site_tree()
    response = client.get("/iiif/3/collection/dialects")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public")


@pytest.mark.django_db
def test_a_signed_in_readers_villages_are_looked_up_once_per_request(
    django_assert_num_queries,
):
    member = factories.user()
    with django_assert_num_queries(1):
        policy.community_ids(member)
        policy.community_ids(member)
    policy.audience(member)
    with django_assert_num_queries(0):
        policy.audience(member)
