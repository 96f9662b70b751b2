"""Technical metadata from ffprobe and libvips, with the pixel and duration limits applied."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyvips
from django.utils.translation import gettext as _

from .errors import MediaError
from .sniff import Sniffed, sniff

#: Largest image accepted, in pixels (400 megapixels: big flatbed scans of whole garments).
MAX_PIXELS = 400_000_000
#: Longest recording accepted, in seconds.
MAX_DURATION = 3 * 3600
_EXIF_FIELDS = {
    "exif-ifd0-Make": "camera_make",
    "exif-ifd0-Model": "camera_model",
    "exif-ifd2-DateTimeOriginal": "captured_at",
    "exif-ifd0-Orientation": "orientation",
}


def probe_image(path: Path, *, max_pixels: int = MAX_PIXELS) -> dict:
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="truncated")
    except pyvips.Error as exc:
        raise MediaError(
            _("The image cannot be read: %(err)s") % {"err": _first_line(exc)}
        ) from exc
    width, height = image.width, image.height
    if width * height > max_pixels:
        raise MediaError(
            _("The image is %(w)d × %(h)d pixels, over the limit of %(max)d megapixels.")
            % {"w": width, "h": height, "max": max_pixels // 1_000_000}
        )
    orientation = image.get("orientation") if image.get_typeof("orientation") else 1
    info = {
        "width": width,
        "height": height,
        #: As shown: EXIF orientations 5–8 turn the picture a quarter.
        "display_width": height if orientation in (5, 6, 7, 8) else width,
        "display_height": width if orientation in (5, 6, 7, 8) else height,
        "bands": image.bands,
        "interpretation": str(image.interpretation),
        "has_icc_profile": image.get_typeof("icc-profile-data") != 0,
        "pages": image.get("n-pages") if image.get_typeof("n-pages") else 1,
    }
    exif = {}
    fields = set(image.get_fields())
    for field, key in _EXIF_FIELDS.items():
        if field in fields:
            exif[key] = str(image.get(field)).split(" (")[0]
    gps = [f for f in fields if f.startswith("exif-ifd3-")]
    info["exif"] = exif
    #: GPS is recorded as present in the original; it never reaches a public derivative.
    info["has_gps"] = bool(gps)
    # Decoding the whole image proves it is not truncated before anything is stored for it.
    try:
        image.avg()
    except pyvips.Error as exc:
        raise MediaError(
            _("The image is damaged or truncated: %(err)s") % {"err": _first_line(exc)}
        ) from exc
    return info


def probe_av(path: Path, sniffed: Sniffed, *, max_duration: float = MAX_DURATION) -> dict:
    cmd = [
        "ffprobe",
        "-v",
        "error",
        "-hide_banner",
        "-protocol_whitelist",
        "file",
        "-f",
        sniffed.format,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if result.returncode != 0:
        err = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MediaError(
            _("The media file cannot be read: %(err)s") % {"err": (err or ["unknown error"])[-1]}
        )
    data = json.loads(result.stdout or b"{}")
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    duration = float(fmt.get("duration") or 0)
    if not audio and not video:
        raise MediaError(_("The file holds no audio or video stream."))
    if duration <= 0.05:
        raise MediaError(_("The recording is empty (0 seconds long)."))
    if duration > max_duration:
        raise MediaError(
            _("The recording is %(m)d minutes long, over the limit of %(max)d minutes.")
            % {"m": duration // 60, "max": max_duration // 60}
        )
    info: dict = {"duration": round(duration, 3), "format": fmt.get("format_name")}
    if audio:
        a = audio[0]
        info["audio"] = {
            "codec": a.get("codec_name"),
            "sample_rate": int(a.get("sample_rate") or 0),
            "channels": a.get("channels"),
        }
    if video:
        v = video[0]
        info["video"] = {
            "codec": v.get("codec_name"),
            "width": v.get("width"),
            "height": v.get("height"),
        }
        info["width"], info["height"] = v.get("width"), v.get("height")
    info["kind"] = "video" if video else "audio"
    return info


def _first_line(exc: Exception) -> str:
    lines = [x for x in str(exc).splitlines() if x.strip()]
    return lines[-1][:200] if lines else type(exc).__name__


@dataclass(frozen=True)
class Identified:
    """What a file is, read from its bytes and its streams, within the limits."""

    kind: str  # image | audio | video
    content_type: str
    extension: str
    probe: dict


def identify(
    path: Path, *, max_pixels: int = MAX_PIXELS, max_duration: float = MAX_DURATION
) -> Identified:
    """Sniff and probe ``path``, or raise a MediaError saying why it is refused."""
    sniffed = sniff(path)
    if sniffed.kind == "image":
        info = probe_image(path, max_pixels=max_pixels)
        return Identified("image", sniffed.content_type, sniffed.extension, info)
    info = probe_av(path, sniffed, max_duration=max_duration)
    kind = info.pop("kind")
    content_type = sniffed.content_type
    if kind == "audio" and content_type.startswith("video/"):
        content_type = "audio/mp4"
    return Identified(kind, content_type, sniffed.extension, info)
