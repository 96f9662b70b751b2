"""Behind nginx, tiles leave as files: pre-cut ones unpacked, off-grid ones once rendered."""

import pytest

from tests import iiif_support

pytestmark = pytest.mark.django_db


def test_an_off_grid_tile_rendered_once_is_then_a_file_nginx_sends_until_withdrawn(
    client, settings, tmp_path
):
    settings.MHA_ACCEL_REDIRECT = True
    settings.MHA_TILE_ROOT = tmp_path / "tiles"
    _, image = iiif_support.image_item(tmp_path)
    on_grid = client.get(f"/iiif/3/{image.pk}/0,0,512,512/512,512/0/default.jpg")
    assert on_grid.status_code == 200 and on_grid.has_header("X-Accel-Redirect")

    tile = "256,256,256,256/256,256/0/default.jpg"  # off the 512-px grid
    first = client.get(f"/iiif/3/{image.pk}/{tile}")
    assert first.status_code == 200 and first.content[:2] == b"\xff\xd8"
    kept = tmp_path / "tiles" / "public" / str(image.pk) / tile
    assert kept.read_bytes() == first.content  # the very bytes, at the URL nginx tries

    second = client.get(f"/iiif/3/{image.pk}/{tile}")
    assert second.status_code == 200 and second.content == b""
    assert second["X-Accel-Redirect"].endswith(f"public/{image.pk}/{tile}")

    # A large region is not kept (the disk holds tiles, not whole images).
    client.get(f"/iiif/3/{image.pk}/0,0,1500,1100/1500,/0/default.jpg")
    large = tmp_path / "tiles" / "public" / str(image.pk) / "0,0,1500,1100" / "1500,1100"
    assert not large.exists()

    image.access_level = "restricted"  # withdrawn from the public: its files leave nginx
    image.save()
    assert not kept.exists()
    refused = client.get(f"/iiif/3/{image.pk}/{tile}")
    assert refused.status_code in (401, 403, 404) and not refused.has_header("X-Accel-Redirect")
