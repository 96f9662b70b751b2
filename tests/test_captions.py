"""Caption tracks in any language: uploaded as WebVTT or SRT, kept as WebVTT, named in the
manifest each with its language (a list) and its village variety, served with the
transcript's access, searched by Content Search, and offered by the item page's player.

Two songs from Paimo village (the second's recording only for signed-in visitors) have four
tracks each: Northern Qiandong Miao (``hea``) as sung there, A-Hmao (``hmd``), Chinese and
English. Each role asks each door before and after the singer withdraws her consent (which
takes both public pages down)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from archive.captions.conversion import CaptionFileError, to_webvtt
from archive.captions.models import CaptionTrack
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media, made_once
from tests.test_iiif_auth import ROLES

# The module's data is made once: its tests share one storage folder (conftest).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_media")]

SRT_HEA = """1
00:00:00,500 --> 00:00:01,250
Hxak Hmub dail ghangb

2
00:00:01,500 --> 00:00:02,750
Bangx Hxib nongd
"""
SRT_ZH = (
    "1\n00:00:00,500 --> 00:00:01,250\n苗家的古歌\n\n2\n00:00:01,500 --> 00:00:02,750\n蝴蝶妈妈\n"
)
VTT_HMD = "WEBVTT\n\n00:00:00.500 --> 00:00:01.250\nHmaob ad ngaox\n"
VTT_EN = "WEBVTT\n\n00:00:01.500 --> 00:00:02.750\nButterfly Mother\n"


# --- the conversion --------------------------------------------------------------------


def test_an_srt_file_becomes_webvtt_with_its_times_and_text():
    vtt = to_webvtt(SRT_HEA.encode())
    assert vtt.startswith("WEBVTT")
    assert "00:00:00.500 --> 00:00:01.250\nHxak Hmub dail ghangb" in vtt
    assert "00:00:01.500 --> 00:00:02.750\nBangx Hxib nongd" in vtt
    assert "," not in vtt.split("\n", 2)[2].split("\n")[0]  # SRT's comma is gone


def test_a_chinese_srt_in_gb18030_with_windows_lines_is_read():
    data = SRT_ZH.replace("\n", "\r\n").encode("gb18030")
    assert "蝴蝶妈妈" in to_webvtt(data)


def test_a_webvtt_file_is_kept_as_webvtt_and_a_bom_is_dropped():
    vtt = to_webvtt(b"\xef\xbb\xbf" + VTT_HMD.encode())
    assert vtt.startswith("WEBVTT") and "Hmaob ad ngaox" in vtt


@pytest.mark.parametrize(
    "data",
    [b"hello, this is not a caption file", b"WEBVTT\n\n", b"\xff\xfe\x00\x00garbage", b""],
)
def test_what_is_not_a_caption_file_is_refused_with_a_reason(data):
    with pytest.raises(CaptionFileError) as e:
        to_webvtt(data)
    assert str(e.value)


# --- the world ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    src = tmp_path_factory.mktemp("captions-src")
    with made_once(django_db_blocker, media_root):
        _, collections = factories.site_tree()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        singer = factories.person(consent="public_web", name_en="Yang Ayi")
        song = factories.recording(
            collections["dialects"], speaker=singer, community=village, title="蝴蝶歌"
        )
        add_media(song, make.tone(src / "song.wav", 3.0))
        # A recording shared with signed-in visitors: its tracks are theirs too.
        members = factories.recording(
            collections["dialects"], speaker=singer, community=village, title="会员歌"
        )
        add_media(members, make.tone(src / "members.wav", 3.0), access_level="registered")
        tracks = {}
        for item in (song, members):
            for n, (language, variety, data) in enumerate(
                [
                    ("hea", "排莫 Paimo (Taijiang)", SRT_HEA),
                    ("hmd", "", VTT_HMD),
                    ("zh-Hans", "", SRT_ZH),
                    ("en", "", VTT_EN),
                ]
            ):
                tracks[(item.pk, language)] = CaptionTrack.objects.create(
                    item=item,
                    language=language,
                    variety=variety,
                    vtt=to_webvtt(data.encode()),
                    position=n,
                )
        users = factories.role_users(village, elsewhere)
        yield {
            "song": song,
            "members": members,
            "tracks": tracks,
            "users": users,
            "singer": singer,
        }


def sign_in(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])


# --- the manifest ------------------------------------------------------------------------


def test_the_manifest_names_every_track_with_its_language_as_a_list_and_its_variety(world, client):
    song = world["song"]
    doc = client.get(f"/iiif/3/item/{song.pk}/manifest").json()
    (canvas,) = doc["items"]
    annotations = canvas["annotations"][0]["items"]
    tracks = {
        a["body"]["language"][0]: a
        for a in annotations
        if "/captions/" in a["body"]["id"] and a["motivation"] == "supplementing"
    }
    assert set(tracks) == {"hea", "hmd", "zh-Hans", "en"}
    for language, annotation in tracks.items():
        body = annotation["body"]
        assert body["language"] == [language]  # a list (Presentation 3 §3.3)
        assert body["format"] == "text/vtt" and body["type"] == "Text"
        assert annotation["target"] == canvas["id"]
        assert body["label"]["en"] and body["label"]["zh-Hans"]
    assert tracks["hea"]["body"]["label"]["en"] == [
        "Northern Qiandong Miao (hea) · 排莫 Paimo (Taijiang)"
    ]
    assert "黔东" in tracks["hea"]["body"]["label"]["zh-Hans"][0]
    assert doc["service"][0]["type"] == "SearchService2"


# --- the doors, per role, before and after a withdrawal ------------------------------------


def admitted(role: str, what: str) -> bool:
    return what == "song" or role != "anonymous"


def check_doors(world, client, role, withdrawn: bool) -> None:
    for what in ("song", "members"):
        item = world[what]
        # Both pages are public (the members' song only its recording is not): the withdrawal
        # takes both down, and every track with them.
        want = admitted(role, what) and not withdrawn
        for language in ("hea", "hmd", "zh-Hans", "en"):
            track = world["tracks"][(item.pk, language)]
            response = client.get(f"/iiif/3/item/{item.pk}/captions/{track.pk}.vtt")
            assert response.status_code == (200 if want else 404), f"{role}/{what}/{language}"
            if want:
                assert response["Content-Type"] == "text/vtt; charset=utf-8"
                assert response["Content-Language"] == language
                assert response.content.decode() == track.vtt
                public = what == "song" and role == "anonymous"
                assert ("public" in response["Cache-Control"]) == public
        # The item page is seen by all until the withdrawal: so is the search of its text;
        # the tracks' lines are found only by those who may hear the recording.
        hits = client.get(f"/iiif/3/item/{item.pk}/search", {"q": "nongd"})
        assert hits.status_code == (404 if withdrawn else 200), f"{role}/{what}/search"
        if not withdrawn:
            assert bool(hits.json()["items"]) == want, f"{role}/{what}/search"
    # Another item's id with this item's track: no such track.
    other = world["tracks"][(world["members"].pk, "hea")]
    assert client.get(f"/iiif/3/item/{world['song'].pk}/captions/{other.pk}.vtt").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_each_role_meets_each_track_before_and_after_the_singer_withdraws(
    world, client, role, django_capture_on_commit_callbacks
):
    sign_in(client, world, role)
    check_doors(world, client, role, withdrawn=False)
    with transaction.atomic():
        factories.withdraw_consent(world["singer"], django_capture_on_commit_callbacks)
        check_doors(world, client, role, withdrawn=True)
        transaction.set_rollback(True)


# --- Content Search ----------------------------------------------------------------------


def test_content_search_finds_a_word_of_a_track_at_its_second(world, client):
    song = world["song"]
    doc = client.get(f"/iiif/3/item/{song.pk}/search", {"q": "Bangx"}).json()
    (hit,) = [h for h in doc["items"] if "/captions/" in h["id"]]
    assert hit["body"]["language"] == ["hea"]
    assert hit["body"]["value"] == "Bangx Hxib nongd"
    assert hit["target"].endswith(f"/canvas/{song.assets.get().pk}#t=1.5,2.75")
    zh = client.get(f"/iiif/3/item/{song.pk}/search", {"q": "蝴蝶"}).json()["items"]
    said = [h for h in zh if h["motivation"] == "supplementing"]
    assert [h["body"]["language"] for h in said] == [["zh-Hans"]]
    (title,) = [h for h in zh if h["motivation"] == "describing"]  # 蝴蝶歌, its title
    assert (
        title["target"] == f"http://testserver/iiif/3/item/{song.pk}/canvas/{song.assets.get().pk}"
    )
    terms = client.get(f"/iiif/3/item/{song.pk}/autocomplete", {"q": "hma"}).json()
    assert {"value": "hmaob", "total": 1} in terms["items"]


# --- the player --------------------------------------------------------------------------


def test_the_player_offers_each_track_by_its_language_and_variety(world, client):
    song = world["song"]
    html = client.get(song.url).content.decode()
    tracks = re.findall(r'<track kind="subtitles" src="([^"]+)" srclang="([^"]+)"', html)
    assert [lang for _src, lang in tracks] == ["hea", "hmd", "zh-Hans", "en"]
    assert all(src.startswith(f"/iiif/3/item/{song.pk}/captions/") for src, _ in tracks)
    assert "data-captions" in html and "排莫 Paimo (Taijiang)" in html
    # The members' song: a public page whose recording is for signed-in visitors; its tracks
    # are offered only to them, as its transcript would be.
    members = world["members"]
    assert "<track" not in client.get(members.url).content.decode()
    client.force_login(world["users"]["registered"])
    assert client.get(members.url).content.decode().count('<track kind="subtitles"') == 4


# --- the upload --------------------------------------------------------------------------


ADD = "/admin/snippets/captions/captiontrack/add/"


def test_a_curator_uploads_an_srt_track_and_it_is_kept_as_webvtt(world, client):
    song = world["song"]
    client.force_login(world["users"]["curator"])
    form = {
        "item": song.pk,
        "language": "hea",
        "variety": "排莫 Paimo",
        "label_zh": "",
        "label_en": "",
        "kind": "subtitles",
        "position": 9,
        "upload": SimpleUploadedFile("song.srt", SRT_HEA.encode(), "application/x-subrip"),
    }
    response = client.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    track = CaptionTrack.objects.get(item=song, position=9)
    assert track.vtt.startswith("WEBVTT") and "00:00:01.500 --> 00:00:02.750" in track.vtt

    form["upload"] = SimpleUploadedFile("notes.srt", b"just some notes", "text/plain")
    form["position"] = 10
    response = client.post(ADD, form)
    assert response.status_code == 200  # the form again, with the reason
    assert response.context["form"].errors["upload"]  # with the reason
    assert not CaptionTrack.objects.filter(position=10).exists()


@pytest.mark.parametrize("role", ["contributor", "teacher", "registered"])
def test_only_curators_add_tracks(world, client, role):
    client.force_login(world["users"][role])
    response = client.post(
        ADD,
        {
            "item": world["song"].pk,
            "language": "en",
            "kind": "subtitles",
            "position": 11,
            "upload": SimpleUploadedFile("x.vtt", VTT_EN.encode(), "text/vtt"),
        },
    )
    assert response.status_code in (302, 403)
    assert not CaptionTrack.objects.filter(position=11).exists()


# --- conformance -------------------------------------------------------------------------


def test_a_manifest_with_tracks_passes_the_schema_and_iiif_parser(world, client):
    from tests.test_iiif_conformance import parser_report, schema_errors

    url = f"/iiif/3/item/{world['song'].pk}/manifest"
    doc = client.get(url).json()
    assert schema_errors(doc) == []
    (report,) = parser_report({url: doc})
    assert not report["warnings"] and not report["error"], report


# --- the archival package ----------------------------------------------------------------


def test_tracks_travel_in_a_bag_as_far_as_its_audience_may_read_them(world, settings, tmp_path):
    from archive.bags.export import Audience, export_bag, select_items
    from archive.bags.restore import import_bag
    from tests.test_bags import empty_the_archive, items_of

    song, members = world["song"], world["members"]
    public = items_of(export_bag(select_items(), tmp_path / "public").path)
    assert [t["language"] for t in public[song.identifier]["captions"]] == [
        "hea",
        "hmd",
        "zh-Hans",
        "en",
    ]
    assert public[members.identifier]["captions"] == []  # its recording is not for everyone
    bag = export_bag(select_items(), tmp_path / "curator", Audience(curator=True)).path
    before = {
        (t.item.identifier, t.language): (t.variety, t.vtt)
        for t in CaptionTrack.objects.select_related("item")
    }
    with transaction.atomic():
        empty_the_archive()
        assert not CaptionTrack.objects.exists()
        settings.MEDIA_ROOT = tmp_path / "fresh-media"
        import_bag(bag)
        after = {
            (t.item.identifier, t.language): (t.variety, t.vtt)
            for t in CaptionTrack.objects.select_related("item")
        }
        assert after == before
        transaction.set_rollback(True)
