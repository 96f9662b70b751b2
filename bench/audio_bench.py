"""Audio derivatives: our one-decode ffmpeg step vs the bare ffmpeg commands run one by one.

    .venv/bin/python bench/audio_bench.py [--quick]

A stereo 48 kHz 16-bit WAV with speech-like content (60 minutes; 10 with --quick; generated
once with ffmpeg lavfi and cached in /tmp/mha-bench). "ours" is ``audio_derivatives`` called
in-process on an ingested asset: one ffmpeg run making Opus 24k, AAC 64k, 8 kHz peaks PCM
*and the waveform PNG*, then the peaks JSON and saving all four derivatives to storage.
The peer is what a sysadmin would type, run sequentially:

    ffmpeg -i in.wav -af loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000 \
        -c:a libopus -b:a 24k -ac 1 -application voip out.ogg
    ffmpeg -i in.wav -af loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000 \
        -c:a aac -b:a 64k -ac 2 out.m4a
    ffmpeg -i in.wav -ac 1 -ar 8000 -f s16le peaks.pcm

(each with ``-nostdin -hide_banner -loglevel error -y``). 3 runs each, alternated (1 with
--quick; ``--minutes M --runs N`` override either). Target <= 1.15x. Also reported, once:
``manage.py ingest --wait`` (checksum, storage, probe and derivatives) of the same file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    Project,
    machine_note,
    print_table,
    speech_wav,
    summary,
    timing_row,
    verdict,
    warm,
)

TARGET_RATIO = 1.15
LOUDNORM = "loudnorm=I=-16:TP=-1.5:LRA=11"
QUIET = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def peer_commands(src: Path, out: Path) -> list[list[str]]:
    af = f"{LOUDNORM},aresample=48000"
    return [
        [
            "ffmpeg",
            *QUIET,
            "-i",
            str(src),
            "-af",
            af,
            "-c:a",
            "libopus",
            "-b:a",
            "24k",
            "-ac",
            "1",
            "-application",
            "voip",
            str(out / "out.ogg"),
        ],
        [
            "ffmpeg",
            *QUIET,
            "-i",
            str(src),
            "-af",
            af,
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-ac",
            "2",
            str(out / "out.m4a"),
        ],
        [
            "ffmpeg",
            *QUIET,
            "-i",
            str(src),
            "-ac",
            "1",
            "-ar",
            "8000",
            "-f",
            "s16le",
            str(out / "peaks.pcm"),
        ],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10-minute file, 1 run each")
    parser.add_argument("--minutes", type=int, help="WAV length (overrides the mode's)")
    parser.add_argument("--runs", type=int, help="runs each (overrides the mode's)")
    args = parser.parse_args()
    minutes, runs = (10, 1) if args.quick else (60, 3)
    minutes, runs = args.minutes or minutes, args.runs or runs
    print(machine_note())
    mode = "quick" if args.quick else "full"
    if args.minutes or args.runs:
        mode = "custom"
    print(f"mode: {mode} ({minutes}-minute WAV, {runs} runs each)", flush=True)
    src = speech_wav(minutes)
    project = Project.create("audio")
    try:
        run(project, src, minutes, runs)
    finally:
        project.cleanup()


def run(project: Project, src: Path, minutes: int, runs: int) -> None:
    warm(src)
    cmd = ["ingest", str(src), "--collection", "dialects", "--wait", "--json"]
    t0 = time.perf_counter()
    result = project.manage(*cmd)
    ingest_wall = time.perf_counter() - t0
    record = json.loads(result.stdout.strip().splitlines()[-1])
    if record["status"] != "ok":
        raise SystemExit(f"ingest failed: {record}")

    project.setup_django()
    from archive.assets.models import MediaAsset
    from media_pipeline.steps import audio_derivatives

    asset = MediaAsset.objects.select_related("original").get(item_id=record["item"])
    names = sorted(asset.derivatives.values_list("name", flat=True))
    ours_t: list[float] = []
    peer_t: list[float] = []
    peer_parts: list[list[float]] = [[], [], []]
    for i in range(runs):
        for who in ("ours", "ffmpeg") if i % 2 == 0 else ("ffmpeg", "ours"):
            work = Path(tempfile.mkdtemp(dir=project.tmp))
            try:
                if who == "ours":
                    t0 = time.perf_counter()
                    list(audio_derivatives(src, work))
                    ours_t.append(time.perf_counter() - t0)
                else:
                    total = 0.0
                    for n, c in enumerate(peer_commands(src, work)):
                        t0 = time.perf_counter()
                        subprocess.run(c, check=True)
                        dt = time.perf_counter() - t0
                        peer_parts[n].append(dt)
                        total += dt
                    peer_t.append(total)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(
                f"  run {i + 1}/{runs} {who}: {(ours_t if who == 'ours' else peer_t)[-1]:.2f} s",
                flush=True,
            )
    ratio = summary(ours_t)[0] / summary(peer_t)[0]
    print_table(
        f"Audio derivatives of a {minutes}-minute stereo 48 kHz WAV "
        f"({src.stat().st_size / 2**20:.0f} MiB), {runs} run(s) each, alternated",
        ["step", "runs", "median", "min", "max", "ratio", "target", "verdict"],
        [
            timing_row(
                "ours: audio_derivatives (opus+aac+peaks+waveform PNG)",
                ours_t,
                [f"{ratio:.3f}x", f"<= {TARGET_RATIO}x", verdict(ratio, TARGET_RATIO)],
            ),
            timing_row("peer: 3 bare ffmpeg commands, sequential", peer_t, ["1.000x", "", ""]),
            timing_row("  peer (1) loudnorm -> libopus 24k mono", peer_parts[0], ["", "", ""]),
            timing_row("  peer (2) loudnorm -> aac 64k stereo", peer_parts[1], ["", "", ""]),
            timing_row("  peer (3) 8 kHz mono s16le peaks", peer_parts[2], ["", "", ""]),
            timing_row("info: manage.py ingest --wait --json (whole)", [ingest_wall], ["", "", ""]),
        ],
    )
    print(
        "note: ours also makes the 1200x160 waveform PNG (showwavespic) and peaks JSON, and saves "
        "all outputs to storage; the peer makes no PNG. Derivatives after ingest: "
        + ", ".join(names)
    )


if __name__ == "__main__":
    main()
