"""Short H.264/AAC MP4s: ffmpeg's moving test card for tests, a slow pan for the demo."""

from __future__ import annotations

import zlib
from pathlib import Path

from ._tools import atomic_output, check_suffix, ffmpeg, metadata_args

_SR = 44100


def card_video(
    path: Path, seconds: float = 2.0, *, size: tuple[int, int] = (320, 240), fps: int = 15
) -> Path:
    """ffmpeg's moving test card with a 440 Hz tone: the quickest real video to process."""
    path = Path(path)
    check_suffix(path, (".mp4",), "video")
    w, h = size
    with atomic_output(path) as tmp:
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={w}x{h}:rate={fps}:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            *metadata_args("Test card video"),
            str(tmp),
            what="ffmpeg (test card video)",
        )
    return path


_PAN_SIZE = (854, 480)
_PAN_FPS = 25


def pan_video(path: Path, *, image: Path, audio: Path | None, seconds: float) -> Path:
    """Write a short MP4 of a slow zoom and pan over ``image`` and return ``path``.

    Why: video items (e.g. an embroiderer at work) need real MP4s for the player, poster
    frames and transcoding checks; a Ken Burns move over a pattern image is cheap to encode
    and visibly moving. The image is decoded and scaled once, then zoompan renders frames from
    a 2x-resolution copy (enough to keep the sub-pixel creep smooth). ``audio`` is padded with
    silence or cut to exactly ``seconds``; without it the file has no audio stream.
    """
    path, image = Path(path), Path(image)
    check_suffix(path, (".mp4",), "video")
    if not image.is_file():
        raise ValueError(f"Image {image} does not exist")
    if audio is not None and not Path(audio).is_file():
        raise ValueError(f"Audio {audio} does not exist")
    if not 0.5 <= seconds <= 300:
        raise ValueError("seconds must be between 0.5 and 300")
    w, h = _PAN_SIZE
    frames = max(1, round(seconds * _PAN_FPS))
    # Pan direction varies by image so a set of demo videos does not all move the same way.
    toward_right = zlib.crc32(image.name.encode()) % 2 == 0
    x_from, x_span = (0.2, 0.6) if toward_right else (0.8, -0.6)
    progress = f"on/{max(1, frames - 1)}"
    graph = (
        f"[0:v]scale={2 * w}:{2 * h}:force_original_aspect_ratio=increase,"
        f"crop={2 * w}:{2 * h},setsar=1,"
        f"zoompan=z='1+0.18*{progress}'"
        f":x='(iw-iw/zoom)*({x_from}+{x_span}*{progress})'"
        f":y='(ih-ih/zoom)*(0.5-0.15*{progress})'"
        f":d={frames}:s={w}x{h}:fps={_PAN_FPS},format=yuv420p[v]"
    )
    inputs, maps, audio_args = ["-i", str(image)], ["-map", "[v]"], ["-an"]
    if audio is not None:
        inputs += ["-i", str(audio)]
        graph += f";[1:a]aresample={_SR},apad[a]"
        maps += ["-map", "[a]"]
        audio_args = ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    with atomic_output(path) as tmp:
        ffmpeg(
            *inputs,
            "-filter_complex",
            graph,
            *maps,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-r",
            str(_PAN_FPS),
            *audio_args,
            "-t",
            f"{frames / _PAN_FPS:.3f}",
            "-movflags",
            "+faststart",
            *metadata_args(f"Demo video of {image.name}"),
            str(tmp),
            what="ffmpeg (encoding video)",
        )
    return path
