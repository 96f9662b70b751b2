"""IIIF image derivatives: pre-cut tiles and a pyramid, both made by libvips from the original.

* ``tiles`` — a zip written by ``dzsave(layout="iiif3")``: every tile a IIIF viewer asks for
  at the advertised tile size and scale factors, already encoded as JPEG. The image server
  answers those requests straight from the zip (no decoding at all).
* ``pyramid`` — a tiled, JPEG-compressed pyramidal TIFF (one page per halving). Any other
  request (a detail, a rotation, a PNG, a grey copy) is computed from the page nearest in
  scale, so a small request never decodes the full image. iipimage reads the same file.

Both are made from the original *as it is shown*: EXIF orientation applied, sRGB, 8-bit,
alpha flattened on white, so the tiles, the pyramid and info.json agree on the dimensions.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

#: The tile size advertised in info.json and cut into the zip.
TILE_SIZE = 512
TILE_SUFFIX = ".jpg[Q=82]"
PYRAMID_TILE = 256


def _prepared(src_path: str | Path):
    import pyvips

    image = pyvips.Image.new_from_file(str(src_path), access="sequential")
    image = image.autorot()
    if image.interpretation not in ("srgb", "b-w"):
        image = image.colourspace("srgb")
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def make_tiles_zip(src_path: str | Path, out_zip: str | Path) -> Path:
    """Cut the IIIF Image API 3 tiles of ``src_path`` into the zip ``out_zip``.

    Inside, names are ``<stem>/<x>,<y>,<w>,<h>/<w>,<h>/0/default.jpg`` (``<stem>`` is the
    zip's name without ``.zip``); the server indexes them by numbers, not by text.
    """
    out_zip = Path(out_zip)
    workdir = Path(tempfile.mkdtemp(prefix="mha-tiles-"))
    try:
        base = workdir / "tiles"
        _prepared(src_path).dzsave(
            str(base), layout="iiif3", container="zip", tile_size=TILE_SIZE,
            suffix=TILE_SUFFIX,
        )  # fmt: skip
        made = base if base.exists() else base.with_suffix(".zip")
        shutil.move(str(made), out_zip)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return out_zip


def make_pyramid(src_path: str | Path, out_tif: str | Path) -> Path:
    """Write a tiled pyramidal JPEG-compressed TIFF (pages, not sub-IFDs: iipimage and
    ``new_from_file(page=n)`` both read it)."""
    out_tif = Path(out_tif)
    _prepared(src_path).tiffsave(
        str(out_tif), tile=True, pyramid=True, compression="jpeg", Q=85,
        tile_width=PYRAMID_TILE, tile_height=PYRAMID_TILE, bigtiff=False,
    )  # fmt: skip
    return out_tif


def iiif_image_derivatives(asset, src: Path, workdir: Path) -> None:
    """Make and record ``tiles`` and ``pyramid`` for an image asset (the pipeline's step)."""
    import pyvips

    from .steps import save_derivative

    pyramid = make_pyramid(src, workdir / "pyramid.tif")
    head = pyvips.Image.new_from_file(str(pyramid))
    dims = {"width": head.width, "height": head.height}
    tiles = make_tiles_zip(src, workdir / "tiles.zip")
    save_derivative(asset, "pyramid", pyramid, "image/tiff", **dims)
    save_derivative(asset, "tiles", tiles, "application/zip", **dims)
