"""What a file really is, from its bytes, never from its name.

Only formats recognised here ever reach ffmpeg or libvips, and ffmpeg is then told which
demuxer to use, so a playlist, concat list or other file that makes ffmpeg open further
files is refused before any decoder sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import MediaError


@dataclass(frozen=True)
class Sniffed:
    kind: str  # image | audio | video (audio/video decided later by the streams)
    content_type: str
    #: For ffmpeg: the demuxer to force; for images: the libvips loader family.
    format: str
    extension: str


def sniff(path: Path) -> Sniffed:
    with open(path, "rb") as fh:
        head = fh.read(64)
    if not head:
        raise MediaError(_("The file is empty (0 bytes)."))
    if head[:3] == b"\xff\xd8\xff":
        return Sniffed("image", "image/jpeg", "jpeg", ".jpg")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return Sniffed("image", "image/png", "png", ".png")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Sniffed("image", "image/tiff", "tiff", ".tif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp", "webp", ".webp")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
            ct = "image/avif" if brand == b"avif" else "image/heic"
            return Sniffed("image", ct, "heif", ".heic" if brand != b"avif" else ".avif")
        if brand in (b"M4A ", b"M4B "):
            return Sniffed("audio", "audio/mp4", "mov", ".m4a")
        if brand == b"qt  ":
            return Sniffed("video", "video/quicktime", "mov", ".mov")
        return Sniffed("video", "video/mp4", "mov", ".mp4")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", "wav", ".wav")
    if head[:4] == b"RF64" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", "wav", ".wav")
    if head[:4] == b"fLaC":
        return Sniffed("audio", "audio/flac", "flac", ".flac")
    if head[:4] == b"OggS":
        return Sniffed("audio", "audio/ogg", "ogg", ".ogg")
    if head[:3] == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return Sniffed("audio", "audio/mpeg", "mp3", ".mp3")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Sniffed("video", "video/x-matroska", "matroska", ".mkv")
    text = head.lstrip().lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html", b"#extm3u", b"ffconcat")):
        raise MediaError(
            _("This is a text, markup or playlist file, not an image, audio or video file.")
        )
    raise MediaError(_("Not a recognised image, audio or video format."))
