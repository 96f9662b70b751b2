"""IIIF as a standard client uses it: info.json and tiles, manifests for images, audio and
video, collections, transcripts; bad requests get the specification's codes; hidden
material never shows through any of these doors."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import pyvips
from django.core.cache import cache

from archive.assets.models import MediaAsset
from archive.iiif.validation import validate
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import (
    add_media,
    made_once,
    media_archive_with_a_restricted_image,
)

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("iiif-media")


@pytest.fixture(autouse=True)
def _media_root(settings, media_root):
    # Overrides the suite's per-test folder: this module's media are made once.
    settings.MEDIA_ROOT = media_root
    cache.clear()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    """The media archive and one restricted image, made once and rolled back after."""
    with made_once(django_db_blocker, media_root):
        yield media_archive_with_a_restricted_image(media_root, tmp_path_factory.mktemp("iiif-src"))


pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    return client.get(url, headers=headers)


def decode(response) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(response.content, "")


# --- Image API ---------------------------------------------------------------------------


def test_info_json_describes_the_image_for_any_viewer(client, archive):
    asset = archive["image"]
    response = get(client, f"/iiif/3/{asset.pk}/info.json")
    assert response.status_code == 200
    assert response["Content-Type"] == f'application/ld+json;profile="{IMAGE_CONTEXT}"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public")
    info = response.json()
    assert info["id"] == f"http://testserver/iiif/3/{asset.pk}"
    assert (info["width"], info["height"]) == (1500, 1100)
    assert info["type"] == "ImageService3" and info["profile"] == "level2"
    assert info["tiles"] == [{"width": 512, "scaleFactors": [1, 2, 4]}]
    assert info["maxArea"] == 16_777_216
    plain = get(client, f"/iiif/3/{asset.pk}/info.json", Accept="application/json")
    assert plain["Content-Type"] == "application/json"


def test_the_base_uri_redirects_to_info_json(client, archive):
    response = get(client, f"/iiif/3/{archive['image'].pk}")
    assert response.status_code == 303
    assert response["Location"].endswith(f"/iiif/3/{archive['image'].pk}/info.json")


def test_a_viewer_tile_comes_straight_from_the_pre_cut_zip(client, archive):
    asset = archive["image"]
    response = get(client, f"/iiif/3/{asset.pk}/512,512,512,512/512,512/0/default.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    tiles = asset.derivatives.get(name="tiles")
    with zipfile.ZipFile(tiles.file.path) as zf:
        name = next(n for n in zf.namelist() if "/512,512,512,512/512,512/0/" in n)
        assert response.content == zf.read(name)  # the very bytes dzsave wrote
    assert f'/iiif/3/{asset.pk}/info.json>;rel="describedby"' in response["Link"]
    # The same tile asked as "w," is the same request: also served from the zip.
    same = get(client, f"/iiif/3/{asset.pk}/512,512,512,512/512,/0/default.jpg")
    assert same.content == response.content


def test_a_detail_is_cut_from_the_right_place(client, archive):
    pk = archive["image"].pk
    left = decode(get(client, f"/iiif/3/{pk}/0,0,100,100/50,/0/default.png"))
    right = decode(get(client, f"/iiif/3/{pk}/1400,1000,100,100/50,/0/default.png"))
    assert (left.width, left.height) == (50, 50)
    assert left.extract_band(0).avg() < 20 and right.extract_band(0).avg() > 230  # red rises
    assert left.extract_band(2).avg() < 20 and right.extract_band(2).avg() > 220  # blue falls


def test_rotation_mirroring_and_qualities(client, archive):
    pk = archive["image"].pk
    rotated = decode(get(client, f"/iiif/3/{pk}/full/300,/90/default.jpg"))
    assert (rotated.width, rotated.height) == (220, 300)
    mirrored = decode(get(client, f"/iiif/3/{pk}/full/300,/!0/default.png"))
    assert mirrored.crop(0, 0, 20, 220).extract_band(0).avg() > 230  # red side now left
    gray = decode(get(client, f"/iiif/3/{pk}/full/300,/0/gray.png"))
    assert gray.bands == 1
    bitonal = decode(get(client, f"/iiif/3/{pk}/full/300,/0/bitonal.png"))
    assert bitonal.hist_find().crop(1, 0, 254, 1).max() == 0  # only black and white
    assert bitonal.avg() > 10
    webp = get(client, f"/iiif/3/{pk}/full/!200,200/22.5/color.webp")
    assert webp["Content-Type"] == "image/webp"
    assert decode(webp).width > 200  # the rotated bounding box


def test_sizes_from_max_to_upscaling(client, archive):
    pk = archive["image"].pk
    assert decode(get(client, f"/iiif/3/{pk}/full/max/0/default.jpg")).width == 1500
    assert decode(get(client, f"/iiif/3/{pk}/square/pct:10/0/default.jpg")).width == 110
    assert get(client, f"/iiif/3/{pk}/0,0,100,100/200,/0/default.jpg").status_code == 400
    up = get(client, f"/iiif/3/{pk}/0,0,100,100/^200,/0/default.jpg")
    assert up.status_code == 200 and decode(up).width == 200


@pytest.mark.parametrize(
    "path, code",
    [
        ("{pk}/1500,0,10,10/max/0/default.jpg", 400),  # region outside the image
        ("{pk}/full/^20000,/0/default.jpg", 400),  # over maxWidth
        ("{pk}/full/max/361/default.jpg", 400),
        ("{pk}/full/max/0/sepia.jpg", 400),
        ("{pk}/full/max/0/default.gif", 501),
        ("{pk}/full/max/0/default.jpg/extra", 400),
        ("{pk}/info.xml", 400),
        ("../info.json", 404),
        ("..%2F..%2Fsettings.py/info.json", 404),
        ("{pk}%2F..%2F{pk}/info.json", 400),
        ("0/info.json", 404),
        ("99999999/info.json", 404),
        ("1" * 40 + "/info.json", 404),
        ("999999999999/info.json", 404),  # beyond a 32-bit key
        ("{pk}/" + "9" * 2000 + "/max/0/default.jpg", 400),
    ],
)
def test_bad_requests_get_the_specifications_codes_never_500(client, archive, path, code):
    response = get(client, "/iiif/3/" + path.format(pk=archive["image"].pk))
    assert response.status_code == code
    assert response["Content-Type"].startswith("text/plain")


def test_hidden_images_are_404_at_every_image_door(client, archive):
    secret = archive["restricted_image"]
    urls = [
        f"/iiif/3/{secret.pk}/info.json",
        f"/iiif/3/{secret.pk}/full/max/0/default.jpg",
        f"/iiif/3/{secret.pk}/0,0,512,400/512,/0/default.jpg",
        f"/iiif/3/{secret.pk}",
        secret.url("thumb"),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(factories.user(groups=("Curators",)))
    response = client.get(urls[0])
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert "Access-Control-Allow-Origin" not in response
    assert client.get(urls[1]).status_code == 200


def test_restricting_an_image_closes_its_door_at_once(client, archive):
    asset = archive["image"]
    url = f"/iiif/3/{asset.pk}/info.json"
    assert client.get(url).status_code == 200  # now cached as public
    asset.access_level = "restricted"
    asset.save()
    try:
        assert client.get(url).status_code == 404
        assert client.get(f"/iiif/3/{asset.pk}/full/100,/0/default.jpg").status_code == 404
    finally:
        MediaAsset.objects.filter(pk=asset.pk).update(access_level="public")


def test_unpublishing_an_item_closes_its_images(client, archive):
    pattern = archive["pattern"]
    url = f"/iiif/3/{archive['image'].pk}/info.json"
    assert client.get(url).status_code == 200
    pattern.unpublish()
    try:
        assert client.get(url).status_code == 404
    finally:
        type(pattern).objects.filter(pk=pattern.pk).update(live=True)
        cache.clear()


# --- Presentation API --------------------------------------------------------------------


def test_the_validation_catches_what_a_viewer_would_choke_on(client, archive):
    good = manifest_of(client, archive["pattern"])
    broken = [
        {**good, "label": "a plain string"},
        {**good, "items": []},
        {**good, "rights": "https://example.org/my-licence"},
        {**good, "homepage": good["homepage"][0]},
        {**good, "items": [{k: v for k, v in good["items"][0].items() if k != "height"}]},
    ]
    for doc in broken:
        with pytest.raises((AssertionError, ValueError)):
            validate(doc)


def manifest_of(client, page) -> dict:
    response = client.get(f"/iiif/3/item/{page.pk}/manifest")
    assert response.status_code == 200, response.content[:200]
    doc = response.json()
    validate(doc)  # the schema's essential rules and the iiif-prezi3 models
    return doc


def bodies(canvas) -> list[dict]:
    body = canvas["items"][0]["items"][0]["body"]
    return body["items"] if body.get("type") == "Choice" else [body]


def test_an_image_manifest_points_to_a_working_image_service(client, archive):
    doc = manifest_of(client, archive["pattern"])
    assert doc["id"] == f"http://testserver/iiif/3/item/{archive['pattern'].pk}/manifest"
    assert doc["label"] == {
        "zh-Hans": ["蝴蝶妈妈袖片"],
        "en": ["Butterfly Mother sleeve panel"],
        "hmn": ["Mais Bangx Mais Liax"],
    }
    (canvas,) = doc["items"]  # the restricted image is not listed
    assert (canvas["width"], canvas["height"]) == (1500, 1100)
    (body,) = bodies(canvas)
    service = body["service"][0]
    assert service["type"] == "ImageService3" and service["profile"] == "level2"
    info = client.get(service["id"] + "/info.json")
    assert info.status_code == 200 and info.json()["id"] == service["id"]
    assert client.get(canvas["thumbnail"][0]["id"]).status_code == 200
    secret = archive["restricted_image"].pk
    assert f"/iiif/3/{secret}" not in json.dumps(doc)
    assert f"/assets/{secret}/" not in json.dumps(doc)


def test_the_manifest_carries_rights_attribution_and_links_that_work(client, archive):
    doc = manifest_of(client, archive["pattern"])
    assert doc["rights"] == "http://creativecommons.org/licenses/by-nc/4.0/"
    assert doc["requiredStatement"]["value"] == {
        "zh-Hans": ["王美英提供"],
        "en": ["Courtesy of Wang Meiying"],
    }
    metadata = {kv["label"]["en"][0]: kv["value"] for kv in doc["metadata"]}
    assert metadata["Identifier"] == {"none": ["MHA-EMB-T001"]}
    assert metadata["Artisan"] == {"zh-Hans": ["王美英"], "en": ["Wang Meiying"]}
    assert doc["summary"]["zh-Hans"] == ["破线绣的蝴蝶妈妈纹样。"]
    homepage = doc["homepage"][0]
    assert client.get(homepage["id"]).status_code == 200
    dc = client.get(doc["seeAlso"][0]["id"])
    assert dc.status_code == 200 and dc.json()["identifier"] == ["MHA-EMB-T001"]
    assert dc.json()["format"] == ["image/jpeg"]
    collection = client.get(doc["partOf"][0]["id"])
    assert collection.status_code == 200
    assert doc["id"] in [m["id"] for m in collection.json()["items"]]
    assert doc["thumbnail"][0]["type"] == "Image"


def test_an_audio_manifest_offers_its_renditions_as_a_choice_and_the_transcripts(client, archive):
    doc = manifest_of(client, archive["recording"])
    (canvas,) = doc["items"]
    assert canvas["duration"] == pytest.approx(3, abs=0.1)
    assert "width" not in canvas
    assert canvas["items"][0]["items"][0]["body"]["type"] == "Choice"
    formats = [b["format"] for b in bodies(canvas)]
    assert formats == ["audio/ogg", "audio/mp4"]  # Opus for weak links, AAC for every player
    for body in bodies(canvas):
        assert body["type"] == "Sound"
        assert client.get(body["id"]).status_code == 200
    notes = canvas["annotations"][0]["items"]
    assert {a["motivation"] for a in notes} == {"supplementing"}
    assert [a["body"]["language"] for a in notes] == [["hmn"], ["zh-Hans"], ["en"]]
    vtt = client.get(notes[1]["body"]["id"])
    assert vtt.status_code == 200
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    text = vtt.content.decode()
    assert text.startswith("WEBVTT\n")
    assert "00:00:00.000 --> 00:00:00.900\n古歌 &lt;一&gt;" in text
    assert "00:00:01.000 --> 00:00:01.900\n老人" in text
    en = client.get(notes[2]["body"]["id"]).content.decode()
    assert "The ancient song &amp; more" in en and "-->" in en
    assert en.count("-->") == 1  # the line with no English is left out


def test_a_video_manifest_has_size_duration_and_a_poster(client, archive):
    doc = manifest_of(client, archive["music"])
    (canvas,) = doc["items"]
    assert (canvas["width"], canvas["height"]) == (320, 240)
    assert canvas["duration"] == pytest.approx(2, abs=0.2)
    assert {b["type"] for b in bodies(canvas)} == {"Video"}
    poster = canvas["placeholderCanvas"]
    poster_body = poster["items"][0]["items"][0]["body"]
    assert poster_body["type"] == "Image"
    assert client.get(poster_body["id"])["Content-Type"] == "image/jpeg"


def test_a_collection_lists_only_what_the_reader_may_see(client, archive):
    collections = archive["collections"]
    hidden = factories.recording(
        collections["dialects"], access="restricted", title_en="Secret song"
    )
    response = client.get("/iiif/3/collection/dialects")
    assert response.status_code == 200
    doc = response.json()
    validate(doc)
    ids = [m["id"] for m in doc["items"]]
    assert f"http://testserver/iiif/3/item/{archive['recording'].pk}/manifest" in ids
    assert not any(f"/item/{hidden.pk}/" in i for i in ids)
    assert "Secret song" not in response.content.decode()
    client.force_login(factories.user(groups=("Curators",)))
    ids = [m["id"] for m in client.get("/iiif/3/collection/dialects").json()["items"]]
    assert any(f"/item/{hidden.pk}/" in i for i in ids)
    assert client.get("/iiif/3/collection/no-such-collection").status_code == 404


def test_a_hidden_item_is_404_at_every_presentation_door(client, archive):
    collections = archive["collections"]
    hidden = factories.recording(collections["dialects"], access="community")
    draft = factories.recording(collections["dialects"], live=False)
    for page in (hidden, draft):
        for url in (
            f"/iiif/3/item/{page.pk}/manifest",
            f"/iiif/3/item/{page.pk}/dc.json",
            f"/iiif/3/item/{page.pk}/transcript.en.vtt",
        ):
            assert client.get(url).status_code == 404, url
    assert client.get("/iiif/3/item/999999/manifest").status_code == 404
    assert client.get("/iiif/3/item/99999999999999999999/manifest").status_code == 404
    assert client.get("/iiif/3/item/99999999999999999999/transcript.en.vtt").status_code == 404
    assert (
        client.get(f"/iiif/3/item/{archive['recording'].pk}/transcript.fr.vtt").status_code == 404
    )
    assert client.get(f"/iiif/3/item/{archive['pattern'].pk}/transcript.en.vtt").status_code == 404


def test_a_curator_sees_the_restricted_image_in_the_manifest_privately(client, archive):
    client.force_login(factories.user(groups=("Curators",)))
    response = client.get(f"/iiif/3/item/{archive['pattern'].pk}/manifest")
    assert len(response.json()["items"]) == 2
    assert response["Cache-Control"].startswith("private")
    assert "Access-Control-Allow-Origin" not in response


def test_the_item_page_links_its_manifest_exactly_as_the_contract_says(client, archive):
    page = archive["pattern"]
    html = client.get(page.url).content.decode()
    expected = (
        '<link rel="alternate" type="application/ld+json;profile=&quot;'
        'http://iiif.io/api/presentation/3/context.json&quot;" '
        f'href="http://testserver/iiif/3/item/{page.pk}/manifest">'
    )
    assert html.count("application/ld+json;profile=") == 1
    assert expected in html
    # The zoom viewer is offered, but its code is not loaded with the page.
    assert "iiif/zoom.js" in html and 'openseadragon.min.js"' not in html.split("data-viewer")[0]
    assert f'"info": "/iiif/3/{archive["image"].pk}/info.json"' in html


def test_an_item_with_no_media_to_show_has_no_manifest_to_open(client, archive, tmp_path):
    # A Presentation 3 manifest must have a canvas: an item whose only image is restricted
    # neither links a manifest nor serves an empty one.
    collections = archive["collections"]
    page = factories.recording(collections["dialects"], speaker=factories.person())
    secret = make.card(tmp_path / "only-secret.jpg", 300, 200)
    add_media(page, secret, access_level="restricted")
    assert client.get(f"/iiif/3/item/{page.pk}/manifest").status_code == 404
    html = client.get(page.url).content.decode()
    assert "application/ld+json;profile=" not in html
    client.force_login(factories.user(groups=("Curators",)))
    assert client.get(f"/iiif/3/item/{page.pk}/manifest").status_code == 200
    assert client.get(page.url).content.decode().count("application/ld+json;profile=") == 1


def test_manifest_output_is_stable_json_ld(client, archive):
    response = client.get(
        f"/iiif/3/item/{archive['pattern'].pk}/manifest", headers={"Accept": "application/ld+json"}
    )
    assert response["Content-Type"] == (f'application/ld+json;profile="{PRESENTATION_CONTEXT}"')
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(io.BytesIO(response.content).read())["@context"] == PRESENTATION_CONTEXT


def test_a_photo_taken_sideways_is_described_as_it_is_shown(client, archive, tmp_path):
    # A camera held upright writes landscape pixels and EXIF orientation 6 (turn 90°).
    sideways = make.card(tmp_path / "sideways.jpg", 600, 400, quality=90, orientation=6)
    asset = add_media(archive["pattern"], sideways)
    info = client.get(f"/iiif/3/{asset.pk}/info.json").json()
    assert (info["width"], info["height"]) == (400, 600)
    full = decode(client.get(f"/iiif/3/{asset.pk}/full/max/0/default.jpg"))
    assert (full.width, full.height) == (400, 600)
    doc = client.get(f"/iiif/3/item/{archive['pattern'].pk}/manifest").json()
    canvas = next(c for c in doc["items"] if c["id"].endswith(f"/canvas/{asset.pk}"))
    assert (canvas["width"], canvas["height"]) == (400, 600)


def test_the_validate_command_checks_every_public_document(archive, capsys):
    from django.core.management import call_command

    call_command("iiif_validate")
    out = capsys.readouterr().out
    checked = int(out.split(" documents checked")[0].split()[-1])
    assert checked >= 6  # three collections and the three media items
    assert ", 0 failed" in out


def test_the_pipeline_records_a_sideways_photo_at_its_shown_size(archive, tmp_path):
    sideways = make.card(tmp_path / "sideways2.jpg", 600, 400, quality=90, orientation=6)
    asset = add_media(archive["pattern"], sideways)
    for name in ("pyramid", "tiles"):
        d = asset.derivatives.get(name=name)
        assert (d.width, d.height) == (400, 600), name
