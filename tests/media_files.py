"""Media files the tests make on the spot (nothing binary is committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyvips


def make_jpeg(path: Path, width: int = 640, height: int = 480) -> Path:
    image = pyvips.Image.xyz(width, height).extract_band(0).cast("uchar")
    image.bandjoin([image, image]).jpegsave(str(path), Q=85)
    return path


def make_wav(path: Path, seconds: float = 2.0) -> Path:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
         f"sine=frequency=440:duration={seconds}", "-ac", "1", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path
