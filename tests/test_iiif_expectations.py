"""IIIF as viewers and aggregators expect it (issue 13, findings 1–8): canonical links that
are themselves valid requests, CORS preflight on every door, CORS on the media files a
manifest names, content negotiation that caches keep apart, ``language`` as a list, sizes on
every body. Hidden material stays hidden behind each of these doors."""

from __future__ import annotations

import re

import pytest
import pyvips
from django.core.cache import cache

from archive.iiif import presentation
from archive.iiif.image_views import Descriptor
from archive.iiif.validation import validate
from demo import mediamaker as make
from media_pipeline.probe import identify
from tests import factories
from tests.iiif_support import (
    add_media,
    made_once,
    media_archive_with_a_restricted_image,
)

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("iiif-expect-media")


@pytest.fixture(autouse=True)
def _media_root(settings, media_root):
    settings.MEDIA_ROOT = media_root
    cache.clear()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    """The media archive and one restricted image, made once and rolled back after."""
    with made_once(django_db_blocker, media_root):
        yield media_archive_with_a_restricted_image(
            media_root, tmp_path_factory.mktemp("iiif-expect-src")
        )


pytestmark = pytest.mark.django_db


def decode(response) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(response.content, "")


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>;rel="([a-z]+)"', response["Link"])}


def door_urls(archive) -> list[str]:
    image, recording = archive["image"].pk, archive["recording"].pk
    return [
        f"/iiif/3/{image}/info.json",
        f"/iiif/3/{image}/full/200,/0/default.jpg",
        f"/iiif/3/item/{recording}/manifest",
        "/iiif/3/collection/dialects",
        f"/iiif/3/item/{recording}/transcript.hmn.vtt",
        f"/iiif/3/item/{recording}/dc.json",
        archive["audio"].url("opus"),
    ]


# --- 1. the canonical Link header is canonical, and a valid request ----------------------


@pytest.mark.parametrize(
    "path",
    [
        "full/^1600,/0/default.jpg",  # upscaled: the canonical form keeps the ^
        "full/1500,/0/default.jpg",  # the whole image at full size is full/max
        "0,0,1500,1100/750,/0/color.png",  # the whole region is "full"
        "square/pct:50/!22.5/gray.webp",
        "100,100,200,200/^!300,300/90/default.jpg",
    ],
)
def test_the_canonical_link_is_itself_a_request_for_the_same_image(client, archive, path):
    base = f"http://testserver/iiif/3/{archive['image'].pk}"
    response = client.get(f"{base}/{path}")
    assert response.status_code == 200
    rels = links(response)
    assert rels["profile"] == "http://iiif.io/api/image/3/level2.json"
    assert rels["describedby"] == f"{base}/info.json"
    canonical = client.get(rels["canonical"])
    assert canonical.status_code == 200, rels["canonical"]
    assert links(canonical)["canonical"] == rels["canonical"]  # canonical of canonical
    a, b = decode(response), decode(canonical)
    assert (a.width, a.height, a.bands) == (b.width, b.height, b.bands)


def test_an_upscaled_request_is_canonically_upscaled(client, archive):
    base = f"http://testserver/iiif/3/{archive['image'].pk}"
    response = client.get(f"{base}/full/^1600,/0/default.jpg")
    assert links(response)["canonical"] == f"{base}/full/^1600,1173/0/default.jpg"


def test_info_json_lists_the_link_headers_it_sends(client, archive):
    info = client.get(f"/iiif/3/{archive['image'].pk}/info.json").json()
    assert {"canonicalLinkHeader", "profileLinkHeader"} <= set(info["extraFeatures"])


# --- 2. CORS preflight; HEAD on the file door ---------------------------------------------


def test_every_door_answers_a_viewers_preflight(client, archive):
    for url in door_urls(archive):
        response = client.options(
            url,
            headers={
                "Origin": "https://viewer.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "accept, range",
            },
        )
        assert response.status_code == 204, url
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert {"GET", "HEAD"} <= set(response["Access-Control-Allow-Methods"].split(", "))
        allowed = {h.lower() for h in response["Access-Control-Allow-Headers"].split(", ")}
        assert {"accept", "range", "authorization"} <= allowed, url


def test_a_preflight_reveals_nothing_about_hidden_material(client, archive):
    secret = archive["restricted_image"].pk
    hidden = client.options(f"/iiif/3/{secret}/info.json")
    missing = client.options("/iiif/3/99999999/info.json")
    assert hidden.status_code == missing.status_code == 204
    # Every header alike but the request's own id (which names the request, not the image).
    assert _without_request_id(hidden) == _without_request_id(missing)
    assert client.get(f"/iiif/3/{secret}/info.json").status_code == 404  # the GET decides


def _without_request_id(response) -> dict:
    return {k: v for k, v in response.items() if k != "X-Request-ID"}


def test_head_on_a_media_file_says_what_a_get_would(client, archive):
    audio = archive["audio"]
    url = audio.url("opus")
    head, get = client.head(url), client.get(url)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(b"".join(get.streaming_content)))
    assert head["Content-Type"] == get["Content-Type"]
    assert head["Access-Control-Allow-Origin"] == "*"
    assert client.head(archive["restricted_image"].url("thumb")).status_code == 404
    assert client.post(url).status_code == 405


# --- 3. media files a manifest names are readable cross-origin ----------------------------


def test_every_file_a_public_manifest_names_is_cors_open(client, archive):
    urls = set()
    for page in ("recording", "music", "pattern"):
        text = client.get(f"/iiif/3/item/{archive[page].pk}/manifest").content.decode()
        urls |= set(re.findall(r'"(http://testserver/assets/[^"]+)"', text))
    names = {u.rsplit("/", 1)[1] for u in urls}
    assert {"opus", "aac", "waveform", "mp4-480", "poster", "thumb"} <= names
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "Content-Range" in response["Access-Control-Expose-Headers"], url
    ranged = client.get(archive["audio"].url("opus"), headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged["Access-Control-Allow-Origin"] == "*"


def test_a_restricted_file_is_not_opened_to_other_origins(client, archive):
    secret = archive["restricted_image"]
    assert client.get(secret.url("thumb")).status_code == 404
    client.force_login(factories.user(groups=("Curators",)))
    response = client.get(secret.url("thumb"))
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert response["Cache-Control"] == "private, no-store"


# --- 4. content negotiation that caches keep apart ----------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, 'application/ld+json;profile="{ctx}"'),
        ("*/*", 'application/ld+json;profile="{ctx}"'),
        ("application/json", "application/json"),
        ('application/ld+json;profile="{ctx}"', 'application/ld+json;profile="{ctx}"'),
        ("application/json, application/ld+json;q=0.5", "application/json"),
        ("application/ld+json, application/json;q=0.9", 'application/ld+json;profile="{ctx}"'),
    ],
)
def test_json_documents_negotiate_and_say_they_vary(client, archive, accept, expected):
    for url, ctx in (
        (f"/iiif/3/{archive['image'].pk}/info.json", IMAGE_CONTEXT),
        (f"/iiif/3/item/{archive['pattern'].pk}/manifest", PRESENTATION_CONTEXT),
        ("/iiif/3/collection/embroidery", PRESENTATION_CONTEXT),
    ):
        headers = {"Accept": accept.format(ctx=ctx)} if accept else {}
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response["Content-Type"] == expected.format(ctx=ctx), url
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert "accept" in vary, url
        assert response["Cache-Control"].startswith("public")


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def test_public_images_and_files_vary_only_by_what_changes_their_bytes(client, archive):
    pk = archive["image"].pk
    client.cookies["django_language"] = "en"  # a visitor who has seen a page
    assert vary(client.get(f"/iiif/3/{pk}/info.json")) == {"accept"}
    tile = client.get(f"/iiif/3/{pk}/0,0,512,512/512,/0/default.jpg")
    assert tile["Cache-Control"].startswith("public") and vary(tile) == set()
    assert vary(client.get(archive["audio"].url("opus"))) == set()
    # A manifest's body depends on the reader, so it still varies by Cookie.
    assert "cookie" in vary(client.get(f"/iiif/3/item/{archive['pattern'].pk}/manifest"))
    # Private material is the reader's own, whatever it varies by.
    client.force_login(factories.user(groups=("Curators",)))
    secret = client.get(f"/iiif/3/{archive['restricted_image'].pk}/info.json")
    assert secret["Cache-Control"] == "private, no-store" and "cookie" in vary(secret)


# --- 5. language as a list; 6. sizes on video bodies; 7. image bodies over maxArea --------


def test_transcript_bodies_give_their_language_as_a_list(client, archive):
    doc = client.get(f"/iiif/3/item/{archive['recording'].pk}/manifest").json()
    validate(doc)
    notes = doc["items"][0]["annotations"][0]["items"]
    assert [a["body"]["language"] for a in notes] == [["hmn"], ["zh-Hans"], ["en"]]
    with pytest.raises(AssertionError):
        validate({**doc, "items": [_with_string_language(doc["items"][0])]})


def _with_string_language(canvas: dict) -> dict:
    note = canvas["annotations"][0]["items"][0]
    body = {**note["body"], "language": "hmn"}
    page = {**canvas["annotations"][0], "items": [{**note, "body": body}]}
    return {**canvas, "annotations": [page]}


def test_video_bodies_give_the_size_each_rendition_has(client, archive):
    doc = client.get(f"/iiif/3/item/{archive['music'].pk}/manifest").json()
    body = doc["items"][0]["items"][0]["items"][0]["body"]
    renditions = body["items"] if body["type"] == "Choice" else [body]
    video = archive["video"]
    for rendition in renditions:
        name = rendition["id"].rsplit("/", 1)[1]
        made = identify(video.derivatives.get(name=name).file.path).probe
        assert (rendition["width"], rendition["height"]) == (made["width"], made["height"])


def test_an_image_over_max_area_has_a_body_the_size_full_max_delivers(client, archive, monkeypatch):
    # A 20 MP image: full/max is capped at 16 MP, so the body must say 4579×3663.
    real = presentation.access_descriptor

    def big(asset_id, user):
        desc, status = real(asset_id, user)
        return desc and Descriptor(**{**desc.__dict__, "width": 5000, "height": 4000}), status

    monkeypatch.setattr(presentation, "access_descriptor", big)
    doc = client.get(f"/iiif/3/item/{archive['pattern'].pk}/manifest").json()
    canvas = doc["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    assert (canvas["width"], canvas["height"]) == (5000, 4000)
    assert body["id"].endswith("/full/max/0/default.jpg")
    assert (body["width"], body["height"]) == (4579, 3663)


# --- 8. transparent corners in PNG --------------------------------------------------------


def test_an_arbitrary_rotation_in_png_has_transparent_corners(client, archive):
    pk = archive["image"].pk
    png = decode(client.get(f"/iiif/3/{pk}/full/300,/22.5/default.png"))
    assert png.bands == 4 and png.hasalpha()
    assert png.getpoint(0, 0)[3] == 0 and png.getpoint(png.width // 2, png.height // 2)[3] == 255
    gray = decode(client.get(f"/iiif/3/{pk}/full/300,/22.5/gray.png"))
    assert gray.bands == 2 and gray.getpoint(0, 0)[1] == 0
    jpg = decode(client.get(f"/iiif/3/{pk}/full/300,/22.5/default.jpg"))
    assert jpg.bands == 3 and min(jpg.getpoint(0, 0)) > 240  # JPEG has no alpha: white


def test_a_video_rendition_size_follows_the_pipelines_scaling_rule():
    from media_pipeline.specs import VIDEO_SPECS

    by_name = {spec.name: spec for spec in VIDEO_SPECS}
    assert by_name["mp4-480"].output_size(1920, 1080) == (854, 480)  # ffmpeg's scale=-2:480
    assert by_name["mp4-240"].output_size(1920, 1080) == (426, 240)
    assert by_name["mp4-480"].output_size(320, 240) == (320, 240)  # never enlarged


# --- Content Search 2.0 over transcripts --------------------------------------------------


def search(client, archive, path="search", **params):
    return client.get(f"/iiif/3/item/{archive['recording'].pk}/{path}", params)


def said(response) -> list[dict]:
    """The transcript hits of a search answer (the item's own text is searched too)."""
    return [h for h in response.json()["items"] if h["motivation"] == "supplementing"]


def test_the_manifest_names_a_search_service_for_its_transcript(client, archive):
    doc = client.get(f"/iiif/3/item/{archive['recording'].pk}/manifest").json()
    validate(doc)
    (service,) = doc["service"]
    assert service["type"] == "SearchService2"
    assert service["id"].endswith(f"/iiif/3/item/{archive['recording'].pk}/search")
    assert service["service"][0]["type"] == "AutoCompleteService2"
    pattern = client.get(f"/iiif/3/item/{archive['pattern'].pk}/manifest").json()
    assert pattern["service"][0]["type"] == "SearchService2"  # its own text is searched


def test_a_spoken_word_is_found_at_the_second_it_is_said(client, archive):
    manifest = client.get(f"/iiif/3/item/{archive['recording'].pk}/manifest").json()
    canvas = manifest["items"][0]["id"]
    response = search(client, archive, q="ghet")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/search/2/context.json"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = response.json()
    assert doc["@context"] == "http://iiif.io/api/search/2/context.json"
    assert doc["type"] == "AnnotationPage" and doc["id"].endswith("/search?q=ghet")
    (hit,) = doc["items"]  # "ghet" is said, not written in the item's text
    assert hit["motivation"] == "supplementing"
    assert hit["target"] == f"{canvas}#t=1,1.9"
    assert hit["body"] == {
        "type": "TextualBody",
        "value": "Ghet Lok",
        "format": "text/plain",
        "language": ["hmn"],
    }
    (zh,) = said(search(client, archive, q="古歌"))  # also the title: a describing hit
    assert zh["target"] == f"{canvas}#t=0,0.9" and zh["body"]["language"] == ["zh-Hans"]
    (both,) = said(search(client, archive, q="SONG ancient"))  # every term, any case
    assert both["body"]["value"] == "The ancient song & more"
    assert search(client, archive, q="nowhere").json()["items"] == []
    assert search(client, archive).json()["items"] == []


def test_search_parameters_it_cannot_honour_are_reported(client, archive):
    doc = search(client, archive, q="ghet", user="https://example.org/u", motivation="painting")
    assert doc.json()["ignored"] == ["user"]
    assert doc.json()["items"] == []  # transcripts are supplementing, not painting
    assert len(search(client, archive, q="ghet", motivation="supplementing").json()["items"]) == 1


def test_autocomplete_offers_the_transcripts_words(client, archive):
    response = search(client, archive, "autocomplete", q="GH")
    assert response.status_code == 200
    doc = response.json()
    assert doc["type"] == "TermPage"
    assert doc["items"] == [{"value": "ghet", "total": 1}]
    assert search(client, archive, "autocomplete", q="古").json()["items"] == [
        {"value": "古歌", "total": 2}  # a line of the transcript and the title
    ]


def test_a_transcript_the_reader_may_not_hear_cannot_be_searched(client, archive):
    from archive.assets.models import MediaAsset

    audio = archive["audio"]
    MediaAsset.objects.filter(pk=audio.pk).update(access_level="restricted")
    try:
        # The recording was the item's only media: with nothing the reader may open there
        # is no manifest (the item page shows no viewer), so no search either. (An item with
        # other media to show is searched for its text alone: tests/test_captions.py.)
        for path in ("search", "autocomplete"):
            assert search(client, archive, path, q="ghet").status_code == 404
        client.force_login(factories.user())  # signed in, still not allowed
        assert search(client, archive, q="ghet").status_code == 404
        client.force_login(factories.user(groups=("Curators",)))
        response = search(client, archive, q="ghet")
        assert response.status_code == 200 and len(said(response)) == 1
        assert response["Cache-Control"] == "private, no-store"
        assert "Access-Control-Allow-Origin" not in response
    finally:
        MediaAsset.objects.filter(pk=audio.pk).update(access_level="public")


def test_a_hidden_items_search_is_404_like_its_other_doors(client, archive):
    hidden = factories.recording(archive["collections"]["dialects"], access="community")
    for path in ("search", "autocomplete"):
        assert client.get(f"/iiif/3/item/{hidden.pk}/{path}?q=a").status_code == 404
        assert client.get(f"/iiif/3/item/{archive['pattern'].pk}/{path}?q=a").status_code == 200
        assert client.options(f"/iiif/3/item/{hidden.pk}/{path}").status_code == 204


# --- AV depth: the singer's photo accompanies the song ------------------------------------


def test_a_recordings_photo_accompanies_the_sound_while_it_plays(client, archive, tmp_path):
    from archive.assets.models import MediaAsset

    page = factories.recording(archive["collections"]["dialects"], speaker=factories.person())
    photo = add_media(page, make.card(tmp_path / "singer.jpg", 300, 400), caption_en="Singer")
    add_media(page, make.tone(tmp_path / "sung.wav", 2, frequency=220))
    doc = client.get(f"/iiif/3/item/{page.pk}/manifest").json()
    validate(doc)
    (canvas,) = doc["items"]  # the photo is not a canvas of its own
    assert canvas["duration"] == pytest.approx(2, abs=0.1)
    accompanying = canvas["accompanyingCanvas"]
    assert accompanying["type"] == "Canvas" and accompanying["label"]["en"] == ["Singer"]
    assert (accompanying["width"], accompanying["height"]) == (300, 400)
    body = accompanying["items"][0]["items"][0]["body"]
    assert body["service"][0]["id"] == f"http://testserver/iiif/3/{photo.pk}"
    assert client.get(body["id"]).status_code == 200
    assert doc["thumbnail"][0]["type"] == "Image"
    # A photo the reader may not see accompanies nothing, and is named nowhere.
    MediaAsset.objects.filter(pk=photo.pk).update(access_level="restricted")
    cache.clear()
    text = client.get(f"/iiif/3/item/{page.pk}/manifest").content.decode()
    assert "accompanyingCanvas" not in text and f"/iiif/3/{photo.pk}" not in text
