"""Make one of each kind into a temporary folder and say how big and long each is:
``python -m demo.mediamaker``."""

import tempfile
import time
from pathlib import Path

from . import (
    card,
    card_video,
    music,
    pan_video,
    pattern,
    require_tools,
    speech,
    speech_like,
    texture,
    tone,
)
from ._tools import run, tool

print("tools:", ", ".join(f"{k}={v}" for k, v in require_tools().items()))
out = Path(tempfile.mkdtemp(prefix="mediamaker-"))
palette = ["#c0392b", "#f39c12", "#f1c40f", "#16a085", "#e84393", "#ecf0f1"]
jobs = [
    lambda: pattern(out / "butterfly.jpg", motif="butterfly", palette=palette, seed=7),
    lambda: pattern(out / "drum.png", motif="drum", palette=palette, seed=8),
    lambda: pattern(out / "dragon.tif", motif="dragon", palette=palette, seed=9),
    lambda: card(out / "card.webp", 800, 600),
    lambda: card(out / "gps.jpg", camera="FieldCam", gps=(26.5, 108.17)),
    lambda: texture(out / "texture.jpg", 2000, 2000),
    lambda: speech(out / "speech-cmn.m4a", text="这是苗族古歌的一段说明。", voice="cmn"),
    lambda: speech(out / "speech-hmub.mp3", text="Hmub Diel. Nongd dail hxak lul.", voice="vi"),
    lambda: tone(out / "tone.wav", 2),
    lambda: speech_like(out / "talk.wav", 30),
    lambda: music(out / "lusheng.flac", style="lusheng", seconds=12, seed=3),
    lambda: music(out / "flying-song.mp3", style="flying-song", seconds=12, seed=4),
    lambda: music(out / "drum.wav", style="drum", seconds=8, seed=5),
    lambda: pan_video(
        out / "pan.mp4", image=out / "butterfly.jpg", audio=out / "lusheng.flac", seconds=6
    ),
    lambda: card_video(out / "card.mp4", 2),
]
for job in jobs:
    started = time.perf_counter()
    made = job()
    took = time.perf_counter() - started
    info = f"{made.name:<20} {made.stat().st_size:>10,} bytes  {took:5.2f} s"
    if made.suffix in (".wav", ".flac", ".mp3", ".m4a", ".mp4"):
        seconds = run(
            [
                tool("ffprobe"),
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "default=noprint_wrappers=1:nokey=1",
                str(made),
            ],
            what="ffprobe",
        )
        info += f"  duration {float(seconds):.2f} s"
    print(info)
print(f"output left in {out}")
