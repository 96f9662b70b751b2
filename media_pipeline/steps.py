"""Derivative steps. Each makes files in a private temp folder; only a complete file is
saved to storage and only then recorded, so a killed worker leaves nothing half-made visible
and a later run simply makes it again."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from array import array
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import MediaError
from .ingest import copy_to_temp
from .models import Derivative, MediaAsset, MediaKind
from .specs import AUDIO_SPECS, IMAGE_SPECS, LOUDNORM, PEAKS_BUCKETS, VIDEO_SPECS

log = logging.getLogger(__name__)
FFMPEG_TIMEOUT = 6 * 3600


def ffmpeg_input_args(path: Path) -> list[str]:
    # Only local files; never a protocol or a list that names other files.
    return ["-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file",
            "-i", str(path)]  # fmt: skip


def run(cmd: list[str], *, timeout: float = FFMPEG_TIMEOUT) -> bytes:
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise MediaError(_("%(tool)s is not installed on the server.") % {"tool": cmd[0]}) from exc
    except subprocess.TimeoutExpired as exc:
        raise MediaError(_("%(tool)s took too long and was stopped.") % {"tool": cmd[0]}) from exc
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MediaError(
            _("%(tool)s failed: %(err)s") % {"tool": cmd[0], "err": (lines or ["?"])[-1][:300]}
        )
    return result.stdout


def save_derivative(
    asset: MediaAsset, name: str, path: Path, content_type: str, **dims
) -> Derivative:
    ext = path.suffix
    with open(path, "rb") as fh, transaction.atomic():
        old = Derivative.objects.filter(asset=asset, name=name).first()
        d = Derivative(asset=asset, name=name, content_type=content_type, size=path.stat().st_size,
                       **dims)  # fmt: skip
        d.file.save(f"{asset.pk}/{name}{ext}", File(fh), save=False)
        if old is not None:
            old_file = old.file.name
            old.delete()
            transaction.on_commit(lambda: old.file.storage.delete(old_file))
        d.save()
    return d


def image_derivatives(asset: MediaAsset, src: Path, workdir: Path) -> None:
    import pyvips

    for spec in IMAGE_SPECS:
        # thumbnail() shrinks on load (fast, low memory), applies EXIF orientation and
        # converts to sRGB; size="down" never enlarges.
        try:
            image = pyvips.Image.thumbnail(
                str(src), spec["width"], height=spec["width"] * 4, size="down",
                export_profile="srgb",
            )  # fmt: skip
        except pyvips.Error as exc:
            raise MediaError(_("The image cannot be decoded.")) from exc
        if image.hasalpha() and spec["format"] == "jpeg":
            image = image.flatten(background=[255, 255, 255])
        out = workdir / f"{spec['name']}.{'jpg' if spec['format'] == 'jpeg' else spec['format']}"
        save = image.jpegsave if spec["format"] == "jpeg" else image.webpsave
        kwargs = {"Q": spec["quality"]}
        try:
            save(str(out), keep="none", **kwargs)  # libvips >= 8.15
        except pyvips.Error:
            save(str(out), strip=True, **kwargs)  # older libvips: strip all metadata, GPS too
        save_derivative(
            asset, spec["name"], out, f"image/{spec['format']}", width=image.width,
            height=image.height,
        )  # fmt: skip


def audio_derivatives(asset: MediaAsset, src: Path, workdir: Path, has_video: bool) -> float:
    for spec in AUDIO_SPECS:
        out = workdir / f"{spec['name']}.{spec['ext']}"
        run(["ffmpeg", *ffmpeg_input_args(src), "-vn", "-map_metadata", "-1", "-af", LOUDNORM,
             *spec["args"], "-y", str(out)])  # fmt: skip
        save_derivative(asset, spec["name"], out, spec["content_type"])
    pcm = run(["ffmpeg", *ffmpeg_input_args(src), "-vn", "-ac", "1", "-ar", "8000",
               "-f", "s16le", "-acodec", "pcm_s16le", "-"])  # fmt: skip
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    peaks = compute_peaks(samples, PEAKS_BUCKETS)
    duration = len(samples) / 8000
    peaks_path = workdir / "peaks.json"
    peaks_path.write_text(
        json.dumps(
            {
                "version": 2,
                "channels": 1,
                "sample_rate": 8000,
                "length": len(peaks),
                "duration": round(duration, 3),
                "data": peaks,
            }
        )  # fmt: skip
    )
    save_derivative(asset, "peaks", peaks_path, "application/json")
    png = workdir / "waveform.png"
    wave = "aformat=channel_layouts=mono,showwavespic=s=1200x160:scale=sqrt:colors=0x8a2b1f"
    run(["ffmpeg", *ffmpeg_input_args(src), "-filter_complex", wave, "-frames:v", "1",
         "-y", str(png)])  # fmt: skip
    save_derivative(asset, "waveform", png, "image/png", width=1200, height=160)
    return duration


def compute_peaks(samples: array, buckets: int) -> list[float]:
    """Largest absolute amplitude per bucket, 0..1, rounded: small JSON for the player."""
    n = len(samples)
    if n == 0:
        return []
    buckets = min(buckets, n)
    step = n / buckets
    out = []
    for i in range(buckets):
        chunk = samples[int(i * step) : int((i + 1) * step)] or samples[int(i * step) :][:1]
        peak = max(max(chunk), -min(chunk)) / 32768
        out.append(round(peak, 3))
    return out


def video_derivatives(asset: MediaAsset, src: Path, workdir: Path, info: dict) -> None:
    for spec in VIDEO_SPECS:
        out = workdir / f"{spec['name']}.mp4"
        run(["ffmpeg", *ffmpeg_input_args(src), "-map_metadata", "-1",
             "-vf", f"scale=-2:'min({spec['height']},ih)'", "-pix_fmt", "yuv420p",
             *spec["args"], "-movflags", "+faststart", "-y", str(out)])  # fmt: skip
        save_derivative(asset, spec["name"], out, "video/mp4")
    poster = workdir / "poster.jpg"
    at = min(1.0, float(info.get("duration", 0)) / 2)
    run(["ffmpeg", "-ss", f"{at:.2f}", *ffmpeg_input_args(src), "-frames:v", "1",
         "-vf", "scale=-2:'min(480,ih)'", "-q:v", "4", "-y", str(poster)])  # fmt: skip
    save_derivative(asset, "poster", poster, "image/jpeg")
    # The poster is an image like any other: thumbnails come from it.
    image_derivatives(asset, poster, workdir)


def build_derivatives(asset: MediaAsset) -> None:
    """Make every derivative of ``asset`` from its original."""
    original = asset.original
    workdir = Path(tempfile.mkdtemp(prefix="mha-deriv-"))
    src = copy_to_temp(original)
    try:
        if original.kind == MediaKind.IMAGE:
            image_derivatives(asset, src, workdir)
        elif original.kind == MediaKind.AUDIO:
            audio_derivatives(asset, src, workdir, has_video=False)
        elif original.kind == MediaKind.VIDEO:
            video_derivatives(asset, src, workdir, original.probe)
            if original.probe.get("audio"):
                audio_derivatives(asset, src, workdir, has_video=True)
    finally:
        src.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
