"""The dominant colours of a picture, as named colours a visitor can browse by.

libvips shrinks the picture to at most 64 px and converts it to CIE LCh; each pixel is put
in one named bucket by lightness, chroma and hue (dark and light, greys, then the hue
wheel), and the buckets holding at least ``MIN_SHARE`` of the pixels are the picture's
colours, largest first (an embroidered motif on a dyed ground is a small share). Named
buckets, not hex values: "red, indigo, yellow" is what the embroidery of south-east
Guizhou is browsed by, the same in every engine and language (labels are looked up where
they are shown).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyvips

#: Bucket names in the order a colour facet lists them when counts tie.
COLOURS = (
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "indigo",
    "purple",
    "pink",
    "brown",
    "black",
    "white",
    "grey",
)
#: Hue wheel (CIE LCh degrees: pure red is about 40, yellow 100, green 135, pure blue 306,
#: purple 330) for saturated pixels: (upper bound, name).
HUES = (
    (20.0, "pink"),
    (55.0, "red"),
    (75.0, "orange"),
    (110.0, "yellow"),
    (200.0, "green"),
    (315.0, "blue"),
    (345.0, "purple"),
    (360.0, "pink"),
)
MIN_SHARE = 0.06
MAX_COLOURS = 3


def _bucket(lightness: float, chroma: float, hue: float) -> str:
    if lightness < 8 or (lightness < 20 and chroma < 8):
        return "black"  # a dark dyed ground with a hue in it (indigo) keeps its hue
    if chroma < 10:
        return "white" if lightness > 82 else ("black" if lightness < 30 else "grey")
    if 40 <= hue < 80 and lightness < 45:
        return "brown"
    if 255 <= hue < 320 and lightness < 40:
        return "indigo"  # the dark blue of indigo-dyed cloth
    for upper, name in HUES:
        if hue < upper:
            return name
    return "pink"


def dominant_colours(source: str | Path | bytes) -> list[str]:
    """Up to three named colours covering at least 6 % of the picture each; ``source`` is
    a file or the bytes of one (a thumbnail read from object storage)."""
    if isinstance(source, bytes):
        image = pyvips.Image.thumbnail_buffer(source, 64)
    else:
        image = pyvips.Image.thumbnail(str(source), 64)
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    if image.bands == 1:
        image = image.colourspace("srgb")
    lch = image.colourspace("lch")
    pixels = np.ndarray(
        buffer=lch.write_to_memory(), dtype=np.float32, shape=(lch.height * lch.width, 3)
    )
    counts = Counter(_bucket(float(lt), float(c), float(h)) for lt, c, h in pixels)
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], COLOURS.index(kv[0])))
    return [name for name, n in ranked if n / total >= MIN_SHARE][:MAX_COLOURS]


def palette(path: str | Path) -> list[str]:
    """``dominant_colours`` of the picture in ``path``, or none if it cannot be read (ingest
    keeps them with the original; a picture without them still ingests)."""
    try:
        return dominant_colours(path)
    except pyvips.Error:
        return []
