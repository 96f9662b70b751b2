"""The official IIIF Image API validator (the ``iiif-validator`` package, IIIF's own) runs
every one of its Image API 3.0 tests up to level 2 (33), and the level 3 ones of what our
info.json also claims (6), against the real server over HTTP.

Its test image is a 1000×1000 grid of 10×10 coloured squares whose colours the validator
carries in ``ValidationInfo.colorInfo``; the picture is drawn from that table (each square
one flat colour), then ingested through the pipeline like any upload, so the validator reads
our pyramid and tiles, not a fixture."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest
import pyvips
from iiif_validator.validator import ImageAPI, TestSuite, ValidationInfo

from tests.iiif_support import add_media
from tests.iiif_support import image_item as _image_item

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_root"),
]

LEVEL = 2
VERSION = "3.0"
#: Where the validator and the specification part: ``!w,h`` is "scaled so that the width and
#: height of the returned image are not greater than w and h ... as large as possible but not
#: larger than the extracted region" (Image 3 §4.2), so a box larger than the image returns
#: the image at its size (200). The validator wants 400 (IIIF/image-validator issue 100).
#: Level 3 tests of what info.json says the service also does (extraFeatures, extraFormats).
#: Not format_webp: in 1.0.5 it is Python 2 code (``urllib.urlopen``) and cannot run. Not
#: size_up: it wants ``^max`` to be the image's own size (1000×1000, "needs a bit more
#: thought as maximum may not be the same as full", says its source), where Image 3 §4.2
#: scales ``^max`` to maxWidth/maxHeight/maxArea (4096×4096 here);
#: tests/test_iiif_image_api.py checks ``^`` sizes against the specification.
BEYOND_LEVEL_2 = (
    "linkheader_canonical",
    "linkheader_profile",
    "rot_full_non90",
    "rot_mirror",
    "rot_mirror_180",
    "rot_region_non90",
)
KNOWN = {"size_noup": "/full/!2000,3000/0/default.jpg"}


def _validator_image(path):
    """The validator's test picture: square (x, y) is ``colorInfo[x][y]``, x to the right."""
    colours = ValidationInfo().colorInfo
    rows = []
    for y in range(10):
        squares = [
            (pyvips.Image.black(100, 100, bands=3) + list(colours[x][y])).cast("uchar")
            for x in range(10)
        ]
        rows.append(pyvips.Image.arrayjoin(squares, across=10))
    pyvips.Image.arrayjoin(rows, across=1).copy(interpretation="srgb").pngsave(str(path))
    return path


def _level_tests(suite: TestSuite) -> list[str]:
    listed = suite.list_tests(VERSION)
    return sorted(
        name for name, data in listed.items() if data["level"] <= LEVEL or name in BEYOND_LEVEL_2
    )


def test_the_official_validator_passes_every_image_api_3_test_up_to_level_2_and_more(
    live_server, tmp_path
):
    pattern, _ = _image_item(tmp_path)
    asset = add_media(pattern, _validator_image(tmp_path / "validator.png"))
    server = urlsplit(live_server.url).netloc

    random.seed(20261202)  # the validator picks squares, sizes and angles at random
    info = ValidationInfo()
    suite = TestSuite(info)
    names = _level_tests(suite)
    # Level 0 to 2 of Image API 3.0: ids, regions, sizes, rotations, qualities, formats,
    # info.json, JSON-LD, CORS, Link headers, base URI redirect.
    assert len(names) == 39, names

    failures, warnings = {}, {}
    for name in names:
        result = ImageAPI(str(asset.pk), server, "iiif/3", "http", version=VERSION, debug=False)
        try:
            suite.run_test(name, result)
        except TypeError:
            # size_noup's last check, ``!2000,3000`` with no ``^``, raises a bare
            # ValidatorError() (a TypeError in 1.0.5) when answered 200; see KNOWN.
            if name == "size_noup" and result.last_url.endswith(KNOWN[name]):
                continue
            raise
        if result.exception is not None:
            e = result.exception
            report = f"{e.type}: got {e.got!r}, expected {e.expected!r} ({e.message}) {e.url}"
            (warnings if e.warning else failures)[name] = report
    assert failures == {}
    assert warnings == {}
