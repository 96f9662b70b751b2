"""Files that look like media and are not: what the ingest tests must see refused."""

from __future__ import annotations

import struct
import tempfile
import zlib
from pathlib import Path

from ._tools import atomic_output, ffmpeg


def truncated(good: Path, path: Path, keep: float | int = 0.5) -> Path:
    """The first part of ``good`` written to ``path``: ``keep`` bytes, or that fraction of it.

    An upload cut off by a dropped connection looks exactly like this.
    """
    data = Path(good).read_bytes()
    size = keep if isinstance(keep, int) else int(len(data) * keep)
    Path(path).write_bytes(data[:size])
    return Path(path)


def png_claiming_size(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    return Path(path)


def subtitles_only(path: Path) -> Path:
    """A valid MP4 (name it .m4a or .mp4) that holds only a subtitle track: no sound, no picture."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="mediamaker-") as work:
        srt = Path(work) / "s.srt"
        srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
        with atomic_output(path) as tmp:
            ffmpeg(
                "-i",
                str(srt),
                "-c:s",
                "mov_text",
                "-f",
                "mp4",
                str(tmp),
                what="ffmpeg (subtitle-only MP4)",
            )
    return path
