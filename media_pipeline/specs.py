"""Derivative specifications: formats and sizes are data, read by the steps in ``steps.py``."""

from __future__ import annotations

#: Image renditions. GPS and other metadata are stripped; colours converted to sRGB;
#: orientation applied. ``width`` is a bound: an image is never enlarged.
IMAGE_SPECS = [
    {"name": "thumb", "width": 400, "format": "webp", "quality": 70},
    {"name": "web-webp", "width": 1200, "format": "webp", "quality": 75},
    {"name": "web-avif", "width": 1200, "format": "avif", "quality": 50},
    {"name": "web-jpeg", "width": 1200, "format": "jpeg", "quality": 80},
]
#: For IIIF: pre-made tiles (the fast path) and a pyramid to cut any other request from.
IIIF_SPECS = ["pyramid", "tiles"]

#: Audio renditions: speech-grade Opus for weak links, MP3 for every player.
AUDIO_SPECS = [
    {
        "name": "opus",
        "ext": "ogg",
        "content_type": "audio/ogg",
        "args": ["-c:a", "libopus", "-b:a", "24k", "-ac", "1", "-application", "voip"],
    },
    {
        "name": "aac",
        "ext": "m4a",
        "content_type": "audio/mp4",
        "args": ["-c:a", "aac", "-b:a", "64k", "-ac", "2", "-movflags", "+faststart"],
    },
]
#: Peaks are read from 8 kHz mono PCM: ample for 800 buckets, cheap for a two-hour file.
PEAKS_RATE = 8000
#: EBU R128 loudness so quiet field recordings and loud festival songs play alike.
LOUDNORM = "loudnorm=I=-16:TP=-1.5:LRA=11"
PEAKS_BUCKETS = 800

#: Video renditions: phone resolution, and a low-bandwidth one.
VIDEO_SPECS = [
    {
        "name": "mp4-480",
        "height": 480,
        "args": [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "26",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
        ],
    },
    {
        "name": "mp4-240",
        "height": 240,
        "args": [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "32",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            "-ac",
            "1",
        ],
    },
]
