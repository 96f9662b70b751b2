"""Ingest and derivatives, on files the tests make: good files become web-ready, bad files
are refused with a reason before anything is stored."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
import pyvips

from archive.assets.ingest import safe_display_name
from archive.assets.models import Derivative, MediaAsset, Original
from archive.assets.tasks import process_asset
from demo import mediamaker as make
from media_pipeline.errors import MediaError
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_image_becomes_thumbnail_and_web_sizes(item, tmp_path, ingest):
    result = ingest(make.card(tmp_path / "scan.jpg", 2400, 1800), item=item, filename="scan.jpg")
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    assert asset.status == "ready", asset.error
    names = set(asset.derivatives.values_list("name", flat=True))
    assert {"thumb", "web-webp", "web-avif", "web-jpeg", "pyramid", "tiles"} <= names
    web = asset.derivatives.get(name="web-webp")
    assert web.width == 1200 and web.height == 900
    assert result.original.probe["width"] == 2400
    assert len(result.original.sha256) == 64


def test_the_same_bytes_uploaded_twice_are_stored_once(item, tmp_path, ingest):
    path = make.card(tmp_path / "a.jpg")
    first = ingest(path, item=item, filename="a.jpg")
    second = ingest(path, item=item, filename="copy-of-a.jpg")
    assert first.stored and not second.stored
    assert Original.objects.count() == 1
    assert second.asset.original_id == first.original.pk
    assert item.assets.count() == 2


def test_audio_becomes_opus_aac_and_waveform_peaks(item, tmp_path, ingest):
    result = ingest(make.tone(tmp_path / "speech.wav", 3), item=item, filename="speech.wav")
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    assert asset.status == "ready", asset.error
    assert {"opus", "aac", "peaks", "waveform"} <= set(
        asset.derivatives.values_list("name", flat=True)
    )
    peaks = json.loads(asset.derivatives.get(name="peaks").file.read())
    assert 2.9 < peaks["duration"] < 3.1
    assert max(peaks["data"]) > 0.1
    item.refresh_from_db()
    assert item.duration_seconds == pytest.approx(3, abs=0.1)


def _refused(ingest, item, path, name, match):
    with pytest.raises(MediaError, match=match):
        ingest(path, item=item, filename=name)
    assert Original.objects.count() == 0
    assert MediaAsset.objects.count() == 0


def test_a_zero_byte_file_is_refused_with_reason(item, tmp_path, ingest):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    _refused(ingest, item, path, "empty.jpg", "empty")


def test_html_named_jpg_is_refused_with_reason(item, tmp_path, ingest):
    path = tmp_path / "photo.jpg"
    path.write_text("<html><script>alert(1)</script></html>")
    _refused(ingest, item, path, "photo.jpg", "markup")


def test_svg_with_script_is_refused(item, tmp_path, ingest):
    path = tmp_path / "motif.png"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    _refused(ingest, item, path, "motif.png", "markup")


def test_a_truncated_jpeg_is_refused_with_reason(item, tmp_path, ingest):
    path = make.truncated(make.card(tmp_path / "whole.jpg", 1600, 1200), tmp_path / "cut.jpg")
    _refused(ingest, item, path, "cut.jpg", "damaged|truncated|cannot be read")


def test_a_decompression_bomb_is_refused_before_decoding(item, tmp_path, ingest):
    path = make.png_claiming_size(tmp_path / "bomb.png", 100_000, 100_000)
    _refused(ingest, item, path, "bomb.png", "over the limit")


def test_a_playlist_named_mp3_never_reaches_ffmpeg(item, tmp_path, ingest):
    secret = tmp_path / "secret.wav"
    make.tone(secret)
    path = tmp_path / "song.mp3"
    path.write_text(f"#EXTM3U\n#EXTINF:1,\nfile://{secret}\n")
    _refused(ingest, item, path, "song.mp3", "playlist")


def test_a_concat_list_is_refused(item, tmp_path, ingest):
    path = tmp_path / "list.wav"
    path.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n")
    _refused(ingest, item, path, "list.wav", "playlist")


def test_a_zero_second_recording_is_refused(item, tmp_path, ingest):
    path = make.silence(tmp_path / "silence.wav", seconds=0)
    _refused(ingest, item, path, "silence.wav", "empty|no audio|cannot be read")


def test_a_truncated_wav_still_fails_cleanly_and_keeps_the_worker_alive(item, tmp_path, ingest):
    path = make.truncated(make.tone(tmp_path / "long.wav", 2), tmp_path / "cut.wav", keep=60)
    with pytest.raises(MediaError):
        ingest(path, item=item, filename="cut.wav")
    # the next, good file goes through as if nothing happened
    ok = ingest(make.tone(tmp_path / "ok.wav", 1), item=item, filename="ok.wav")
    assert MediaAsset.objects.get(pk=ok.asset.pk).status == "ready"


def test_path_traversal_and_non_utf8_names_are_only_displayed_never_used(item, tmp_path, ingest):
    path = make.card(tmp_path / "x.jpg")
    result = ingest(path, item=item, filename=b"../../etc/\xff\xfepasswd.jpg")
    assert "/" not in result.original.original_filename
    assert ".." not in result.original.file.name
    assert result.original.file.name.startswith("originals/")
    assert safe_display_name("..\\..\\boot.ini") == "boot.ini"


def test_a_restricted_asset_file_is_a_404_for_the_public(client, item, tmp_path, ingest):
    result = ingest(
        make.card(tmp_path / "p.jpg"), item=item, filename="p.jpg", access_level="restricted"
    )
    url = result.asset.url("thumb")
    assert client.get(url).status_code == 404
    curator = factories.user(groups=("Curators",))
    client.force_login(curator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


def test_audio_is_served_in_ranges_for_seeking(client, item, tmp_path, ingest):
    result = ingest(make.tone(tmp_path / "s.wav", 2), item=item, filename="s.wav")
    response = client.get(result.asset.url("aac"), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 100-199/")
    assert len(b"".join(response.streaming_content)) == 100


def test_rerunning_the_task_replaces_derivatives_without_duplicates(item, tmp_path, ingest):
    result = ingest(make.card(tmp_path / "r.jpg"), item=item, filename="r.jpg")
    before = Derivative.objects.filter(asset=result.asset).count()
    process_asset.call(result.asset.pk)
    assert Derivative.objects.filter(asset=result.asset).count() == before


def test_the_ingest_command_reports_each_file_as_json_and_fails_only_the_bad_one(tmp_path):
    import io

    from django.core.management import call_command

    factories.site_tree()
    folder = tmp_path / "field-trip"
    folder.mkdir()
    make.card(folder / "sleeve.jpg")
    make.tone(folder / "song.wav", 1)
    (folder / "notes.jpg").write_text("<html>not an image</html>")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "ingest", str(folder), collection="embroidery", wait=True, json=True, stdout=out
        )
    assert exit_.value.code == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, out.getvalue().splitlines())}
    assert records["sleeve.jpg"]["status"] == "ok" and len(records["sleeve.jpg"]["sha256"]) == 64
    assert records["song.wav"]["status"] == "ok"
    assert records["notes.jpg"]["status"] == "failed" and "markup" in records["notes.jpg"]["error"]
    from archive.items.models import ItemPage

    item = ItemPage.objects.get(pk=records["sleeve.jpg"]["item"])
    assert not item.live and item.access_level == "restricted"
    assert item.assets.get().status == "ready"
    assert ItemPage.objects.filter(title="notes").count() == 0


def test_a_file_name_that_is_not_utf8_still_gives_a_valid_json_line(tmp_path):
    import io
    import os

    from django.core.management import call_command

    factories.site_tree()
    folder = tmp_path / "old-camera"
    folder.mkdir()
    # A GBK-encoded name (蝴蝶.jpg) from an old Windows machine: not UTF-8.
    name = "蝴蝶.jpg".encode("gbk")
    os.rename(make.card(tmp_path / "plain.jpg"), os.path.join(os.fsencode(folder), name))
    out = io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    call_command(
        "ingest", str(folder), collection="embroidery", wait=True, json=True, stdout=stdout
    )
    line = out.getvalue().decode("utf-8").strip()  # strict: raises on invalid UTF-8
    record = json.loads(line)
    assert record["status"] == "ok"
    assert record["path"].endswith(r"\xba\xfb\xb5\xfb.jpg")


def test_a_curator_uploads_several_files_and_sees_each_result(
    client, item, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    assert client.get(reverse("wagtailsnippets_assets_mediaasset:list")).status_code == 200
    good = SimpleUploadedFile("sleeve.jpg", make.card(tmp_path / "s.jpg").read_bytes())
    bad = SimpleUploadedFile("truncated.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("media_upload"),
            {"item": item.pk, "files": [good, bad], "access_level": "public"},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "sleeve.jpg" in body and "truncated.jpg" in body
    assert item.assets.count() == 1
    assert item.assets.get().status == "ready"


def test_a_contributor_without_permission_cannot_reach_upload(client):
    from django.urls import reverse

    client.force_login(factories.user(groups=("Teachers",), is_staff=True))
    assert client.get(reverse("media_upload")).status_code in (302, 403)


def test_gps_is_recorded_from_the_original_and_stripped_from_every_derivative(
    item, tmp_path, ingest
):
    photo = make.card(tmp_path / "gps.jpg", 800, 600, camera="FieldCam", gps=(26.5, 108.1667))
    result = ingest(photo, item=item, filename="gps.jpg")
    assert result.original.probe["has_gps"] is True
    assert result.original.probe["exif"]["camera_make"] == "FieldCam"
    checked = set()
    for d in Derivative.objects.filter(asset=result.asset):
        local = tmp_path / f"d-{d.name}"
        local.write_bytes(d.file.read())
        if d.name == "tiles":  # every tile in the zip, and its info.json
            with zipfile.ZipFile(local) as zf:
                names = [n for n in zf.namelist() if n.endswith(".jpg")]
                assert names
                for n in names:
                    tile = tmp_path / "tile.jpg"
                    tile.write_bytes(zf.read(n))
                    fields = pyvips.Image.new_from_file(str(tile)).get_fields()
                    assert not [f for f in fields if f.startswith(("exif-", "xmp-"))], n
        else:
            fields = pyvips.Image.new_from_file(str(local)).get_fields()
            assert not [f for f in fields if f.startswith("exif-ifd3")], d.name  # GPS
            assert "exif-ifd0-Make" not in fields, d.name  # nor anything else of the camera's
        checked.add(d.name)
    assert {"thumb", "web-jpeg", "web-webp", "pyramid", "tiles"} <= checked


def test_iiif_serves_nothing_from_an_original_before_its_scrubbed_pyramid_exists(
    client, item, tmp_path, ingest
):
    photo = make.card(tmp_path / "gps.jpg", 800, 600, camera="FieldCam", gps=(26.5, 108.1667))
    result = ingest(photo, item=item, filename="gps.jpg")
    Derivative.objects.filter(asset=result.asset, name__in=["pyramid", "tiles"]).delete()
    from django.core.cache import cache

    cache.clear()
    assert client.get(f"/iiif/3/{result.asset.pk}/info.json").status_code == 404
    assert client.get(f"/iiif/3/{result.asset.pk}/full/400,/0/default.webp").status_code == 404


def test_every_audio_rendition_loses_the_uploaders_tags(item, tmp_path, ingest):
    tagged = tmp_path / "tagged.mp3"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1.5",
            "-metadata",
            "title=Secret title",
            "-metadata",
            "artist=Uploader Name",
            "-metadata",
            "comment=GPS 26.5 108.1",
            "-y",
            str(tagged),
        ],
        check=True,
    )
    result = ingest(tagged, item=item, filename="tagged.mp3")
    renditions = Derivative.objects.filter(asset=result.asset, name__in=["opus", "aac"])
    assert renditions.count() == 2
    for d in renditions:
        probe = json.loads(
            subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-print_format",
                    "json",
                    "-show_format",
                    "-show_streams",
                    d.file.path,
                ],
                capture_output=True,
                check=True,
            ).stdout
        )
        tags = {**probe["format"].get("tags", {})}
        for stream in probe["streams"]:
            tags.update(stream.get("tags", {}))
        values = " ".join(str(v) for v in tags.values())
        assert "Secret" not in values and "Uploader" not in values and "GPS" not in values, (
            d.name,
            tags,
        )


def test_fixity_audit_reports_a_changed_and_a_missing_original(item, tmp_path, ingest):
    import io

    from django.core.management import call_command

    a = ingest(make.card(tmp_path / "a.jpg", 300, 200), item=item, filename="a.jpg").original
    b = ingest(make.tone(tmp_path / "b.wav", 1), item=item, filename="b.wav").original
    c = ingest(make.card(tmp_path / "c.jpg", 200, 300), item=item, filename="c.jpg").original
    Path(a.file.path).write_bytes(b"bit rot")
    Path(b.file.path).unlink()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("fixity_audit", stdout=out)
    report = out.getvalue()
    assert "MISMATCH" in report and "a.jpg" in report
    assert "MISSING" in report and "b.wav" in report
    assert "1 ok, 2 problems" in report
    a.refresh_from_db(), c.refresh_from_db()
    assert a.fixity_ok is False and c.fixity_ok is True and c.last_fixity_check


def test_derivatives_are_rebuilt_from_the_original(item, tmp_path, ingest):
    import io

    from django.core.management import call_command

    result = ingest(make.card(tmp_path / "r.jpg"), item=item, filename="r.jpg")
    thumb = result.asset.derivatives.get(name="thumb")
    Path(thumb.file.path).unlink()
    MediaAsset.objects.filter(pk=result.asset.pk).update(status="failed", error="disk full")
    call_command("rebuild_derivatives", "--failed", "--wait", stdout=io.StringIO())
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    assert asset.status == "ready" and asset.error == ""
    assert Path(asset.derivatives.get(name="thumb").file.path).exists()


def test_an_unexpected_failure_is_retried_then_reported(item, tmp_path, ingest, monkeypatch):
    from archive.assets import tasks

    calls = []

    def flaky(asset, progress):
        calls.append(1)
        raise OSError("storage timed out")

    monkeypatch.setattr(tasks, "build_derivatives", flaky)
    ingest(make.card(tmp_path / "f.jpg"), item=item, filename="f.jpg")
    asset = MediaAsset.objects.get()
    assert len(calls) == 3  # the immediate backend runs each retry at once
    assert asset.status == "failed" and "storage timed out" in asset.error
    assert Original.objects.count() == 1  # the original is kept for a later rebuild


def test_a_curator_retries_a_failed_asset_from_the_listing(
    client, item, tmp_path, ingest, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    result = ingest(make.card(tmp_path / "x.jpg"), item=item, filename="x.jpg")
    MediaAsset.objects.filter(pk=result.asset.pk).update(status="failed", error="disk full")
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    listing = client.get(reverse("wagtailsnippets_assets_mediaasset:list"))
    assert "disk full" in listing.content.decode()
    url = reverse("wagtail_bulk_action", args=["assets", "mediaasset", "reprocess"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}?id={result.asset.pk}")
    assert response.status_code == 302
    assert MediaAsset.objects.get(pk=result.asset.pk).status == "ready"


def test_metadata_csv_describes_items_and_a_bad_row_fails_only_its_file(tmp_path):
    import io

    from django.core.management import call_command

    from archive.items.models import ItemPage
    from archive.vocabularies.models import Place

    factories.site_tree()
    Place.objects.create(slug="paimo", label_zh="排莫村", kind="village")
    folder = tmp_path / "batch"
    folder.mkdir()
    make.card(folder / "a.jpg")
    make.card(folder / "b.jpg", 320, 240)
    (folder / "metadata.csv").write_text(
        "filename,title_zh,title_en,place,year_from,tags\n"
        'a.jpg,蝴蝶袖片,Butterfly sleeve,paimo,1980,"wedding, silver"\n'
        "b.jpg,鱼纹,Fish,nowhere,19x0,\n"
        "c.jpg,不存在,Missing,,,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "ingest", str(folder), collection="embroidery", wait=True, json=True, stdout=out
        )
    records = {Path(r["path"]).name: r for r in map(json.loads, out.getvalue().splitlines())}
    assert records["a.jpg"]["status"] == "ok"
    item = ItemPage.objects.get(pk=records["a.jpg"]["item"])
    assert (item.title, item.title_en, item.place.slug, item.year_from) == (
        "蝴蝶袖片",
        "Butterfly sleeve",
        "paimo",
        1980,
    )
    assert set(item.tags.names()) == {"wedding", "silver"}
    err = records["b.jpg"]["error"]
    assert "line 3" in err and "place 'nowhere'" in err and "year_from '19x0'" in err
    assert "line 4" in records["c.jpg"]["error"] and "no such file" in records["c.jpg"]["error"]
    assert ItemPage.objects.count() == 1


def test_a_metadata_csv_with_an_unknown_column_stops_before_anything_is_stored(tmp_path):
    from django.core.management import CommandError, call_command

    factories.site_tree()
    folder = tmp_path / "batch"
    folder.mkdir()
    make.card(folder / "a.jpg")
    (folder / "metadata.csv").write_text("filename,titel\na.jpg,typo\n")
    with pytest.raises(CommandError, match="unknown columns titel"):
        call_command("ingest", str(folder), collection="embroidery")
    assert Original.objects.count() == 0


def test_an_item_page_links_only_renditions_that_exist(client, item, tmp_path, ingest):
    result = ingest(make.card(tmp_path / "p.jpg"), item=item, filename="p.jpg")
    item.save_revision().publish()
    Derivative.objects.filter(asset=result.asset, name="web-avif").delete()
    body = client.get(item.url).content.decode()
    assert result.asset.url("web-webp") in body
    assert "web-avif" not in body


def test_the_item_edit_page_shows_each_assets_state_and_reason(client, item, tmp_path, ingest):
    from django.urls import reverse

    result = ingest(make.card(tmp_path / "m.jpg"), item=item, filename="m.jpg")
    MediaAsset.objects.filter(pk=result.asset.pk).update(status="failed", error="disk full")
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    body = client.get(reverse("wagtailadmin_pages:edit", args=[item.pk])).content.decode()
    assert "m.jpg" in body and "disk full" in body


def test_a_png_named_jpg_is_taken_for_what_it_is(item, tmp_path, ingest):
    path = tmp_path / "really-a-png.jpg"
    pyvips.Image.black(64, 48).copy(interpretation="b-w").pngsave(str(path))
    result = ingest(path, item=item, filename=path.name)
    assert result.original.content_type == "image/png"
    assert result.original.file.name.endswith(".png")


def test_a_media_file_with_no_audio_or_video_stream_is_refused(item, tmp_path, ingest):
    path = make.subtitles_only(tmp_path / "song.m4a")
    _refused(ingest, item, path, "song.m4a", "no audio or video stream")


def test_one_bad_file_does_not_affect_another_item(item, tmp_path, ingest):
    from archive.items.models import ItemPage

    good = ingest(make.card(tmp_path / "g.jpg"), item=item, filename="g.jpg")
    other = factories.recording(
        ItemPage.objects.get(pk=item.pk).get_parent().specific, speaker=factories.person()
    )
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage")
    with pytest.raises(MediaError):
        ingest(bad, item=other, filename="b.wav")
    assert MediaAsset.objects.get(pk=good.asset.pk).status == "ready"
    assert other.assets.count() == 0


def test_a_collection_cover_on_a_restricted_item_is_not_shown_to_the_public(
    client, item, tmp_path, ingest
):
    from archive.items.models import CollectionPage

    hidden = factories.recording(
        item.get_parent().specific, speaker=factories.person(), access="restricted"
    )
    secret = ingest(make.card(tmp_path / "secret.jpg"), item=hidden, filename="secret.jpg")
    collection = CollectionPage.objects.get(pk=item.get_parent().pk)
    collection.cover_asset = secret.asset
    collection.save()
    assert collection.cover_item_for(None).pk == item.pk
    body = client.get("/").content.decode()
    assert secret.asset.url("thumb") not in body
    curator = factories.user(groups=("Curators",))
    assert collection.cover_item_for(curator).pk == hidden.pk
