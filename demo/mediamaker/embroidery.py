"""Embroidery patterns: photograph-like pictures of Miao counted-thread and satin work.

A design is charted on a thread grid (a mirrored medallion for the motif, counted-thread
borders, side rosettes), then every cell is rendered as a stitch over woven indigo cloth.
Drawn with Pillow; the same motif, palette and seed give the same picture on every machine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from ._tools import PROVENANCE
from .images import camera_exif, save

RGB = tuple[int, int, int]


MOTIFS = (
    "butterfly",
    "dragon",
    "fish",
    "bird",
    "maple",
    "whorl",
    "drum",
    "flower",
    "frog",
    "buffalo",
    "star",
    "other",
)

#: Used when the caller passes an empty palette: typical Qiandongnan silk thread colours.
_DEFAULT_PALETTE = ["#c0392b", "#e67e22", "#f1c40f", "#27ae60", "#e84393", "#f4ecd8", "#2e86c1"]

#: Plausible fieldwork cameras, so the pipeline sees realistic Make/Model pairs.
_CAMERAS = (
    ("Canon", "Canon EOS 5D Mark IV"),
    ("NIKON CORPORATION", "NIKON D850"),
    ("SONY", "ILCE-7RM3"),
    ("FUJIFILM", "X-T3"),
)

#: The design is drawn on a grid of "thread cells" this many cells high (short side), then
#: every cell is rendered as a stitch, which is what makes it read as counted-thread work.
_GRID_CELLS = 125


def _hex_to_rgb(value: str) -> RGB:
    """Parse ``#rrggbb`` / ``#rgb`` so palettes can come straight from fixtures or YAML."""
    digits = value.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    try:
        if len(digits) != 6:
            raise ValueError
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    except ValueError:
        raise ValueError(f"Palette colour {value!r} is not a hex colour like '#c0392b'") from None


class _Quadrant:
    """Top-left quarter of the central medallion, drawn in 'medallion coordinates'.

    Why: drawing one quarter and mirroring it gives exact 4-fold (or, with a diagonal
    reflection, 8-fold) symmetry, as in Miao counted-thread medallions. Coordinates: (0, 0) is
    the medallion centre (the quadrant's bottom-right cell), (1, 1) its top-left corner; x grows
    leftwards and y upwards, so shapes are described outward from the centre. Anything drawn
    across the centre lines is clipped and then completed by the mirroring.
    """

    def __init__(self, cells: int) -> None:
        self.cells = cells
        self.unit = cells - 1
        self.image = Image.new("RGBA", (cells, cells), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (self.unit * (1.0 - x), self.unit * (1.0 - y))

    def w(self, fraction: float) -> int:
        """Line width in cells for a width given as a fraction of the medallion radius."""
        return max(1, round(fraction * self.unit))

    def poly(
        self,
        points: Sequence[tuple[float, float]],
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: int = 1,
    ) -> None:
        self.draw.polygon(
            [self.p(x, y) for x, y in points], fill=fill, outline=outline, width=width
        )

    def line(self, points: Sequence[tuple[float, float]], fill: RGB, width: int = 1) -> None:
        self.draw.line([self.p(x, y) for x, y in points], fill=fill, width=width, joint="curve")

    def circle(
        self,
        x: float,
        y: float,
        r: float,
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: int = 1,
    ) -> None:
        x0, y0 = self.p(x + r, y + r)
        x1, y1 = self.p(x - r, y - r)
        self.draw.ellipse((x0, y0, x1, y1), fill=fill, outline=outline, width=width)


def _ellipse_pts(
    cx: float, cy: float, rx: float, ry: float, angle: float, n: int = 36
) -> list[tuple[float, float]]:
    """Points of a rotated ellipse (ImageDraw can only draw axis-aligned ones)."""
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + ex * ca - ey * sa, cy + ex * sa + ey * ca))
    return pts


def _polar(r: float, angle: float) -> tuple[float, float]:
    return (r * math.cos(math.radians(angle)), r * math.sin(math.radians(angle)))


def _diamond(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    return [(cx + r, cy), (cx, cy + r), (cx - r, cy), (cx, cy - r)]


def _spiral(
    cx: float, cy: float, r0: float, r1: float, turns: float, phase: float = 0.0
) -> list[tuple[float, float]]:
    steps = max(12, int(turns * 28))
    pts = []
    for i in range(steps + 1):
        t = i / steps
        a = phase + 2 * math.pi * turns * t
        r = r0 + (r1 - r0) * t
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _motif_butterfly(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    s = rng.uniform(0.92, 1.04)
    wing = [
        (0.07, 0.06),
        (0.16, 0.3),
        (0.3, 0.6),
        (0.52, 0.84),
        (0.78, 0.9),
        (0.92, 0.72),
        (0.84, 0.46),
        (0.62, 0.24),
        (0.32, 0.08),
    ]
    wing = [(x * s, y * s) for x, y in wing]
    q.poly(wing, fill=c[0], outline=c[4])
    inner = [(0.5 * s + (x - 0.5 * s) * 0.55, 0.5 * s + (y - 0.5 * s) * 0.55) for x, y in wing]
    q.poly(inner, fill=c[1])
    q.circle(0.56 * s, 0.58 * s, 0.1, fill=c[2])
    q.circle(0.56 * s, 0.58 * s, 0.04, fill=c[0])
    for t in (0.2, 0.35, 0.5):
        q.circle(0.9 * s * t + 0.3 * s, 0.15 * s + 0.1 * t, 0.03, fill=c[3])
    q.poly([(0, 0), (0.075, 0), (0.065, 0.42), (0, 0.48)], fill=c[3])
    for y in (0.1, 0.2, 0.3):
        q.line([(0, y), (0.07, y)], fill=c[2])
    q.circle(0, 0.54, 0.07, fill=c[3], outline=c[4])
    q.line([(0.03, 0.58), (0.1, 0.72), (0.18, 0.86)], fill=c[4])
    q.circle(0.2, 0.89, 0.04, fill=c[2])


def _motif_dragon(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    amp, waves = rng.uniform(0.1, 0.14), rng.choice((1.5, 2.0))
    body = [
        (0.0 + 0.8 * t, 0.42 + amp * math.sin(2 * math.pi * waves * t))
        for t in (i / 40 for i in range(41))
    ]
    q.line(body, fill=c[0], width=q.w(0.14))
    q.line(body, fill=c[1], width=1)
    for i in range(2, 38, 4):
        x, y = body[i]
        q.circle(x, y + 0.035, 0.022, fill=c[2])
    for i in (12, 26):
        x, y = body[i]
        foot = (x + 0.06, y - 0.2)
        q.line([(x, y), (x + 0.02, y - 0.1), foot], fill=c[3], width=2)
        for dx in (-0.04, 0.0, 0.04):
            q.line([foot, (foot[0] + dx, foot[1] - 0.05)], fill=c[3])
    hx, hy = body[-1]
    q.poly(_diamond(hx + 0.06, hy, 0.09), fill=c[2], outline=c[4])
    q.circle(hx + 0.07, hy + 0.02, 0.02, fill=c[0])
    q.line(
        [(hx + 0.04, hy + 0.07), (hx + 0.0, hy + 0.2), (hx - 0.08, hy + 0.24)], fill=c[3], width=2
    )
    q.line(
        [(hx + 0.09, hy + 0.06), (hx + 0.12, hy + 0.19), (hx + 0.05, hy + 0.27)], fill=c[3], width=2
    )
    q.line([(hx + 0.14, hy - 0.02), (hx + 0.19, hy - 0.1)], fill=c[4])
    q.circle(0, 0, 0.17, fill=c[1], outline=c[4])
    q.circle(0, 0, 0.08, fill=c[2])


def _motif_fish(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    cx = cy = rng.uniform(0.46, 0.5)
    u = (math.cos(math.radians(45)), math.sin(math.radians(45)))
    v = (-u[1], u[0])

    def at(a: float, b: float) -> tuple[float, float]:
        return (cx + a * u[0] + b * v[0], cy + a * u[1] + b * v[1])

    q.poly([at(-0.26, 0), at(-0.46, 0.15), at(-0.38, 0), at(-0.46, -0.15)], fill=c[1], outline=c[4])
    q.poly([at(-0.02, 0.13), at(0.06, 0.25), at(0.12, 0.12)], fill=c[3])
    q.poly([at(-0.02, -0.13), at(0.06, -0.25), at(0.12, -0.12)], fill=c[3])
    q.poly(_ellipse_pts(cx, cy, 0.31, 0.15, 45), fill=c[0], outline=c[4])
    for a in (-0.16, -0.06, 0.04):
        q.line([at(a, -0.1), at(a + 0.06, 0), at(a, 0.1)], fill=c[2])
    q.line([at(0.13, -0.11), at(0.17, 0), at(0.13, 0.11)], fill=c[4])
    q.circle(*at(0.22, 0.04), 0.035, fill=c[4])
    q.circle(*at(0.22, 0.04), 0.015, fill=c[0])
    q.poly([(0, 0), (0.17, 0), (0, 0.17)], fill=c[2])
    q.line([(0.0, 0.3), (0.1, 0.24), (0.2, 0.3)], fill=c[1])
    q.line([(0.3, 0.0), (0.24, 0.1), (0.3, 0.2)], fill=c[1])


def _motif_bird(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    tilt = rng.uniform(8, 20)
    for (x1, y1), col in zip(
        ((0.92, 0.55), (0.96, 0.36), (0.9, 0.16)), (c[2], c[3], c[2]), strict=True
    ):
        q.line([(0.64, 0.34), (x1, y1)], fill=col, width=2)
        q.circle(x1, y1, 0.035, fill=c[1])
    q.poly(_ellipse_pts(0.5, 0.38, 0.2, 0.12, tilt), fill=c[0], outline=c[4])
    q.poly([(0.4, 0.42), (0.58, 0.64), (0.72, 0.52), (0.62, 0.4)], fill=c[1], outline=c[4])
    q.poly([(0.3, 0.44), (0.24, 0.56), (0.36, 0.5)], fill=c[0])
    q.circle(0.27, 0.57, 0.08, fill=c[0], outline=c[4])
    q.poly([(0.2, 0.6), (0.07, 0.56), (0.2, 0.53)], fill=c[2])
    q.circle(0.26, 0.59, 0.018, fill=c[4])
    q.line([(0.3, 0.64), (0.33, 0.76)], fill=c[3])
    q.line([(0.34, 0.62), (0.41, 0.72)], fill=c[3])
    for x in (0.46, 0.55):
        q.line([(x, 0.28), (x - 0.01, 0.13)], fill=c[3])
        q.line([(x - 0.05, 0.12), (x + 0.04, 0.12)], fill=c[3])
    q.circle(0, 0.56, 0.05, fill=c[1])
    q.poly(_diamond(0, 0, 0.14), fill=c[2], outline=c[4])


def _motif_maple(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    cx = cy = 0.52
    heading = 45 + rng.uniform(-4, 4)
    lobes = (0.27, 0.37, 0.46, 0.37, 0.27)
    pts: list[tuple[float, float]] = [
        (cx + dx, cy + dy) for dx, dy in [_polar(0.08, heading + 180)]
    ]
    for k, length in enumerate(lobes):
        a = heading + (k - 2) * 52
        dx, dy = _polar(0.14, a - 26)
        pts.append((cx + dx, cy + dy))
        for frac, side in ((0.6, -9), (1.0, 0)):
            dx, dy = _polar(length * frac, a + side)
            pts.append((cx + dx, cy + dy))
        dx, dy = _polar(length * 0.6, a + 9)
        pts.append((cx + dx, cy + dy))
    dx, dy = _polar(0.14, heading + 2 * 52 + 26)
    pts.append((cx + dx, cy + dy))
    q.poly(pts, fill=c[0], outline=c[4])
    for k, length in enumerate(lobes):
        dx, dy = _polar(length * 0.85, heading + (k - 2) * 52)
        q.line([(cx, cy), (cx + dx, cy + dy)], fill=c[1])
    q.line([(cx - 0.07, cy - 0.07), (0.16, 0.16)], fill=c[3], width=2)
    q.circle(0, 0, 0.16, fill=c[2], outline=c[4])
    q.poly(_diamond(0, 0, 0.08), fill=c[1])
    q.poly(_diamond(0.0, 0.8, 0.08), fill=c[1])
    q.poly(_diamond(0.8, 0.0, 0.08), fill=c[1])


def _motif_whorl(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    turns = rng.uniform(2.0, 2.6)
    q.line(_spiral(0.52, 0.52, 0.03, 0.36, turns), fill=c[0], width=2)
    q.line(_spiral(0.52, 0.52, 0.08, 0.38, turns, math.pi), fill=c[1])
    q.circle(0.52, 0.52, 0.04, fill=c[2])
    for x, y in ((0.14, 0.82), (0.82, 0.14)):
        q.line(_spiral(x, y, 0.02, 0.12, 1.6), fill=c[2])
    q.circle(0, 0, 0.22, outline=c[3], width=2)
    q.poly(_diamond(0, 0, 0.1), fill=c[1], outline=c[4])


def _motif_drum(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    rays = rng.choice((12, 16))
    star = []
    for i in range(2 * rays):
        star.append(_polar(0.32 if i % 2 == 0 else 0.14, 180 * i / rays))
    q.poly(star, fill=c[0])
    q.circle(0, 0, 0.09, fill=c[1])
    for r in (0.38, 0.58, 0.78):
        q.circle(0, 0, r, outline=c[4])
    q.circle(0, 0, 0.96, outline=c[0], width=2)
    for i in range(24):
        x, y = _polar(0.48, i * 15 + 7.5)
        q.poly(_diamond(x, y, 0.045), fill=c[2])
    zig = [_polar(0.62 if i % 2 == 0 else 0.74, i * 7.5) for i in range(49)]
    q.line(zig, fill=c[1])
    for i in range(16):
        a = i * 22.5 + 11.25
        tip, left, right = _polar(0.88, a), _polar(0.83, a - 5), _polar(0.83, a + 5)
        q.line([left, tip, right], fill=c[3])


def _motif_flower(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    width = rng.uniform(0.1, 0.13)
    for k in range(8):
        a = k * 45
        x, y = _polar(0.5, a)
        q.poly(_ellipse_pts(x, y, 0.29, width, a), fill=c[0], outline=c[4])
        q.line([_polar(0.28, a), _polar(0.72, a)], fill=c[2])
        q.circle(*_polar(0.88, a), 0.05, fill=c[2])
    for k in range(8):
        a = k * 45 + 22.5
        x, y = _polar(0.3, a)
        q.poly(_ellipse_pts(x, y, 0.17, 0.07, a), fill=c[1])
    q.circle(0, 0, 0.15, fill=c[3], outline=c[4])
    q.circle(0, 0, 0.06, fill=c[2])


def _motif_frog(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    bend = rng.uniform(0.44, 0.52)
    knee, foot = (0.5, 0.3), (bend, 0.62)
    q.line([(0.18, 0.2), knee, foot], fill=c[1], width=q.w(0.07))
    for tx, ty in ((foot[0] - 0.12, 0.78), (foot[0], 0.84), (foot[0] + 0.12, 0.77)):
        q.line([foot, (tx, ty)], fill=c[1])
        q.circle(tx, ty, 0.03, fill=c[2])
    q.poly(_ellipse_pts(0, 0, 0.27, 0.42, 0), fill=c[0], outline=c[4])
    for y in (0.0, 0.17, 0.31):
        q.poly(_diamond(0, y, 0.07), fill=c[1])
    q.circle(0.15, 0.12, 0.035, fill=c[2])
    q.circle(0.13, 0.27, 0.03, fill=c[2])
    q.circle(0.12, 0.38, 0.06, fill=c[3], outline=c[4])
    q.circle(0.12, 0.38, 0.02, fill=c[4])


def _motif_buffalo(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    curl = rng.uniform(0.85, 1.0)
    path = [
        (0.12, 0.34),
        (0.3, 0.42),
        (0.52, 0.5),
        (0.7, 0.62),
        (0.8, 0.78),
        (0.76 * curl, 0.9),
        (0.64 * curl, 0.94),
    ]
    dense: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        dense.extend((x0 + (x1 - x0) * t / 6, y0 + (y1 - y0) * t / 6) for t in range(6))
    for i, (x, y) in enumerate(dense):
        q.circle(x, y, 0.075 * (1 - i / len(dense)) + 0.015, fill=c[0])
    for x, y in dense[4:-6:5]:
        q.circle(x, y, 0.02, fill=c[4])
    q.poly([(0, 0.42), (0.15, 0.38), (0.19, 0.2), (0.13, 0.0), (0, 0)], fill=c[1], outline=c[4])
    q.circle(0.1, 0.22, 0.04, fill=c[3])
    q.poly([(0.17, 0.33), (0.34, 0.3), (0.22, 0.24)], fill=c[2])
    q.circle(0, 0.56, 0.08, fill=c[2], outline=c[4])


def _motif_star(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    inner = rng.uniform(0.38, 0.44)
    outer_pts = [_polar(0.92 if i % 2 == 0 else inner, i * 22.5) for i in range(16)]
    q.poly(outer_pts, fill=c[0], outline=c[4])
    q.poly([(x * 0.6, y * 0.6) for x, y in outer_pts], fill=c[1])
    q.poly(_diamond(0, 0, 0.22), fill=c[2])
    q.line([(0, 0), (0.16, 0)], fill=c[3], width=2)
    q.line([(0, 0), (0, 0.16)], fill=c[3], width=2)
    for k in range(8):
        x, y = _polar(0.8, k * 45 + 22.5)
        q.poly(_diamond(x, y, 0.06), fill=c[2])


def _motif_other(q: _Quadrant, c: list[RGB], rng: random.Random) -> None:
    step = rng.choice((0.15, 0.16, 0.18))
    radii = [0.92 - i * step for i in range(5) if 0.92 - i * step > 0.1]
    for i, r in enumerate(radii):
        q.poly(_diamond(0, 0, r), outline=c[i % 4], width=2)
        q.circle(r, 0, 0.035, fill=c[4])
        q.circle(0, r, 0.035, fill=c[4])
        q.line([(r / 2 - 0.04, r / 2), (r / 2 + 0.04, r / 2)], fill=c[3])
        q.line([(r / 2, r / 2 - 0.04), (r / 2, r / 2 + 0.04)], fill=c[3])
    q.poly(_diamond(0, 0, 0.08), fill=c[4])


_MotifFn = Callable[[_Quadrant, list[RGB], random.Random], None]

#: motif -> (drawing function, 8-fold?). 8-fold motifs are also reflected on the diagonal.
_MOTIF_DRAWERS: dict[str, tuple[_MotifFn, bool]] = {
    "butterfly": (_motif_butterfly, False),
    "dragon": (_motif_dragon, False),
    "fish": (_motif_fish, False),
    "bird": (_motif_bird, False),
    "maple": (_motif_maple, False),
    "whorl": (_motif_whorl, False),
    "drum": (_motif_drum, True),
    "flower": (_motif_flower, True),
    "frog": (_motif_frog, False),
    "buffalo": (_motif_buffalo, False),
    "star": (_motif_star, True),
    "other": (_motif_other, True),
}


def _medallion(motif: str, cells: int, colours: list[RGB], rng: random.Random) -> Image.Image:
    """Draw one quadrant of the motif and mirror it into a (2*cells-1)^2 medallion."""
    draw_fn, eightfold = _MOTIF_DRAWERS[motif]
    q = _Quadrant(cells)
    draw_fn(q, colours, rng)
    quarter = q.image
    if eightfold:
        quarter = Image.alpha_composite(quarter, quarter.transpose(Image.Transpose.TRANSPOSE))
    size = 2 * cells - 1
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    mirrored = quarter.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out.paste(quarter, (0, 0))
    out.paste(mirrored, (cells - 1, 0))
    out.paste(quarter.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, cells - 1))
    out.paste(mirrored.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (cells - 1, cells - 1))
    return out


# Border units are defined cell by cell, exactly as counted-thread (挑花) charts are: a
# function of the offset (dx, dy) from the unit centre returning a colour slot or None.
_UnitFn = Callable[[int, int], int | None]


def _unit_lozenge(dx: int, dy: int) -> int | None:
    d = abs(dx) + abs(dy)
    return {4: 0, 2: 1, 0: 2}.get(d)


def _unit_stepped_cross(dx: int, dy: int) -> int | None:
    ax, ay = abs(dx), abs(dy)
    if ax + ay <= 1:
        return 2
    if min(ax, ay) <= 1 and max(ax, ay) <= 4 and ax + ay <= 4:
        return 0
    if ax + ay == 4 and min(ax, ay) >= 1:
        return 1
    return None


def _unit_star(dx: int, dy: int) -> int | None:
    ax, ay = abs(dx), abs(dy)
    if ax == 0 and ay == 0:
        return 2
    if ax + ay <= 2:
        return 1
    if max(ax, ay) <= 2 or ax + ay <= 4:
        return 0
    return None


def _square_spiral(size: int) -> frozenset[tuple[int, int]]:
    """Cells of a square spiral with one-cell gaps: the stepped whorl (涡纹) of cross-stitch."""
    x = y = size // 2
    cells = {(x, y)}
    directions = ((1, 0), (0, 1), (-1, 0), (0, -1))
    length, turn = 2, 0
    while True:
        for _ in range(2):
            sx, sy = directions[turn % 4]
            for _ in range(length):
                x, y = x + sx, y + sy
                if not (0 <= x < size and 0 <= y < size):
                    return frozenset(cells)
                cells.add((x, y))
            turn += 1
        length += 2


def _unit_whorl(dx: int, dy: int) -> int | None:
    if dx == 0 and dy == 0:
        return 2
    return 0 if (dx + 4, dy + 4) in _WHORL_CELLS else None


_WHORL_CELLS = _square_spiral(9)
_BAND_UNITS: tuple[_UnitFn, ...] = (_unit_lozenge, _unit_stepped_cross, _unit_star, _unit_whorl)
_UNIT = 9  # cells per border unit (odd, so units have a centre cell)


def _unit_image(fn: _UnitFn, colours: Sequence[RGB]) -> Image.Image:
    img = Image.new("RGBA", (_UNIT, _UNIT), (0, 0, 0, 0))
    half = _UNIT // 2
    for y in range(_UNIT):
        for x in range(_UNIT):
            slot = fn(x - half, y - half)
            if slot is not None:
                img.putpixel((x, y), (*colours[slot], 255))
    return img


def _main_strip(length: int, fn: _UnitFn, line: RGB, pairs: Sequence[Sequence[RGB]]) -> Image.Image:
    """A 13-cell band: ruled lines on both edges and a row of repeated units between them."""
    strip = Image.new("RGBA", (length, _UNIT + 4), (0, 0, 0, 0))
    d = ImageDraw.Draw(strip)
    d.line([(0, 0), (length - 1, 0)], fill=line)
    d.line([(0, _UNIT + 3), (length - 1, _UNIT + 3)], fill=line)
    units = [_unit_image(fn, cols) for cols in pairs]
    step = _UNIT + 2
    count = max(1, (length - 2) // step)
    start = (length - (count * step - 2)) // 2
    for i in range(count):
        strip.paste(units[i % len(units)], (start + i * step, 2))
    return strip


def _zigzag_strip(length: int, a: RGB, b: RGB) -> Image.Image:
    """A 5-cell zigzag band with dots in the valleys, as on sleeve and collar edgings."""
    strip = Image.new("RGBA", (length, 5), (0, 0, 0, 0))
    for x in range(length):
        phase = x % 8
        strip.putpixel((x, abs(phase - 4)), (*a, 255))
        if phase == 4:
            strip.putpixel((x, 2), (*b, 255))
        if phase == 0:
            strip.putpixel((x, 2), (*b, 255))
    return strip


def _frame(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    make_strip: Callable[[int], Image.Image],
    corner: Image.Image,
) -> None:
    """Draw a rectangular band: strips on four sides (rotated for the verticals), corner
    blocks in the corners. Rotating one horizontal strip keeps the repeat consistent."""
    x0, y0, x1, y1 = box
    t = corner.width
    horizontal = make_strip(x1 - x0 - 2 * t)
    vertical = make_strip(y1 - y0 - 2 * t)
    canvas.alpha_composite(horizontal, (x0 + t, y0))
    canvas.alpha_composite(horizontal.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (x0 + t, y1 - t))
    canvas.alpha_composite(vertical.transpose(Image.Transpose.ROTATE_90), (x0, y0 + t))
    canvas.alpha_composite(vertical.transpose(Image.Transpose.ROTATE_270), (x1 - t, y0 + t))
    for cx, cy in ((x0, y0), (x1 - t, y0), (x0, y1 - t), (x1 - t, y1 - t)):
        canvas.alpha_composite(corner, (cx, cy))


def _design(
    grid: tuple[int, int], motif: str, colours: list[RGB], rng: random.Random
) -> tuple[Image.Image, Image.Image]:
    """Lay out the whole cloth on the thread grid.

    Returns (design RGBA, satin mask L): the medallion is flat satin work (破线绣), the bands
    and side rosettes counted cross-stitch (挑花); the mask says which stitch each cell gets.
    """
    gw, gh = grid
    design = Image.new("RGBA", grid, (0, 0, 0, 0))
    satin = Image.new("L", grid, 0)
    pick = colours[:]
    rng.shuffle(pick)
    role = [pick[i % len(pick)] for i in range(8)]

    margin = max(2, gh // 40)
    band = _UNIT + 4
    unit_fn = rng.choice(_BAND_UNITS)
    pairs = [(role[1], role[2], role[3]), (role[2], role[3], role[1])]
    corner = Image.new("RGBA", (band, band), (0, 0, 0, 0))
    ImageDraw.Draw(corner).rectangle((0, 0, band - 1, band - 1), outline=role[0])
    corner.alpha_composite(_unit_image(_unit_star, (role[4], role[0], role[2])), (2, 2))
    outer = (margin, margin, gw - margin, gh - margin)
    _frame(design, outer, lambda n: _main_strip(n, unit_fn, role[0], pairs), corner)

    inner = (outer[0] + band + 1, outer[1] + band + 1, outer[2] - band - 1, outer[3] - band - 1)
    small = Image.new("RGBA", (5, 5), (0, 0, 0, 0))
    for dx, dy in ((2, 0), (0, 2), (4, 2), (2, 4), (2, 2)):
        small.putpixel((dx, dy), (*role[4], 255))
    _frame(design, inner, lambda n: _zigzag_strip(n, role[5], role[6]), small)

    fx0, fy0, fx1, fy1 = inner[0] + 6, inner[1] + 6, inner[2] - 6, inner[3] - 6
    side = min(fx1 - fx0, fy1 - fy0)
    cells = max(8, (side + 1) // 2)
    medallion = _medallion(motif, cells, [role[(i + 2) % 8] for i in range(5)], rng)
    mx = (gw - medallion.width) // 2
    my = (gh - medallion.height) // 2
    design.alpha_composite(medallion, (mx, my))
    satin.paste(255, (mx, my), medallion.getchannel("A"))

    # Side rosettes fill the extra width of a landscape cloth (or height of a portrait one).
    rosette_fn = rng.choice([fn for fn in _BAND_UNITS if fn is not unit_fn])
    rosette = _unit_image(rosette_fn, (role[3], role[4], role[1]))
    spare_x = (fx1 - fx0 - medallion.width) // 2
    spare_y = (fy1 - fy0 - medallion.height) // 2
    for spare, horizontal in ((spare_x, True), (spare_y, False)):
        scale = min(3, spare // (_UNIT + 4))
        if scale < 1:
            continue
        big = rosette.resize((_UNIT * scale, _UNIT * scale), Image.Resampling.NEAREST)
        along = (fy1 - fy0) if horizontal else (fx1 - fx0)
        count = max(1, along // (big.width + 6))
        gap = (along - count * big.width) // (count + 1)
        for i in range(count):
            pos = gap + i * (big.width + gap)
            if horizontal:
                y = fy0 + pos
                offset = (spare - big.width) // 2
                spots = ((fx0 + offset, y), (fx1 - offset - big.width, y))
            else:
                x = fx0 + pos
                offset = (spare - big.height) // 2
                spots = ((x, fy0 + offset), (x, fy1 - offset - big.height))
            for spot in spots:
                design.alpha_composite(big, spot)
    return design, satin


def _stitch_sprites(cell: int, rng: random.Random) -> tuple[list[Image.Image], list[Image.Image]]:
    """Return (satin, cross) stitch sprite variants as 'LA' images of one cell.

    L is the thread's brightness (a highlight along the crown of each strand, darker edges),
    A its coverage (cloth shows between stitches). Drawn 4x oversampled, then reduced, so
    strokes are soft-edged like thread rather than aliased lines.
    """
    ss = 4
    size = cell * ss

    def reduce(shade: Image.Image, cover: Image.Image) -> Image.Image:
        la = Image.merge("LA", (shade, cover))
        return la.resize((cell, cell), Image.Resampling.BOX)

    satin: list[Image.Image] = []
    for _ in range(4):
        shade = Image.new("L", (size, size), 0)
        cover = Image.new("L", (size, size), 0)
        ds, dc = ImageDraw.Draw(shade), ImageDraw.Draw(cover)
        period = size / 3
        jitter = rng.uniform(-0.08, 0.08) * period
        wide, narrow = max(2, round(period * 0.8)), max(1, round(period * 0.28))
        for k in range(-2, 5):
            x0 = k * period + jitter
            seg = [(x0, size - 1), (x0 + size * 0.55, 0)]
            dc.line(seg, fill=255, width=wide)
            ds.line(seg, fill=165, width=wide)
            ds.line(seg, fill=255, width=narrow)
        satin.append(reduce(shade, cover))

    cross: list[Image.Image] = []
    for _ in range(4):
        shade = Image.new("L", (size, size), 0)
        cover = Image.new("L", (size, size), 0)
        ds, dc = ImageDraw.Draw(shade), ImageDraw.Draw(cover)
        inset = size * rng.uniform(0.06, 0.12)
        wide, narrow = max(2, round(size * 0.3)), max(1, round(size * 0.1))
        under = [(inset, inset), (size - inset, size - inset)]
        over = [(inset, size - inset), (size - inset, inset)]
        for seg, base in ((under, 120), (over, 175)):
            dc.line(seg, fill=255, width=wide)
            ds.line(seg, fill=base, width=wide)
            ds.line(seg, fill=255, width=narrow)
        cross.append(reduce(shade, cover))
    return satin, cross


def _tile(sprites: Sequence[Image.Image], size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Cover ``size`` with randomly chosen sprite variants, in a few hundred pastes.

    A handful of random row strips are built once and reused with random horizontal offsets:
    irregular enough to avoid a visible repeat, cheap enough for the time budget.
    """
    w, h = size
    tw, th = sprites[0].size
    mode = sprites[0].mode
    spare = 4
    strips = []
    for _ in range(5):
        strip = Image.new(mode, (w + spare * tw, th))
        for x in range(0, strip.width, tw):
            strip.paste(rng.choice(sprites), (x, 0))
        strips.append(strip)
    out = Image.new(mode, (w, h))
    for y in range(0, h, th):
        out.paste(rng.choice(strips), (-tw * rng.randrange(spare), y))
    return out


def _noise(size: tuple[int, int], rng: random.Random, lo: int, hi: int) -> Image.Image:
    """Seeded uniform noise in [lo, hi]. (Image.effect_noise cannot be seeded.)"""
    img = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    span = hi - lo
    return img.point([lo + v * span // 255 for v in range(256)])


def _cloth(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Hand-woven indigo cloth: twill weave, thread noise, slub streaks, uneven dyeing."""
    w, h = size
    weave_tile = Image.new("L", (4, 4))
    weave_tile.putdata([255 if (x - y) % 4 < 2 else 60 for y in range(4) for x in range(4)])
    weave = _tile([weave_tile], size, rng)
    grain = _noise(size, rng, 0, 255)
    rows = _noise((1, h), rng, 40, 215).resize(size, Image.Resampling.NEAREST)
    cols = _noise((w, 1), rng, 40, 215).resize(size, Image.Resampling.NEAREST)
    mottle = _noise((max(2, w // 90), max(2, h // 90)), rng, 0, 255).resize(
        size, Image.Resampling.BICUBIC
    )
    mask = Image.blend(Image.blend(weave, grain, 0.45), Image.blend(rows, cols, 0.5), 0.3)
    mask = Image.blend(mask, mottle, 0.25)
    dark = Image.new("RGB", size, (7, 8, 16))
    light = Image.new("RGB", size, (38, 42, 78))
    return Image.composite(light, dark, mask)


def _render_pattern(
    size: tuple[int, int], motif: str, colours: list[RGB], seed: int
) -> Image.Image:
    w, h = size
    rng = random.Random(f"pattern:{motif}:{seed}")
    cell = max(3, round(min(w, h) / _GRID_CELLS))
    grid = (math.ceil(w / cell), math.ceil(h / cell))
    design, satin_mask = _design(grid, motif, colours, rng)

    def up(img: Image.Image) -> Image.Image:
        big = img.resize((grid[0] * cell, grid[1] * cell), Image.Resampling.NEAREST)
        return big.crop((0, 0, w, h))

    design_up, kind = up(design), up(satin_mask)
    satin_sprites, cross_sprites = _stitch_sprites(cell, rng)
    satin_la = _tile(satin_sprites, size, rng)
    cross_la = _tile(cross_sprites, size, rng)
    shade = Image.composite(satin_la.getchannel("L"), cross_la.getchannel("L"), kind)
    cover = Image.composite(satin_la.getchannel("A"), cross_la.getchannel("A"), kind)
    # Each stitch gets a slightly different brightness, as silk catches light unevenly.
    shade = ImageChops.multiply(shade, up(_noise(grid, rng, 205, 255)))
    threads = ImageChops.multiply(design_up.convert("RGB"), Image.merge("RGB", (shade,) * 3))
    alpha = ImageChops.multiply(design_up.getchannel("A"), cover)

    cloth = _cloth(size, rng)
    # Raised thread casts a faint shadow down-right onto the cloth.
    shadow = ImageChops.offset(alpha, max(1, cell // 6), max(1, cell // 4)).point(
        [v * 3 // 5 for v in range(256)]
    )
    cloth = Image.composite(Image.new("RGB", size, (3, 3, 8)), cloth, shadow)
    out = Image.composite(threads, cloth, alpha)
    # Soft vignette: photographed on a table under a single light, not a flat scan.
    vignette = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    vignette = vignette.point([255 - v * 70 // 255 for v in range(256)])
    return ImageChops.multiply(out, Image.merge("RGB", (vignette,) * 3))


def _exif(motif: str, seed: int) -> Image.Exif:
    """Seeded camera EXIF: a fieldwork camera and a date between 2016 and 2023."""
    rng = random.Random(f"exif:{seed}")
    make, model = rng.choice(_CAMERAS)
    taken = dt.datetime(2016, 4, 1, 9, 0, 0) + dt.timedelta(
        days=rng.randrange(7 * 365), seconds=rng.randrange(8 * 3600)
    )
    return camera_exif(
        make, model, taken=taken, description=f"{PROVENANCE} (embroidery motif: {motif})"
    )


def pattern(
    path: Path,
    *,
    motif: str,
    palette: list[str],
    seed: int,
    size: tuple[int, int] = (2000, 1500),
) -> Path:
    """Write a photograph-like image of Miao embroidery and return ``path``.

    Why it looks like this: the demo has to exercise thumbnails, deep zoom and colour
    handling on images that behave like real textile photographs - fine thread texture at
    100 % zoom, a large dark background, saturated thread colours - rather than flat vector
    art. The design is laid out on a thread grid (counted-thread work is charted cell by cell),
    each cell is then rendered as a satin or cross stitch over a woven indigo ground.

    ``motif`` selects the central medallion (see :data:`MOTIFS`); ``palette`` are thread
    colours as hex strings; the same ``seed`` always yields the same image. The format comes
    from the suffix; JPEG (quality 88), PNG and WebP carry camera EXIF.
    """
    if motif not in _MOTIF_DRAWERS:
        raise ValueError(f"Unknown motif {motif!r}; choose from {', '.join(MOTIFS)}")
    w, h = size
    if w < 160 or h < 120:
        raise ValueError(f"Image size {size} is too small for a legible pattern (min 160x120)")
    colours = [_hex_to_rgb(c) for c in palette or _DEFAULT_PALETTE]
    image = _render_pattern((w, h), motif, colours, seed)
    return save(image, path, quality=88, exif=_exif(motif, seed))
