"""Derivative steps: from a local original to finished files in a work folder.

Each step takes paths and yields a ``Made`` for every complete file it wrote; it stores and
records nothing. The caller (the archive's ``assets`` app) saves each file as it arrives, so a
killed worker leaves nothing half-made visible and a later run simply makes it again. Audio
is decoded once: one ffmpeg run feeds every audio output. ffmpeg command lines are built as
ffmpeg-python graphs and run here with our own timeout, only local files allowed.
"""

from __future__ import annotations

import json
import subprocess
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import pyvips
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from .errors import MediaError
from .specs import (
    AUDIO_SPECS,
    IMAGE_SPECS,
    LOUDNORM,
    PEAKS_BUCKETS,
    PEAKS_RATE,
    POSTER_HEIGHT,
    VIDEO_SPECS,
    ImageSpec,
)
from .tiles import make_pyramid, make_tiles_zip, scrub

FFMPEG_TIMEOUT = 6 * 3600
WAVEFORM_SIZE = (1200, 160)
WAVEFORM_COLOUR = (138, 43, 31)
#: Every ffmpeg run: no terminal, quiet, and only local files (never a protocol, a playlist
#: or a concat list that names other files).
GLOBAL_ARGS = ("-nostdin", "-hide_banner", "-loglevel", "error")
INPUT_OPTIONS = {"protocol_whitelist": "file"}
#: Derivatives carry no metadata of the original: no tags, titles, comments or GPS.
STRIP = {"map_metadata": -1}
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Made:
    """A finished derivative file, ready to be stored under ``name``."""

    name: str
    path: Path
    content_type: str
    width: int | None = None
    height: int | None = None


def run(cmd: list[str], *, timeout: float = FFMPEG_TIMEOUT) -> bytes:
    """Run a compiled command line (an argument list, no shell); a failure is a MediaError."""
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


def compile_outputs(*outputs) -> list[str]:
    """One ffmpeg argument list for ffmpeg-python output nodes, with our global arguments."""
    return ffmpeg.merge_outputs(*outputs).global_args(*GLOBAL_ARGS).overwrite_output().compile()


def source(path: Path, **options):
    return ffmpeg.input(str(path), **INPUT_OPTIONS, **options)


# ------------------------------------------------------------------------------------ images


def image_renditions(
    src: Path, workdir: Path, specs: tuple[ImageSpec, ...] = IMAGE_SPECS, *, prefix: str = ""
) -> Iterator[Made]:
    """Each image spec from ``src``: oriented, sRGB, never enlarged, metadata removed."""
    for spec in specs:
        # thumbnail() shrinks on load (fast, low memory), applies EXIF orientation and
        # converts to sRGB; size="down" never enlarges.
        try:
            image = pyvips.Image.thumbnail(
                str(src), spec.width, height=spec.width * 4, size="down", export_profile="srgb"
            )
            if image.hasalpha() and spec.format == "jpeg":
                image = image.flatten(background=[255, 255, 255])
            out = workdir / f"{prefix}{spec.name}.{spec.extension}"
            save_image(image, out, spec.format, spec.quality)
        except pyvips.Error as exc:
            raise MediaError(_("The image cannot be decoded.")) from exc
        yield Made(spec.name, out, spec.content_type, image.width, image.height)


def save_image(image: pyvips.Image, out: Path, fmt: str, quality: int) -> None:
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


def image_derivatives(
    src: Path, workdir: Path, probe: dict, progress: Progress = lambda p: None
) -> Iterator[Made]:
    """Web renditions, then the IIIF pyramid and tiles zip, of an image original."""
    steps = len(IMAGE_SPECS) + 2
    for n, made in enumerate(image_renditions(src, workdir)):
        yield made
        progress(10 + 80 * (n + 1) // steps)
    # Pyramid and tiles are made after autorotation: record the size as shown.
    width = probe.get("display_width", probe.get("width"))
    height = probe.get("display_height", probe.get("height"))
    try:
        pyramid = make_pyramid(src, workdir / "pyramid.tif")
        yield Made("pyramid", pyramid, "image/tiff", width, height)
        progress(10 + 80 * (steps - 1) // steps)
        tiles = make_tiles_zip(src, workdir / "tiles.zip")
        yield Made("tiles", tiles, "application/zip", width, height)
    except pyvips.Error as exc:
        raise MediaError(_("The image cannot be tiled: it may be damaged.")) from exc


# ------------------------------------------------------------------------------------- audio


def audio_command(src: Path, workdir: Path) -> tuple[list[str], list[Path], Path]:
    """The one ffmpeg run for every audio output: (argument list, rendition paths, PCM path).

    The waveform is drawn from the 8 kHz PCM afterwards, not by ffmpeg's showwavespic, which
    holds the whole decoded signal in memory (~10 MB a minute: 2 GB for 3 hours).
    """
    outs = [workdir / f"{spec.name}.{spec.extension}" for spec in AUDIO_SPECS]
    pcm = workdir / "peaks.pcm"
    split = source(src)["a:0"].filter_multi_output("asplit", 2)
    norm, raw = split[0], split[1]
    levelled = norm.filter("loudnorm", **LOUDNORM).filter("aresample", 48000)
    copies = levelled.filter_multi_output("asplit", len(AUDIO_SPECS))
    outputs = [
        ffmpeg.output(copies[i], str(out), **spec.options, **STRIP)
        for i, (spec, out) in enumerate(zip(AUDIO_SPECS, outs, strict=True))
    ]
    peaks = raw.filter("aformat", sample_fmts="s16", channel_layouts="mono").filter(
        "aresample", PEAKS_RATE
    )
    outputs.append(ffmpeg.output(peaks, str(pcm), f="s16le", acodec="pcm_s16le", **STRIP))
    return compile_outputs(*outputs), outs, pcm


def audio_derivatives(
    src: Path, workdir: Path, progress: Progress = lambda p: None
) -> Iterator[Made]:
    """Speech-grade Opus, AAC, waveform PNG and peaks from one decode of the original."""
    cmd, outs, pcm = audio_command(src, workdir)
    run(cmd)
    progress(70)
    for spec, out in zip(AUDIO_SPECS, outs, strict=True):
        yield Made(spec.name, out, spec.content_type)
    peaks, samples = read_peaks(pcm, PEAKS_BUCKETS)
    peaks_path = workdir / "peaks.json"
    document = {
        "version": 2,
        "channels": 1,
        "sample_rate": PEAKS_RATE,
        "length": len(peaks),
        "duration": round(samples / PEAKS_RATE, 3),
        "data": peaks,
    }
    peaks_path.write_text(json.dumps(document))
    yield Made("peaks", peaks_path, "application/json")
    png = draw_waveform(read_peaks(pcm, WAVEFORM_SIZE[0])[0], workdir / "waveform.png")
    yield Made("waveform", png, "image/png", *WAVEFORM_SIZE)


def draw_waveform(peaks: list[float], out: Path) -> Path:
    """A mirrored bar per pixel column, square-root scaled so quiet speech stays visible."""
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


# ------------------------------------------------------------------------------------- video


def video_derivatives(
    src: Path, workdir: Path, probe: dict, progress: Progress = lambda p: None
) -> Iterator[Made]:
    """Phone-sized MP4s, a poster and the poster's image renditions; audio as for audio."""
    for n, spec in enumerate(VIDEO_SPECS):
        out = workdir / f"{spec.name}.{spec.extension}"
        original = source(src)
        # Keep in step with VideoSpec.output_size, which manifests use to give each size.
        video = original.video.filter("scale", -2, f"min({spec.height},ih)")
        run(
            compile_outputs(
                ffmpeg.output(
                    video,
                    original["a?"],
                    str(out),
                    pix_fmt="yuv420p",
                    movflags="+faststart",
                    **spec.options,
                    **STRIP,
                )
            )
        )
        yield Made(spec.name, out, spec.content_type)
        progress(10 + 50 * (n + 1) // len(VIDEO_SPECS))
    poster = workdir / "poster.jpg"
    at = min(1.0, float(probe.get("duration", 0)) / 2)
    frame = source(src, ss=f"{at:.2f}").video.filter("scale", -2, f"min({POSTER_HEIGHT},ih)")
    run(compile_outputs(ffmpeg.output(frame, str(poster), **{"frames:v": 1, "q:v": 4}, **STRIP)))
    yield Made("poster", poster, "image/jpeg")
    # The poster is an image like any other: thumbnails and web sizes come from it.
    yield from image_renditions(poster, workdir, prefix="poster-")
    if probe.get("audio"):
        yield from audio_derivatives(src, workdir, progress)


def derivatives(
    kind: str, src: Path, workdir: Path, probe: dict, progress: Progress = lambda p: None
) -> Iterator[Made]:
    """Every derivative of a local original of ``kind`` (image, audio or video)."""
    if kind == "image":
        yield from image_derivatives(src, workdir, probe, progress)
    elif kind == "audio":
        yield from audio_derivatives(src, workdir, progress)
    elif kind == "video":
        yield from video_derivatives(src, workdir, probe, progress)
    else:
        raise MediaError(_("Not a recognised image, audio or video format."))
