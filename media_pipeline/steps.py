"""Derivative steps.

Each step makes files in a private temp folder; only a complete file is saved to storage,
and only then recorded, so a killed worker leaves nothing half-made visible and a later run
simply makes it again. Audio is decoded once: one ffmpeg run feeds every audio output.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import MediaError
from .ingest import copy_to_temp
from .models import Derivative, MediaAsset, MediaKind
from .specs import (
    AUDIO_SPECS,
    IMAGE_SPECS,
    LOUDNORM,
    PEAKS_BUCKETS,
    PEAKS_RATE,
    VIDEO_SPECS,
)

log = logging.getLogger(__name__)
FFMPEG_TIMEOUT = 6 * 3600
WAVEFORM_SIZE = (1200, 160)
WAVEFORM_COLOUR = (138, 43, 31)
Progress = Callable[[int], None]


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
            storage = old.file.storage
            old.delete()
            transaction.on_commit(lambda: storage.delete(old_file))
        d.save()
    return d


def _save_image(image, out: Path, fmt: str, quality: int) -> None:
    import pyvips

    from .iiif_derivatives import scrub

    image = scrub(image)
    if fmt == "jpeg":
        save, kwargs = image.jpegsave, {"Q": quality, "optimize_coding": True}
    elif fmt == "avif":
        save, kwargs = image.heifsave, {"Q": quality, "compression": "av1", "effort": 2}
    else:
        save, kwargs = image.webpsave, {"Q": quality}
    try:
        save(str(out), keep="none", **kwargs)  # libvips >= 8.15
    except pyvips.Error:
        save(str(out), strip=True, **kwargs)  # libvips 8.14: strip all metadata, GPS too


def image_derivatives(asset: MediaAsset, src: Path, workdir: Path, progress: Progress) -> None:
    import pyvips

    from .iiif_derivatives import make_pyramid, make_tiles_zip

    steps = len(IMAGE_SPECS) + 2
    for n, spec in enumerate(IMAGE_SPECS):
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
        ext = {"jpeg": "jpg"}.get(spec["format"], spec["format"])
        out = workdir / f"{spec['name']}.{ext}"
        _save_image(image, out, spec["format"], spec["quality"])
        save_derivative(
            asset, spec["name"], out, f"image/{spec['format']}", width=image.width,
            height=image.height,
        )  # fmt: skip
        progress(10 + 80 * (n + 1) // steps)
    probe = asset.original.probe
    # Pyramid and tiles are made after autorotation: record the size as shown.
    width = probe.get("display_width", probe.get("width"))
    height = probe.get("display_height", probe.get("height"))
    try:
        pyramid = make_pyramid(src, workdir / "pyramid.tif")
        save_derivative(asset, "pyramid", pyramid, "image/tiff", width=width, height=height)
        progress(10 + 80 * (steps - 1) // steps)
        tiles = make_tiles_zip(src, workdir / "tiles.zip")
        save_derivative(asset, "tiles", tiles, "application/zip", width=width, height=height)
    except pyvips.Error as exc:
        raise MediaError(_("The image cannot be tiled: it may be damaged.")) from exc


def audio_derivatives(asset: MediaAsset, src: Path, workdir: Path, progress: Progress) -> float:
    """Speech-grade Opus, AAC, waveform PNG and peaks from one decode of the original."""
    outs = [workdir / f"{spec['name']}.{spec['ext']}" for spec in AUDIO_SPECS]
    pcm, png = workdir / "peaks.pcm", workdir / "waveform.png"
    n = len(AUDIO_SPECS)
    # The waveform PNG is drawn from the 8 kHz PCM afterwards, not by ffmpeg's showwavespic,
    # which holds the whole decoded signal in memory (~10 MB a minute: 2 GB for 3 hours).
    graph = (
        f"[0:a:0]asplit=2[norm][raw];[norm]{LOUDNORM},aresample=48000,"
        f"asplit={n}{''.join(f'[o{i}]' for i in range(n))};"
        f"[raw]aformat=sample_fmts=s16:channel_layouts=mono,aresample={PEAKS_RATE}[peaks]"
    )
    cmd = ["ffmpeg", *ffmpeg_input_args(src), "-filter_complex", graph, "-map_metadata", "-1"]
    for i, (spec, out) in enumerate(zip(AUDIO_SPECS, outs, strict=True)):
        cmd += ["-map", f"[o{i}]", *spec["args"], "-y", str(out)]
    cmd += ["-map", "[peaks]", "-f", "s16le", "-acodec", "pcm_s16le", "-y", str(pcm)]
    run(cmd)
    progress(70)
    for spec, out in zip(AUDIO_SPECS, outs, strict=True):
        save_derivative(asset, spec["name"], out, spec["content_type"])
    peaks, samples = read_peaks(pcm, PEAKS_BUCKETS)
    duration = samples / PEAKS_RATE
    peaks_path = workdir / "peaks.json"
    peaks_path.write_text(
        json.dumps(
            {
                "version": 2,
                "channels": 1,
                "sample_rate": PEAKS_RATE,
                "length": len(peaks),
                "duration": round(duration, 3),
                "data": peaks,
            }
        )  # fmt: skip
    )
    save_derivative(asset, "peaks", peaks_path, "application/json")
    draw_waveform(read_peaks(pcm, WAVEFORM_SIZE[0])[0], png)
    save_derivative(asset, "waveform", png, "image/png", width=WAVEFORM_SIZE[0],
                    height=WAVEFORM_SIZE[1])  # fmt: skip
    return duration


def draw_waveform(peaks: list[float], out: Path) -> Path:
    """A mirrored bar per pixel column, square-root scaled so quiet speech stays visible."""
    from PIL import Image, ImageDraw

    width, height = WAVEFORM_SIZE
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    middle = height / 2
    for x, peak in enumerate(peaks[:width]):
        half = max(1.0, (peak**0.5) * (middle - 1))
        draw.line([(x, middle - half), (x, middle + half)], fill=WAVEFORM_COLOUR)
    image.save(out, optimize=True)
    return out


def read_peaks(pcm: Path, buckets: int) -> tuple[list[float], int]:
    """Largest absolute amplitude per bucket (0..1, rounded) from raw s16 PCM, streamed."""
    total = pcm.stat().st_size // 2
    if total == 0:
        return [], 0
    buckets = min(buckets, total)
    per = total / buckets
    out: list[float] = []
    with open(pcm, "rb") as fh:
        for i in range(buckets):
            count = int((i + 1) * per) - int(i * per)
            chunk = array("h")
            chunk.frombytes(fh.read(count * 2))
            if not chunk:
                out.append(0.0)
                continue
            out.append(round(max(max(chunk), -min(chunk)) / 32768, 3))
    return out, total


def video_derivatives(asset: MediaAsset, src: Path, workdir: Path, info: dict,
                      progress: Progress) -> None:  # fmt: skip
    for n, spec in enumerate(VIDEO_SPECS):
        out = workdir / f"{spec['name']}.mp4"
        run(["ffmpeg", *ffmpeg_input_args(src), "-map_metadata", "-1",
             "-vf", f"scale=-2:'min({spec['height']},ih)'", "-pix_fmt", "yuv420p",
             *spec["args"], "-movflags", "+faststart", "-y", str(out)])  # fmt: skip
        save_derivative(asset, spec["name"], out, "video/mp4")
        progress(10 + 50 * (n + 1) // len(VIDEO_SPECS))
    poster = workdir / "poster.jpg"
    at = min(1.0, float(info.get("duration", 0)) / 2)
    run(["ffmpeg", "-ss", f"{at:.2f}", *ffmpeg_input_args(src), "-frames:v", "1",
         "-vf", "scale=-2:'min(480,ih)'", "-q:v", "4", "-y", str(poster)])  # fmt: skip
    save_derivative(asset, "poster", poster, "image/jpeg")
    # The poster is an image like any other: thumbnails and web sizes come from it.
    for spec in IMAGE_SPECS:
        import pyvips

        image = pyvips.Image.thumbnail(str(poster), spec["width"], size="down")
        ext = {"jpeg": "jpg"}.get(spec["format"], spec["format"])
        out = workdir / f"{spec['name']}.{ext}"
        _save_image(image, out, spec["format"], spec["quality"])
        save_derivative(asset, spec["name"], out, f"image/{spec['format']}", width=image.width,
                        height=image.height)  # fmt: skip


def build_derivatives(asset: MediaAsset, progress: Progress = lambda p: None) -> None:
    """Make every derivative of ``asset`` from its original."""
    original = asset.original
    workdir = Path(tempfile.mkdtemp(prefix="mha-deriv-"))
    try:
        try:
            src = copy_to_temp(original, workdir)
        except FileNotFoundError as exc:
            raise MediaError(_("The original file is missing from storage.")) from exc
        if original.kind == MediaKind.IMAGE:
            image_derivatives(asset, src, workdir, progress)
        elif original.kind == MediaKind.AUDIO:
            audio_derivatives(asset, src, workdir, progress)
        elif original.kind == MediaKind.VIDEO:
            video_derivatives(asset, src, workdir, original.probe, progress)
            if original.probe.get("audio"):
                audio_derivatives(asset, src, workdir, progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
