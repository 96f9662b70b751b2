"""The same 背扇 photographed twice: the second upload is told which item already holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips
from django.urls import reverse

from demo import mediamaker as make
from media_pipeline.similarity import NEAR, distance, perceptual_hash
from tests import factories

pytestmark = pytest.mark.django_db
PALETTE = ["#1b2a49", "#c0392b", "#f1c40f"]


def _rephotographed(src: Path, dest: Path) -> Path:
    """Another shot of the same piece: framed a little tighter, smaller, brighter, JPEG 70."""
    image = pyvips.Image.new_from_file(str(src))
    image.crop(30, 20, image.width - 60, image.height - 40).resize(0.7).linear(
        1.1, 8
    ).write_to_file(str(dest), Q=70)
    return dest


@pytest.fixture
def pictures(tmp_path):
    first = make.pattern(
        tmp_path / "背扇.jpg", motif="butterfly", palette=PALETTE, seed=1, size=(1200, 900)
    )
    again = _rephotographed(first, tmp_path / "背扇-再拍.jpg")
    other = make.pattern(
        tmp_path / "龙.jpg", motif="dragon", palette=PALETTE, seed=2, size=(1200, 900)
    )
    return first, again, other


def test_a_second_photograph_is_near_and_another_piece_is_far(pictures):
    first, again, other = (perceptual_hash(p) for p in pictures)
    assert distance(first, again) <= NEAR
    assert distance(first, other) > NEAR


def _upload(client, item, path: Path) -> str:
    with open(path, "rb") as fh:
        response = client.post(
            reverse("media_upload"), {"item": item.pk, "files": [fh], "access_level": "restricted"}
        )
    assert response.status_code == 200
    return response.content.decode()


def test_the_curator_is_told_the_picture_looks_like_another_items(client, pictures):
    first, again, other = pictures
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    _, collections = factories.site_tree()
    held = factories.recording(
        collections["dialects"], identifier="MHA-EMB-0014", access="restricted"
    )
    new = factories.recording(
        collections["dialects"], identifier="MHA-EMB-0099", access="restricted"
    )

    assert "data-look-alikes" not in _upload(client, held, first)
    html = _upload(client, new, again)
    assert "看起来和档案馆里已有的相似" in html
    warning = html.split("data-look-alikes", 1)[1].split("</div>", 1)[0]
    assert "MHA-EMB-0014" in warning
    assert reverse("wagtailadmin_pages:edit", args=[held.pk]) in warning
    assert "data-look-alikes" not in _upload(client, new, other)


def test_a_resumable_upload_names_its_look_alikes_too(client, pictures, settings, tmp_path):
    from tests.test_resumable_uploads import create, patch

    settings.MHA_UPLOAD_STAGING_DIR = tmp_path / "staging"
    first, again, _ = pictures
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    _, collections = factories.site_tree()
    held = factories.recording(
        collections["dialects"], identifier="MHA-EMB-0014", access="restricted"
    )
    new = factories.recording(
        collections["dialects"], identifier="MHA-EMB-0099", access="restricted"
    )
    _upload(client, held, first)
    body = again.read_bytes()
    location = create(client, new, len(body), filename="背扇-再拍.jpg")["Location"]
    assert patch(client, location, 0, body).status_code == 204
    status = client.get(location).json()
    assert status["status"] == "stored"
    assert [s["identifier"] for s in status["similar"]] == ["MHA-EMB-0014"]
