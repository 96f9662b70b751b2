"""Derivative specifications: formats and sizes are data, read by the steps in ``steps.py``.

ffmpeg options are given as ffmpeg-python output keyword arguments (``{"c:a": "aac"}`` is
``-c:a aac``), so a spec never holds a command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ImageSpec:
    """An image rendition. ``width`` is a bound: an image is never enlarged."""

    name: str
    width: int
    format: str  # webp | avif | jpeg
    quality: int

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg"}.get(self.format, self.format)

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"


@dataclass(frozen=True)
class AudioSpec:
    name: str
    extension: str
    content_type: str
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class VideoSpec:
    name: str
    #: A bound on the height: a video is never enlarged.
    height: int
    options: Mapping[str, object] = field(default_factory=dict)
    extension: str = "mp4"
    content_type: str = "video/mp4"

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        """The size this rendition of a ``width``×``height`` video has: ffmpeg's
        ``scale=-2:min(height,ih)`` (aspect kept, width rounded to an even number)."""
        h = min(self.height, height)
        return max(2, round(h * width / (height * 2)) * 2), h


#: Image renditions. GPS and other metadata are stripped; colours converted to sRGB;
#: orientation applied.
IMAGE_SPECS: tuple[ImageSpec, ...] = (
    ImageSpec("thumb", 400, "webp", 70),
    ImageSpec("web-webp", 1200, "webp", 75),
    ImageSpec("web-avif", 1200, "avif", 50),
    ImageSpec("web-jpeg", 1200, "jpeg", 80),
)

#: Audio renditions: speech-grade Opus for weak links, AAC for every player.
AUDIO_SPECS: tuple[AudioSpec, ...] = (
    AudioSpec(
        "opus",
        "ogg",
        "audio/ogg",
        MappingProxyType({"c:a": "libopus", "b:a": "24k", "ac": 1, "application": "voip"}),
    ),
    AudioSpec(
        "aac",
        "m4a",
        "audio/mp4",
        MappingProxyType({"c:a": "aac", "b:a": "64k", "ac": 2, "movflags": "+faststart"}),
    ),
)
#: Peaks are read from 8 kHz mono PCM: ample for 800 buckets, cheap for a two-hour file.
PEAKS_RATE = 8000
PEAKS_BUCKETS = 800
#: EBU R128 loudness so quiet field recordings and loud festival songs play alike.
LOUDNORM = {"I": -16, "TP": -1.5, "LRA": 11}

#: Video renditions: phone resolution, and a low-bandwidth one.
VIDEO_SPECS: tuple[VideoSpec, ...] = (
    VideoSpec(
        "mp4-480",
        480,
        MappingProxyType(
            {"c:v": "libx264", "preset": "veryfast", "crf": 26, "c:a": "aac", "b:a": "96k"}
        ),
    ),
    VideoSpec(
        "mp4-240",
        240,
        MappingProxyType(
            {"c:v": "libx264", "preset": "veryfast", "crf": 32, "c:a": "aac", "b:a": "48k", "ac": 1}
        ),
    ),
)
#: The still shown before a video plays; thumbnails and web sizes are made from it.
POSTER_HEIGHT = 480
