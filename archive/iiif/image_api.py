"""IIIF Image API 3.0 request parsing: pure functions, no Django, no libvips.

``parse_image_request()`` turns the four path segments into an ``ImageRequest`` — the exact
pixels to cut (in full-image coordinates), the exact output size, the rotation, quality and
format — or raises ``IIIFError`` with the status the specification names:

* 400 for a request that is not valid syntax or asks the impossible (a region outside the
  image, a zero size, upscaling without ``^``, more than the advertised maxima);
* 501 for a valid request of something we do not implement (a ``tif`` or ``pdf`` format);
* 404 is the views' answer for an identifier that does not exist or may not be seen.

The limits below bound the work one request can cause: the output area, and so the pixels
decoded (the pyramid page chosen is never more than twice the output scale).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
PROFILE = "level2"

MAX_WIDTH = 8192
MAX_HEIGHT = 8192
MAX_AREA = 16_777_216  # 16 megapixels

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
#: Formats the specification names that we recognise but do not produce: 501, not 400.
KNOWN_UNSUPPORTED_FORMATS = ("tif", "gif", "jp2", "pdf")
#: Only what the level 2 profile does not already promise (it names jpg and png).
EXTRA_FORMATS = ["webp"]
EXTRA_QUALITIES = ["color", "gray", "bitonal"]
#: JPEG first: the pre-cut tiles are JPEG, and OpenSeadragon asks for the first listed.
PREFERRED_FORMATS = ["jpg", "webp"]
EXTRA_FEATURES = [
    "canonicalLinkHeader",
    "mirroring",
    "profileLinkHeader",
    "regionByPct",
    "regionByPx",
    "regionSquare",
    "rotationArbitrary",
    "rotationBy90s",
    "sizeByConfinedWh",
    "sizeByH",
    "sizeByPct",
    "sizeByW",
    "sizeByWh",
    "sizeUpscaling",
]

_NUM = r"\d+(?:\.\d+)?"
_INT4 = re.compile(r"^(\d{1,9}),(\d{1,9}),(\d{1,9}),(\d{1,9})$")
_PCT4 = re.compile(rf"^pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})$")
_SIZE_W = re.compile(r"^(\d{1,9}),$")
_SIZE_H = re.compile(r"^,(\d{1,9})$")
_SIZE_WH = re.compile(r"^(!?)(\d{1,9}),(\d{1,9})$")
_SIZE_PCT = re.compile(rf"^pct:({_NUM})$")
_ROTATION = re.compile(rf"^(!?)({_NUM})$")
_QF = re.compile(r"^([a-z]{1,20})\.([a-z0-9]{1,10})$")


class IIIFError(Exception):
    """A request the Image API answers with ``status`` and a short plain-text reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_width: int = MAX_WIDTH
    max_height: int = MAX_HEIGHT
    max_area: int = MAX_AREA


@dataclass(frozen=True)
class ImageRequest:
    """What to make: the region in full-image pixels, the output size, then the rest."""

    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    mirror: bool
    rotation: float
    quality: str
    format: str
    #: The full image's size and the limits, which the canonical form depends on.
    full_w: int = 0
    full_h: int = 0
    limits: Limits = Limits()

    @property
    def content_type(self) -> str:
        return FORMATS[self.format]

    @property
    def canonical(self) -> str:
        """The canonical URI path (region/size/rotation/quality.format), Image 3 §4.8.

        ``full`` when the region is the whole image; ``max`` (or ``^max``) when the size is the
        largest the region can have without (with) upscaling; otherwise ``w,h``, prefixed with
        ``^`` when the output is larger than the region, so the canonical URL is itself a
        valid request for the same pixels."""
        whole = (self.x, self.y, self.w, self.h) == (0, 0, self.full_w, self.full_h)
        region = "full" if whole else f"{self.x},{self.y},{self.w},{self.h}"
        out = (self.out_w, self.out_h)
        if out == parse_size("max", self.w, self.h, self.limits):
            size = "max"
        elif out == parse_size("^max", self.w, self.h, self.limits):
            size = "^max"
        else:
            up = "^" if self.out_w > self.w or self.out_h > self.h else ""
            size = f"{up}{self.out_w},{self.out_h}"
        rot = f"{'!' if self.mirror else ''}{_fmt_num(self.rotation)}"
        q = "default" if self.quality == "color" else self.quality
        return f"{region}/{size}/{rot}/{q}.{self.format}"

    @property
    def is_plain(self) -> bool:
        """No rotation, no mirroring, colour JPEG: what pre-cut tiles are."""
        return (
            not self.mirror
            and self.rotation == 0
            and self.quality in ("default", "color")
            and self.format == "jpg"
        )


def _fmt_num(value: float) -> str:
    """An integer when possible, else the shortest exact decimal: no exponent, no trailing
    zeros, a leading 0 below 1 (Image 3 §4.7)."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def parse_region(region: str, width: int, height: int) -> tuple[int, int, int, int]:
    if region == "full":
        return 0, 0, width, height
    if region == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    m = _INT4.match(region)
    if m:
        x, y, w, h = (int(v) for v in m.groups())
    else:
        m = _PCT4.match(region)
        if not m:
            raise IIIFError(400, f"Invalid region: {region[:40]!r}")
        px, py, pw, ph = (float(v) for v in m.groups())
        if px > 100 or py > 100:
            raise IIIFError(400, "A percentage region must start inside the image.")
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    if w <= 0 or h <= 0:
        raise IIIFError(400, "A region needs a width and height above zero.")
    if x >= width or y >= height:
        raise IIIFError(400, "The region lies entirely outside the image.")
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(size: str, rw: int, rh: int, limits: Limits = Limits()) -> tuple[int, int]:
    upscale = size.startswith("^")
    spec = size[1:] if upscale else size
    if spec == "max":
        w, h = rw, rh
        scale = min(
            1.0 if not upscale else math.inf,
            limits.max_width / w,
            limits.max_height / h,
            math.sqrt(limits.max_area / (w * h)),
        )
        if scale != 1.0:
            w, h = max(1, math.floor(w * scale)), max(1, math.floor(h * scale))
        return w, h
    if m := _SIZE_W.match(spec):
        w = int(m.group(1))
        h = round(rh * w / rw)
    elif m := _SIZE_H.match(spec):
        h = int(m.group(1))
        w = round(rw * h / rh)
    elif m := _SIZE_PCT.match(spec):
        pct = float(m.group(1))
        if pct > 100 and not upscale:
            raise IIIFError(400, "Above 100% needs the ^ (upscaling) prefix.")
        w, h = round(rw * pct / 100), round(rh * pct / 100)
    elif m := _SIZE_WH.match(spec):
        confined, bw, bh = m.group(1) == "!", int(m.group(2)), int(m.group(3))
        if confined:
            if bw == 0 or bh == 0:
                raise IIIFError(400, "A size needs a width and height above zero.")
            scale = min(bw / rw, bh / rh)
            if not upscale:
                scale = min(scale, 1.0)
            w, h = max(1, math.floor(rw * scale + 1e-9)), max(1, math.floor(rh * scale + 1e-9))
        else:
            w, h = bw, bh
    else:
        raise IIIFError(400, f"Invalid size: {size[:40]!r}")
    if w <= 0 or h <= 0:
        raise IIIFError(400, "The requested size is zero.")
    if not upscale and (w > rw or h > rh):
        raise IIIFError(400, "That size is larger than the region; prefix it with ^ to upscale.")
    if w > limits.max_width or h > limits.max_height or w * h > limits.max_area:
        raise IIIFError(
            400,
            f"That size exceeds the limits (maxWidth {limits.max_width}, maxHeight "
            f"{limits.max_height}, maxArea {limits.max_area}).",
        )
    return w, h


def parse_rotation(rotation: str) -> tuple[bool, float]:
    m = _ROTATION.match(rotation)
    if not m:
        raise IIIFError(400, f"Invalid rotation: {rotation[:40]!r}")
    degrees = float(m.group(2))
    if degrees > 360:
        raise IIIFError(400, "Rotation must be between 0 and 360 degrees.")
    return m.group(1) == "!", degrees % 360


def parse_quality_format(value: str) -> tuple[str, str]:
    m = _QF.match(value)
    if not m:
        raise IIIFError(400, f"Invalid quality and format: {value[:40]!r}")
    quality, fmt = m.groups()
    if quality not in QUALITIES:
        raise IIIFError(400, f"Unknown quality {quality!r}.")
    if fmt in KNOWN_UNSUPPORTED_FORMATS:
        raise IIIFError(501, f"The format {fmt!r} is not offered here.")
    if fmt not in FORMATS:
        raise IIIFError(400, f"Unknown format {fmt!r}.")
    return quality, fmt


def parse_image_request(
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    width: int,
    height: int,
    limits: Limits = Limits(),
) -> ImageRequest:
    x, y, w, h = parse_region(region, width, height)
    out_w, out_h = parse_size(size, w, h, limits)
    mirror, degrees = parse_rotation(rotation)
    quality, fmt = parse_quality_format(quality_format)
    return ImageRequest(
        x, y, w, h, out_w, out_h, mirror, degrees, quality, fmt, width, height, limits
    )


def scale_factors(width: int, height: int, tile: int) -> list[int]:
    """1, 2, 4… down to the level that fits in one tile (as dzsave cuts them)."""
    factors, sf = [1], 1
    while math.ceil(width / sf) > tile or math.ceil(height / sf) > tile:
        sf *= 2
        factors.append(sf)
    return factors


def info_document(
    service_id: str, width: int, height: int, tile: int, limits: Limits = Limits()
) -> dict:
    """The info.json of one image."""
    factors = scale_factors(width, height, tile)
    sizes = []
    for sf in reversed(factors):
        w, h = math.ceil(width / sf), math.ceil(height / sf)
        if w * h <= limits.max_area and w <= limits.max_width and h <= limits.max_height:
            sizes.append({"width": w, "height": h})
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": PROFILE,
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": sizes,
        "tiles": [{"width": tile, "scaleFactors": factors}],
        "preferredFormats": PREFERRED_FORMATS,
        "extraFormats": EXTRA_FORMATS,
        "extraQualities": EXTRA_QUALITIES,
        "extraFeatures": EXTRA_FEATURES,
    }
