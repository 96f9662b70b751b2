"""Perceptual hashes: the same 背扇 photographed twice gives different bytes (another
checksum) but nearly the same picture; its perceptual hash differs in a few bits only.

``perceptual_hash`` shrinks the image with libvips first (a 400 MP scan never reaches
Pillow at full size), then takes imagehash's pHash (DCT of a 32×32 greyscale, 64 bits).
``distance`` is the number of differing bits: 0 for the same picture re-encoded, a handful
for a second photograph of the same piece, ~32 for unrelated pictures.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyvips

#: At most this many differing bits (of 64) count as "looks like": re-encodings and
#: re-photographs of one piece fall well within it, different pieces well outside.
NEAR = 10


def perceptual_hash(path: Path) -> str | None:
    """The 64-bit pHash of the picture in ``path`` as 16 hex digits, or None if unreadable."""
    import imagehash
    from PIL import Image

    try:
        thumb = pyvips.Image.thumbnail(str(path), 256)
        if thumb.hasalpha():
            thumb = thumb.flatten(background=[255, 255, 255])
        png = thumb.colourspace("srgb").write_to_buffer(".png")
    except pyvips.Error:
        return None
    with Image.open(io.BytesIO(png)) as image:
        return str(imagehash.phash(image))


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
