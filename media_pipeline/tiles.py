"""The image derivatives IIIF serves from: a zip of pre-made tiles and a pyramidal TIFF.

Both are made by libvips in one streaming pass each, so a 400-megapixel scan never has to
fit in memory. The tiles zip is one file (one atomic write, one object on S3) laid out as
IIIF Image API 3 paths: ``<root>/{region}/{size}/0/default.jpg`` and ``<root>/info.json``.
"""

from __future__ import annotations

from pathlib import Path

import pyvips

TILE_SIZE = 512
TILE_SUFFIX = ".jpg[Q=82,strip]"


def make_tiles_zip(src: Path | str, out_zip: Path | str, *, tile_size: int = TILE_SIZE) -> Path:
    """``vips dzsave --layout iiif3 --container zip`` from ``src`` into ``out_zip``."""
    out_zip = Path(out_zip)
    image = pyvips.Image.new_from_file(str(src), access="sequential")
    image = _srgb(image.autorot())
    image.dzsave(
        str(out_zip),
        layout="iiif3",
        container="zip",
        tile_size=tile_size,
        overlap=0,
        suffix=TILE_SUFFIX,
        id="https://iiif.invalid",
        compression=0,
    )
    return out_zip


def make_pyramid(src: Path | str, out_tif: Path | str, *, tile_size: int = 256) -> Path:
    """A tiled, pyramidal, JPEG-compressed TIFF: any region at any scale reads little."""
    image = pyvips.Image.new_from_file(str(src), access="sequential")
    image = _srgb(image.autorot())
    image.tiffsave(
        str(out_tif),
        tile=True,
        tile_width=tile_size,
        tile_height=tile_size,
        pyramid=True,
        compression="jpeg",
        Q=88,
        strip=True,
        bigtiff=image.width * image.height > 200_000_000,
    )
    return Path(out_tif)


#: Metadata never copied to a derivative: EXIF (GPS, camera serials), XMP, IPTC.
PRIVATE_FIELDS = ("exif-", "xmp-", "iptc-", "gps-", "orientation")


def scrub(image):
    """A copy of ``image`` with no EXIF/XMP/IPTC, so no saver can write GPS out.

    Removing the fields is explicit and version-proof: libvips 8.14's ``strip`` does not stop
    webpsave writing EXIF, and ``keep`` only arrived in 8.15.
    """
    image = image.copy()
    for field in image.get_fields():
        if field.startswith(PRIVATE_FIELDS):
            image.remove(field)
    return image


def _srgb(image):
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    if image.interpretation not in ("srgb", "b-w") or image.get_typeof("icc-profile-data"):
        try:
            image = (
                image.icc_transform("srgb")
                if image.get_typeof("icc-profile-data")
                else (image.colourspace("srgb"))
            )
        except pyvips.Error:
            image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar") if image.interpretation == "srgb" else image
    return scrub(image)
