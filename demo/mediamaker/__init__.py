"""The one media maker: every picture, sound and video the demo, the tests and the benches use.

Why it exists: the demo archive needs believable embroidery photographs, dialect recordings,
folk music and short videos; the tests need small files of known size and duration, and
damaged ones the pipeline must refuse; the benches need big textured images and long
recordings. Nothing binary is committed (and real community recordings carry consent terms
that do not cover throwaway copies), so everything is made here, from a seed: the same call
gives the same file on every machine, and every file says in its metadata that it is
synthetic, so nobody mistakes it for a field record.

External tools (Debian packages): ffmpeg, libvips (through pyvips); sox and espeak-ng for
the demo's music and speech only. Tools run with argument lists, never a shell; a failure is
raised as :class:`MediaMakerError` with the tool's own stderr. Every maker writes to a
temporary name and renames on success, so a half-made file is never seen.

Kinds, by module: :mod:`.images` (test card, cloth texture, camera EXIF and GPS, the image
writer for JPEG/PNG/TIFF/WebP), :mod:`.embroidery` (the demo's pattern photographs),
:mod:`.audio` (tones, silence, speech-like noise, espeak-ng speech), :mod:`.music` (folk
music), :mod:`.video` (test card video, slow pan over a picture), :mod:`.damaged` (truncated
files, decompression bombs, media with no stream). Try it: ``python -m demo.mediamaker``.
"""

from ._tools import MediaMakerError, require_tools
from .audio import silence, speech, speech_like, tone
from .damaged import png_claiming_size, subtitles_only, truncated
from .embroidery import MOTIFS, pattern
from .images import camera_exif, card, save, texture
from .music import MUSIC_STYLES, music
from .video import card_video, pan_video

__all__ = [
    "MOTIFS",
    "MUSIC_STYLES",
    "MediaMakerError",
    "camera_exif",
    "card",
    "card_video",
    "music",
    "pan_video",
    "pattern",
    "png_claiming_size",
    "require_tools",
    "save",
    "silence",
    "speech",
    "speech_like",
    "subtitles_only",
    "texture",
    "tone",
    "truncated",
]
