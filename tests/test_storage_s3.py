"""Media files on a real S3-compatible object store (``scripts/services.py up s3``).

The storage is the one ``archive/settings/base.py`` builds from the ``MHA_S3_*`` variables
(``settings.TEST_S3_STORAGE``), under a key prefix of its own for each test. Without those
variables the tests are skipped; with them set but the server not answering they fail.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.conf import settings as django_settings

from archive.assets.models import MediaAsset, Original
from demo import mediamaker as make
from tests import factories

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("MHA_S3_ENDPOINT_URL"),
        reason="MHA_S3_ENDPOINT_URL is unset: run `scripts/services.py up s3` and "
        '`eval "$(scripts/services.py env s3)"` to test against a real S3 server',
    ),
]


def _client(options: dict):
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=5,
        ),
    )


def _use(settings, options: dict) -> None:
    """Make ``options`` the default storage (the setting_changed signal resets the cache)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }


@pytest.fixture
def s3(settings):
    """The configured bucket as default storage, under a fresh key prefix; cleaned after."""
    configured = django_settings.TEST_S3_STORAGE
    if configured is None:
        pytest.fail("MHA_S3_ENDPOINT_URL is set but MHA_S3_BUCKET is not")
    assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
    options = {**configured["OPTIONS"], "location": f"test-{uuid.uuid4().hex[:12]}"}
    client = _client(options)
    try:
        client.head_bucket(Bucket=options["bucket_name"])
    except Exception as exc:  # configured but unreachable is a failure, never a skip
        pytest.fail(f"S3 server at {options['endpoint_url']} is configured but not usable: {exc}")
    _use(settings, options)

    class S3:
        bucket = options["bucket_name"]
        prefix = options["location"] + "/"

        @staticmethod
        def objects() -> dict[str, int]:
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=S3.bucket, Prefix=S3.prefix
            )
            return {
                obj["Key"][len(S3.prefix) :]: obj["Size"]
                for page in pages
                for obj in page.get("Contents", [])
            }

        @staticmethod
        def read(name: str) -> bytes:
            return client.get_object(Bucket=S3.bucket, Key=S3.prefix + name)["Body"].read()

    yield S3
    for key in S3.objects():
        client.delete_object(Bucket=S3.bucket, Key=S3.prefix + key)


def _local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_originals_and_every_derivative_are_objects_in_the_bucket(
    s3, item, tmp_path, ingest, settings
):
    jpeg = make.card(tmp_path / "scan.jpg", 1600, 1200)
    wav = make.tone(tmp_path / "song.wav", seconds=3)
    image = ingest(jpeg, item=item, filename="scan.jpg")
    audio = ingest(wav, item=item, filename="song.wav")

    keys = s3.objects()
    for result, source in ((image, jpeg), (audio, wav)):
        asset = MediaAsset.objects.get(pk=result.asset.pk)
        assert asset.status == "ready", asset.error
        original = result.original
        assert original.file.name in keys
        assert hashlib.sha256(s3.read(original.file.name)).hexdigest() == original.sha256
        assert keys[original.file.name] == source.stat().st_size
        derivatives = list(asset.derivatives.all())
        assert derivatives
        for d in derivatives:
            assert d.file.name in keys, f"{d.name} missing from the bucket"
            assert keys[d.file.name] > 0
    image_names = set(image.asset.derivatives.values_list("name", flat=True))
    audio_names = set(audio.asset.derivatives.values_list("name", flat=True))
    assert {"thumb", "web-webp", "web-jpeg"} <= image_names
    assert {"opus", "aac", "peaks", "waveform"} <= audio_names
    # Nothing was written to the local media folder: the bytes live only in the bucket.
    assert _local_files(settings) == []


def test_the_door_streams_objects_and_honours_range(s3, item, tmp_path, ingest, client):
    image = ingest(make.card(tmp_path / "scan.jpg"), item=item, filename="scan.jpg").asset
    audio = ingest(make.tone(tmp_path / "song.wav"), item=item, filename="song.wav").asset

    thumb = image.derivative("thumb")
    response = client.get(image.url("thumb"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content) == s3.read(thumb.file.name)

    aac = audio.derivative("aac")
    stored = s3.read(aac.file.name)
    assert len(stored) > 300
    response = client.get(audio.url("aac"), HTTP_RANGE="bytes=100-299")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-299/{len(stored)}"
    assert b"".join(response.streaming_content) == stored[100:300]
    response = client.get(audio.url("aac"), HTTP_RANGE="bytes=-50")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == stored[-50:]
    response = client.get(audio.url("aac"), HTTP_RANGE=f"bytes={len(stored)}-")
    assert response.status_code == 416


def test_restricted_objects_stay_behind_the_door(s3, item, tmp_path, ingest, client):
    asset = ingest(make.card(tmp_path / "scan.jpg"), item=item, filename="scan.jpg").asset
    assert client.get(asset.url("thumb")).status_code == 200
    MediaAsset.objects.filter(pk=asset.pk).update(access_level="restricted")
    assert client.get(asset.url("thumb")).status_code == 404
    assert client.get(asset.url("original")).status_code == 404
    # The object is still in the bucket; only a curator gets it, through the door.
    client.force_login(factories.user(groups=("Curators",)))
    response = client.get(asset.url("original"))
    assert response.status_code == 200
    original = Original.objects.get(pk=asset.original_id)
    assert b"".join(response.streaming_content) == s3.read(original.file.name)


def test_the_same_bytes_are_one_object(s3, item, tmp_path, ingest):
    path = make.card(tmp_path / "a.jpg")
    first = ingest(path, item=item, filename="a.jpg")
    second = ingest(path, item=item, filename="copy-of-a.jpg")
    assert first.stored and not second.stored
    originals = [k for k in s3.objects() if k.startswith("originals/")]
    assert originals == [first.original.file.name]
    assert Original.objects.count() == 1
    assert item.assets.count() == 2


def test_healthz_checks_the_bucket(s3, client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["storage"] == {**body["storage"], "status": "ok", "backend": "S3Storage"}
    # The probe cleans up after itself.
    assert [k for k in s3.objects() if k.startswith("healthz/")] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_503_when_the_s3_server_stops(s3, client, settings, tmp_path):
    """A second server of our own (same cached build), stopped halfway through."""
    env = {
        **os.environ,
        "MHA_SERVICES_DIR": str(tmp_path / "services"),
        "MHA_S3_PORT": str(_free_port()),
    }

    def services(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "services.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    services("up", "s3")
    try:
        exported = dict(
            line.removeprefix("export ").split("=", 1)
            for line in services("env", "s3").splitlines()
        )
        assert exported["MHA_S3_ENDPOINT_URL"] == f"http://127.0.0.1:{env['MHA_S3_PORT']}"
        options = {
            **settings.STORAGES["default"]["OPTIONS"],
            "endpoint_url": exported["MHA_S3_ENDPOINT_URL"],
            "bucket_name": exported["MHA_S3_BUCKET"],
        }
        _use(settings, options)
        response = client.get("/healthz")
        assert response.status_code == 200, response.content
        assert response.json()["storage"]["status"] == "ok"

        services("down", "s3")
        assert services("status", "s3").split()[1] == "down"
        assert services("env", "s3") == ""
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error"
        assert body["storage"]["status"] == "error"
        assert body["database"]["status"] == "ok"
    finally:
        services("down", "s3")
