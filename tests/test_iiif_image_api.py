"""IIIF Image API 3 request parsing, as the specification's examples read (no database)."""

import pytest

from archive.iiif.image_api import (
    IIIFError,
    Limits,
    info_document,
    parse_image_request,
    parse_region,
    parse_rotation,
    parse_size,
    scale_factors,
)

W, H = 6000, 4000


def status(fn, *args):
    with pytest.raises(IIIFError) as info:
        fn(*args)
    return info.value.status


@pytest.mark.parametrize(
    "region, expected",
    [
        ("full", (0, 0, 6000, 4000)),
        ("square", (1000, 0, 4000, 4000)),
        ("125,15,120,140", (125, 15, 120, 140)),
        ("pct:41.6,7.5,40,70", (2496, 300, 2400, 2800)),
        ("5000,3000,5000,5000", (5000, 3000, 1000, 1000)),  # cropped at the edge
    ],
)
def test_regions_follow_the_specification(region, expected):
    assert parse_region(region, W, H) == expected


@pytest.mark.parametrize(
    "region",
    [
        "6000,0,10,10",
        "0,4000,10,10",
        "0,0,0,10",
        "pct:101,0,10,10",
        "1,2,3",
        "-1,0,5,5",
        "pct:0,0,0,5",
        "full ",
        "../../etc",
        "x" * 300,
    ],
)
def test_a_region_outside_the_image_or_malformed_is_a_400(region):
    assert status(parse_region, region, W, H) == 400


@pytest.mark.parametrize(
    "size, region, expected",
    [
        ("max", (6000, 4000), (5016, 3344)),  # 16 MP cap, aspect kept
        ("max", (600, 400), (600, 400)),
        ("^max", (600, 400), (5016, 3344)),
        ("150,", (600, 400), (150, 100)),
        (",100", (600, 400), (150, 100)),
        ("150,75", (600, 400), (150, 75)),  # distorted on purpose
        ("!150,150", (600, 400), (150, 100)),
        ("!1000,1000", (600, 400), (600, 400)),  # never upscaled without ^
        ("^!1000,1000", (600, 400), (1000, 666)),
        ("pct:50", (600, 400), (300, 200)),
        ("^pct:150", (600, 400), (900, 600)),
        ("^1200,", (600, 400), (1200, 800)),
    ],
)
def test_sizes_follow_the_specification(size, region, expected):
    assert parse_size(size, *region) == expected


@pytest.mark.parametrize(
    "size",
    [
        "1200,",
        ",800",
        "pct:150",
        "601,400",
        "0,",
        ",0",
        "pct:0",
        "max,",
        "!0,10",
        "abc",
        "^20000,",
        "^pct:10000",
    ],
)
def test_upscaling_without_caret_zero_and_oversized_sizes_are_400(size):
    assert status(parse_size, size, 600, 400) == 400


def test_max_area_bounds_what_one_request_can_ask():
    limits = Limits(max_width=100_000, max_height=100_000, max_area=1_000_000)
    assert status(parse_size, "^2000,2000", 600, 400, limits) == 400
    w, h = parse_size("max", 6000, 4000, limits)
    assert w * h <= 1_000_000


@pytest.mark.parametrize(
    "rotation, expected",
    [
        ("0", (False, 0)),
        ("90", (False, 90)),
        ("!0", (True, 0)),
        ("22.5", (False, 22.5)),
        ("360", (False, 0)),
        ("!180", (True, 180)),
    ],
)
def test_rotation_and_mirroring(rotation, expected):
    assert parse_rotation(rotation) == expected


@pytest.mark.parametrize("rotation", ["361", "-90", "90deg", "!!90", "", "1e3"])
def test_rotation_outside_0_to_360_or_malformed_is_400(rotation):
    assert status(parse_rotation, rotation) == 400


@pytest.mark.parametrize(
    "qf, code",
    [
        ("default.gif", 501),
        ("default.tif", 501),
        ("default.pdf", 501),
        ("sepia.jpg", 400),
        ("default.exe", 400),
        ("default", 400),
        ("DEFAULT.JPG", 400),
    ],
)
def test_unknown_quality_is_400_and_a_known_unoffered_format_is_501(qf, code):
    assert status(parse_image_request, "full", "max", "0", qf, W, H) == code


def test_a_full_request_has_a_canonical_form_for_caching():
    req = parse_image_request("full", "pct:10", "!90", "color.png", W, H)
    assert req.canonical == "full/600,400/!90/default.png"
    assert req.content_type == "image/png"
    assert not req.is_plain


@pytest.mark.parametrize(
    "region, size, rotation, width, height, expected",
    [
        ("full", "^1500,", "0", 1000, 1000, "full/^1500,1500/0"),  # the ^ is kept
        ("full", "^max", "0", 600, 400, "full/^max/0"),
        ("full", "max", "0", W, H, "full/max/0"),  # capped by maxArea, still max
        ("full", "6000,", "0", W, H, "full/6000,4000/0"),  # over maxArea: 400 either way
        ("0,0,6000,4000", "pct:10", "0", W, H, "full/600,400/0"),
        ("square", "max", "0", W, H, "1000,0,4000,4000/max/0"),
        ("square", "max", "0", 500, 500, "full/max/0"),  # the square of a square image
        ("125,15,120,140", "90,", "!345", W, H, "125,15,120,140/90,105/!345"),
        ("125,15,120,140", "120,140", "0", W, H, "125,15,120,140/max/0"),
        ("125,15,120,140", "^240,", "0", W, H, "125,15,120,140/^240,280/0"),
        ("full", "300,", "22.50", W, H, "full/300,200/22.5"),
        ("full", "300,", "0.0000001", W, H, "full/300,200/0.0000001"),  # no exponent
        ("full", "300,", "123.4567891", W, H, "full/300,200/123.4567891"),  # every digit
    ],
)
def test_the_canonical_form_follows_the_specification_and_is_a_valid_request(
    region, size, rotation, width, height, expected
):
    try:
        req = parse_image_request(region, size, rotation, "default.jpg", width, height)
    except IIIFError:
        assert expected == "full/6000,4000/0"
        return
    assert req.canonical == f"{expected}/default.jpg"
    again = parse_image_request(*req.canonical.split("/"), width, height)
    assert again == req  # the canonical URL asks for exactly the same image


def test_a_max_area_image_is_delivered_smaller_than_its_full_size():
    assert parse_size("max", 5000, 4000) == (4579, 3663)


def test_info_json_describes_tiles_sizes_and_limits():
    doc = info_document("https://example.org/iiif/3/7", W, H, 512)
    assert doc["@context"] == "http://iiif.io/api/image/3/context.json"
    assert doc["type"] == "ImageService3" and doc["profile"] == "level2"
    assert doc["protocol"] == "http://iiif.io/api/image"
    assert doc["tiles"] == [{"width": 512, "scaleFactors": [1, 2, 4, 8, 16]}]
    assert doc["sizes"][0] == {"width": 375, "height": 250}
    assert all(s["width"] * s["height"] <= doc["maxArea"] for s in doc["sizes"])
    assert doc["extraFormats"] == ["webp"]  # png is in the level 2 profile already
    assert {"canonicalLinkHeader", "profileLinkHeader"} <= set(doc["extraFeatures"])
    assert {"gray", "bitonal"} <= set(doc["extraQualities"])
    assert doc["preferredFormats"][0] == "jpg"  # what the pre-cut tiles are


def test_scale_factors_stop_when_the_image_fits_one_tile():
    assert scale_factors(512, 512, 512) == [1]
    assert scale_factors(1500, 1100, 512) == [1, 2, 4]
