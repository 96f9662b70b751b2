"""Resumable uploads (tus 1.0.0) as a curator on a village link meets them: a recording sent
in pieces, a link that drops mid-piece, a damaged piece, a damaged file, a file too big; and
the door for every role, before and after the item is unpublished."""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from archive.assets.models import MediaAsset, Original
from archive.uploads.models import ResumableUpload
from demo import mediamaker as make
from tests import factories

pytestmark = pytest.mark.django_db
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.MHA_UPLOAD_STAGING_DIR = tmp_path / "staging"
    settings.MHA_MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@pytest.fixture
def curator(client):
    user = factories.user(groups=("Curators",), is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def recording_bytes(tmp_path) -> bytes:
    return make.tone(tmp_path / "飞歌.wav", 3.0).read_bytes()


def _meta(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in values.items())


def create(client, item, length: int, **meta):
    meta.setdefault("filename", "飞歌.wav")
    return client.post(
        reverse("tus_uploads"),
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=_meta(item=item.pk, **meta),
        **TUS,
    )


def patch(client, location: str, offset: int, body: bytes, **headers):
    return client.generic(
        "PATCH",
        location,
        body,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
        **headers,
    )


def test_a_recording_sent_in_pieces_becomes_one_asset_with_its_checksum(
    client, curator, item, recording_bytes
):
    response = create(client, item, len(recording_bytes))
    assert response.status_code == 201
    location = response["Location"]
    half = len(recording_bytes) // 2

    assert patch(client, location, 0, recording_bytes[:half]).status_code == 204
    head = client.head(location, **TUS)
    assert head["Upload-Offset"] == str(half)
    assert head["Upload-Length"] == str(len(recording_bytes))
    # Half a file is nobody's media yet.
    assert not MediaAsset.objects.exists() and not Original.objects.exists()

    # A resend from the wrong place is refused and names the right one.
    wrong = patch(client, location, 0, recording_bytes)
    assert wrong.status_code == 409 and wrong["Upload-Offset"] == str(half)

    done = patch(client, location, half, recording_bytes[half:])
    assert done.status_code == 204 and done["Upload-Offset"] == str(len(recording_bytes))
    status = client.get(location).json()
    assert status["status"] == "stored", status
    asset = MediaAsset.objects.get(pk=status["asset"])
    assert asset.item_id == item.pk and asset.access_level == "restricted"
    assert asset.original.sha256 == hashlib.sha256(recording_bytes).hexdigest() == status["sha256"]
    assert asset.original.original_filename == "飞歌.wav"
    assert not any(ResumableUpload.objects.get().staging_path.parent.iterdir())


def test_a_piece_damaged_on_the_way_is_not_kept(client, curator, item, recording_bytes):
    location = create(client, item, len(recording_bytes))["Location"]
    piece = recording_bytes[:1000]
    wrong = base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode()
    response = patch(client, location, 0, piece, HTTP_UPLOAD_CHECKSUM=f"sha256 {wrong}")
    assert response.status_code == 460
    assert client.head(location, **TUS)["Upload-Offset"] == "0"
    right = base64.b64encode(hashlib.sha256(piece).digest()).decode()
    response = patch(client, location, 0, piece, HTTP_UPLOAD_CHECKSUM=f"sha256 {right}")
    assert response.status_code == 204 and response["Upload-Offset"] == "1000"


def test_a_retry_racing_a_stalled_piece_is_told_to_wait_and_loses_nothing(
    client, curator, item, recording_bytes
):
    """While one request still holds an upload (its link stalled), a second is answered 423
    Locked, which tus clients retry, and writes nothing; once free, the retry is taken."""
    from archive.uploads import tus

    location = create(client, item, len(recording_bytes))["Location"]
    upload = ResumableUpload.objects.get()
    with tus._locked(upload) as mine:
        assert mine
        racing = patch(client, location, 0, recording_bytes)
        assert racing.status_code == 423
        assert client.head(location, **TUS)["Upload-Offset"] == "0"
    assert patch(client, location, 0, recording_bytes).status_code == 204
    assert client.get(location).json()["status"] == "stored"
    assert not any(upload.staging_path.parent.iterdir())


def test_a_damaged_file_is_refused_with_the_reason_once_complete(client, curator, item, tmp_path):
    good = make.card(tmp_path / "good.jpg", 800, 600)
    body = make.truncated(good, tmp_path / "背扇.jpg", keep=0.4).read_bytes()
    location = create(client, item, len(body), filename="背扇.jpg")["Location"]
    assert patch(client, location, 0, body).status_code == 204
    status = client.get(location).json()
    assert status["status"] == "refused" and status["error"]
    assert not Original.objects.exists() and not MediaAsset.objects.exists()


def test_a_file_whose_announced_checksum_differs_is_refused(client, curator, item, recording_bytes):
    location = create(client, item, len(recording_bytes), sha256="0" * 64)["Location"]
    assert patch(client, location, 0, recording_bytes).status_code == 204
    status = client.get(location).json()
    assert status["status"] == "refused" and "SHA-256" in status["error"]
    assert not Original.objects.exists()


def test_a_file_over_the_limit_is_refused_before_a_byte_is_sent(client, curator, item, settings):
    response = create(client, item, settings.MHA_MAX_UPLOAD_BYTES + 1)
    assert response.status_code == 413
    assert not ResumableUpload.objects.exists()


def test_more_bytes_than_announced_are_refused(client, curator, item):
    location = create(client, item, 10)["Location"]
    assert patch(client, location, 0, b"x" * 11).status_code == 413
    assert client.head(location, **TUS)["Upload-Offset"] == "0"


def test_the_server_says_what_it_speaks(client, curator):
    response = client.options(reverse("tus_uploads"))
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert {"creation", "termination", "checksum"} <= set(response["Tus-Extension"].split(","))
    assert int(response["Tus-Max-Size"]) > 0


def test_a_cancelled_upload_leaves_nothing(client, curator, item, recording_bytes):
    location = create(client, item, len(recording_bytes))["Location"]
    patch(client, location, 0, recording_bytes[:100])
    assert client.delete(location, **TUS).status_code == 204
    assert not ResumableUpload.objects.exists()
    assert client.head(location, **TUS).status_code == 404


def test_someone_elses_upload_is_not_found(client, curator, item, recording_bytes):
    location = create(client, item, len(recording_bytes))["Location"]
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    assert client.head(location, **TUS).status_code == 404
    assert patch(client, location, 0, recording_bytes).status_code == 404


ROLES = ("anonymous", "registered", "member", "teacher", "contributor", "curator")


@pytest.mark.parametrize("unpublished", [False, True], ids=["live", "unpublished"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_an_upload(client, item, role, unpublished, recording_bytes):
    from archive.access.models import CommunityMembership

    if unpublished:
        item.unpublish()
    users = {
        "registered": lambda: factories.user(),
        "member": lambda: factories.user(),
        "teacher": lambda: factories.user(groups=("Teachers",), is_staff=True),
        "contributor": lambda: factories.user(groups=("Contributors",), is_staff=True),
        "curator": lambda: factories.user(groups=("Curators",), is_staff=True),
    }
    if role != "anonymous":
        user = users[role]()
        if role == "member" and item.community_id:
            CommunityMembership.objects.create(user=user, community_id=item.community_id)
        client.force_login(user)
    response = create(client, item, len(recording_bytes))
    if role in ("contributor", "curator"):
        assert response.status_code == 201, response.content
        upload = ResumableUpload.objects.get()
        # A contributor's file on a live item waits, restricted, for a curator's review.
        assert upload.access_level == "restricted"
    else:
        assert response.status_code in (302, 403), role
        assert not ResumableUpload.objects.exists()


def test_a_link_that_drops_mid_piece_resumes_where_it_stopped(
    live_server, transactional_db, client, settings, recording_bytes
):
    """Through a real server: the connection is cut half-way through a piece; HEAD names
    what arrived, the rest is sent, and the asset has the file's checksum."""
    _, collections = factories.site_tree()
    item = factories.recording(collections["dialects"], speaker=factories.person())
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    csrf = secrets.token_hex(16)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"
    base = {"Cookie": cookie, "X-CSRFToken": csrf, "Tus-Resumable": "1.0.0"}
    host = urlsplit(live_server.url).netloc

    def request(method, path, body=b"", **headers):
        conn = http.client.HTTPConnection(host, timeout=30)
        conn.request(method, path, body=body, headers={**base, **headers})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    created = request(
        "POST",
        reverse("tus_uploads"),
        **{
            "Upload-Length": str(len(recording_bytes)),
            "Upload-Metadata": _meta(item=item.pk, filename="飞歌.wav"),
        },
    )
    assert created.status == 201, created.status
    path = urlsplit(created.getheader("Location")).path

    # Announce the whole file, send a third of it, and drop the link.
    third = len(recording_bytes) // 3
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.putrequest("PATCH", path)
    for name, value in {
        **base,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
        "Content-Length": str(len(recording_bytes)),
    }.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(recording_bytes[:third])
    conn.sock.shutdown(2)
    conn.close()

    import time

    for _ in range(50):  # the server notices the dropped link and keeps what arrived
        offset = int(request("HEAD", path).getheader("Upload-Offset"))
        if offset == third:
            break
        time.sleep(0.1)
    assert offset == third

    # The bytes are on disk before the server has noticed the cut; until it has, the stalled
    # request holds the upload and a retry is told 423 Locked, which tus clients retry.
    for _ in range(50):
        rest = request(
            "PATCH",
            path,
            recording_bytes[offset:],
            **{"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)},
        )
        if rest.status != 423:
            break
        time.sleep(0.1)
    assert rest.status == 204
    upload = ResumableUpload.objects.get()
    assert upload.status == "stored", upload.error
    assert upload.asset.original.sha256 == hashlib.sha256(recording_bytes).hexdigest()
