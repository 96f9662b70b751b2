"""IIIF tiles: our tile step vs ``vips dzsave`` alone, and peak memory of a 400 MP ingest.

    .venv/bin/python bench/tiles_bench.py [--quick] [--steps] [--skip-memory]

(a) A 10000 x 10000 textured RGB TIFF (100 MP, generated once, cached in /tmp/mha-bench).
    "ours" is what the pipeline does for the ``tiles`` derivative: ``make_tiles_zip`` (autorot,
    sRGB, metadata scrub, dzsave iiif3 zip) and ``save_derivative`` through Django's default
    storage. The peer is the CLI making the same tiles alone:
    ``vips dzsave SRC OUT.zip --layout iiif3 --container zip --tile-size 512 --overlap 0
    --suffix .jpg[Q=82,strip]``. Alternated, 5 runs each (3 with --quick). Target <= 1.15x.
(b) ``manage.py ingest <20000x20000 JPEG> --collection embroidery --wait --json`` under
    ``/usr/bin/time -v``: maximum resident set size vs the 1 GiB target, and wall time.
    Over the target (or with --steps) each image step is measured alone in its own process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    PYTHON,
    REPO,
    Project,
    machine_note,
    print_table,
    rss_and_wall,
    summary,
    texture_jpeg,
    texture_tiff,
    timing_row,
    verdict,
    warm,
)

TARGET_RATIO = 1.15
TARGET_RSS_MIB = 1024
STEPS = ["baseline", "probe", "thumbnails", "avif", "pyramid", "tiles"]


def tile_names(zip_path: Path) -> set[str]:
    """Entry names without the root folder (named after the zip), info.json excluded."""
    with zipfile.ZipFile(zip_path) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist() if "/" in n}
    return {n for n in names if n and not n.endswith("/")}


def part_a(project: Project, runs: int) -> None:
    src = texture_tiff(10000, 10000)
    record = ingest_json(project, src, wait=False)
    project.setup_django()
    from archive.assets.files import save_derivative
    from archive.assets.models import MediaAsset
    from media_pipeline.steps import Made
    from media_pipeline.tiles import TILE_SUFFIX, make_tiles_zip

    asset = MediaAsset.objects.select_related("original").get(item_id=record["item"])
    width, height = asset.original.probe["width"], asset.original.probe["height"]
    warm(src)
    peer_cmd = [
        "vips",
        "dzsave",
        str(src),
        "OUT.zip",
        "--layout",
        "iiif3",
        "--container",
        "zip",
        "--tile-size",
        "512",
        "--overlap",
        "0",
        "--suffix",
        TILE_SUFFIX,
    ]
    ours_t: list[float] = []
    peer_t: list[float] = []
    names: dict[str, set[str]] = {}
    sizes: dict[str, int] = {}
    for i in range(runs):
        for who in ("ours", "vips") if i % 2 == 0 else ("vips", "ours"):
            work = Path(tempfile.mkdtemp(dir=project.tmp))
            try:
                if who == "ours":
                    t0 = time.perf_counter()
                    tiles = make_tiles_zip(src, work / "tiles.zip")
                    made = Made("tiles", tiles, "application/zip", width, height)
                    d = save_derivative(asset, made)
                    ours_t.append(time.perf_counter() - t0)
                    stored = Path(d.file.path)
                    names.setdefault(who, tile_names(stored))
                    sizes.setdefault(who, stored.stat().st_size)
                else:
                    out = work / "tiles.zip"
                    cmd = [str(out) if c == "OUT.zip" else c for c in peer_cmd]
                    t0 = time.perf_counter()
                    subprocess.run(cmd, check=True)
                    peer_t.append(time.perf_counter() - t0)
                    names.setdefault(who, tile_names(out))
                    sizes.setdefault(who, out.stat().st_size)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(
                f"  run {i + 1}/{runs} {who}: {(ours_t if who == 'ours' else peer_t)[-1]:.2f} s",
                flush=True,
            )
    ratio = summary(ours_t)[0] / summary(peer_t)[0]
    same = names["ours"] == names["vips"]
    print_table(
        f"(a) IIIF tiles for a 100 MP TIFF ({src.name}, {src.stat().st_size / 2**20:.0f} MiB), "
        f"{runs} runs each, alternated",
        ["step", "runs", "median", "min", "max", "ratio", "target", "verdict"],
        [
            timing_row(
                "ours: make_tiles_zip + save_derivative",
                ours_t,
                [f"{ratio:.3f}x", f"<= {TARGET_RATIO}x", verdict(ratio, TARGET_RATIO)],
            ),
            timing_row("peer: vips dzsave (CLI) alone", peer_t, ["1.000x", "", ""]),
        ],
    )
    diff = (names["ours"] ^ names["vips"]) if not same else set()
    print(
        f"tile names: ours {len(names['ours'])}, vips {len(names['vips'])} -> "
        f"{'identical' if same else 'DIFFERENT: ' + ', '.join(sorted(diff)[:8])}; "
        f"zip sizes: ours {sizes['ours'] / 2**20:.1f} MiB, vips {sizes['vips'] / 2**20:.1f} MiB"
    )
    print(f"peer command: {' '.join(peer_cmd).replace('OUT.zip', '<tmp>/tiles.zip')}")


def ingest_json(project: Project, path: Path, *, wait: bool) -> dict:
    args = ["ingest", str(path), "--collection", "embroidery", "--json"] + (
        ["--wait"] if wait else []
    )
    result = project.manage(*args)
    return json.loads(result.stdout.strip().splitlines()[-1])


def part_b(project: Project, force_steps: bool) -> None:
    src = texture_jpeg(20000, 20000)
    cmd = project.manage_cmd("ingest", str(src), "--collection", "embroidery", "--wait", "--json")
    rss, wall, result = rss_and_wall(cmd, cwd=REPO, env=project.env)
    status = "?"
    with contextlib.suppress(ValueError, IndexError, KeyError):
        status = json.loads(result.stdout.strip().splitlines()[-1])["status"]
    if result.returncode != 0 or status != "ok":
        print(result.stdout[-2000:], result.stderr[-3000:])
    print_table(
        f"(b) peak memory ingesting a 400 MP JPEG ({src.name}, {src.stat().st_size / 2**20:.0f} "
        "MiB), 1 run",
        ["command", "status", "max RSS", "target", "verdict", "wall"],
        [
            [
                "manage.py ingest --wait --json",
                status,
                f"{rss:.0f} MiB",
                f"<= {TARGET_RSS_MIB} MiB",
                "met" if rss <= TARGET_RSS_MIB else "MISSED",
                f"{wall:.1f} s",
            ]
        ],
    )
    if rss > TARGET_RSS_MIB or force_steps:
        rows = []
        for step in STEPS:
            work = Path(tempfile.mkdtemp(dir=project.tmp))
            cmd = [
                str(PYTHON),
                __file__,
                "--step",
                step,
                "--src",
                str(src),
                "--out",
                str(work),
                "--var",
                str(project.var),
            ]
            s_rss, s_wall, res = rss_and_wall(cmd, cwd=REPO, env=project.env)
            shutil.rmtree(work, ignore_errors=True)
            ok = "ok" if res.returncode == 0 else f"failed: {res.stderr.strip()[-200:]}"
            rows.append([step, f"{s_rss:.0f} MiB", f"{s_wall:.1f} s", ok])
            print(f"  step {step}: {s_rss:.0f} MiB, {s_wall:.1f} s", flush=True)
        print_table(
            "(b') each image step alone, same 400 MP JPEG, own process under /usr/bin/time -v "
            "(baseline = python + django.setup only)",
            ["step", "max RSS", "wall", "result"],
            rows,
        )


def run_step(step: str, src: Path, out: Path, var: Path) -> None:
    """Child mode: one pipeline step alone (for the memory breakdown)."""
    Project(var.parent).setup_django()

    from media_pipeline.probe import probe_image
    from media_pipeline.specs import IMAGE_SPECS
    from media_pipeline.steps import image_renditions
    from media_pipeline.tiles import make_pyramid, make_tiles_zip

    if step == "probe":
        probe_image(src)
    elif step in ("thumbnails", "avif"):
        specs = tuple(s for s in IMAGE_SPECS if (s.format == "avif") == (step == "avif"))
        for _made in image_renditions(src, out, specs):
            pass
    elif step == "pyramid":
        make_pyramid(src, out / "pyramid.tif")
    elif step == "tiles":
        make_tiles_zip(src, out / "tiles.zip")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 5")
    parser.add_argument("--steps", action="store_true", help="always measure steps in (b)")
    parser.add_argument("--skip-memory", action="store_true", help="only (a)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--var", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        run_step(args.step, args.src, args.out, args.var)
        return
    runs = 3 if args.quick else 5
    print(machine_note())
    print(f"mode: {'quick' if args.quick else 'full'} ({runs} runs each)", flush=True)
    base = Project.create("tiles")
    memory = None if args.skip_memory else base.clone("tiles-memory")
    try:
        part_a(base, runs)
        if memory is not None:
            part_b(memory, args.steps)
    finally:
        base.cleanup()
        if memory is not None:
            memory.cleanup()


if __name__ == "__main__":
    main()
