"""IIIF Image API: our server vs Debian's iipimage-server, same image, same tile requests.

    .venv/bin/python bench/iiif_bench.py [--quick] [--size 6000x4000] [--rounds 3]

One textured RGB image (generated once, cached in /tmp/mha-bench) is ingested into a
throwaway project; the pipeline makes its ``tiles`` zip and ``pyramid`` TIFF. Then:

* **ours** — ``gunicorn archive.wsgi`` with 2 (sync) workers, production settings, serving
  ``/iiif/3/<asset>/...`` (pre-cut tiles from the zip; anything else from the pyramid).
* **peer** — ``iipsrv.fcgi`` (Debian ``iipimage-server``) as FastCGI behind Debian ``lighttpd``,
  2 processes, serving the *same* pyramid TIFF at ``/iipsrv.fcgi?IIIF=pyramid.tif/...``.

Both on 127.0.0.1. The tile requests are every tile of every level a IIIF viewer asks for
(the ``{region}/{size}/0/default.jpg`` set the dzsave iiif3 layout cuts), shuffled once and
sent by 2 concurrent clients with keep-alive sessions. After a warm-up pass, ``--rounds``
passes are timed per server, alternating; the table prints the median tiles/s and the ratio
(goal >= 1.0). The "first viewport" is what a viewer does on opening: info.json, then every
tile of the levels that fit a 1280x800 window, over 2 connections; its p95 over 40 opens.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, REPO, Project, machine_note, print_table, texture_jpeg  # noqa: E402

IIPSRV = Path("/usr/lib/iipimage-server/iipsrv.fcgi")
LIGHTTPD = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
CLIENTS = 2
_TILE = re.compile(r"(\d+,\d+,\d+,\d+/\d+,\d+/0/default\.jpg)$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 within {timeout:.0f} s")


def make_archive(project: Project, src: Path) -> tuple[int, Path, Path, int, int]:
    """Ingest ``src`` as a public item's image; return (asset id, tiles, pyramid, w, h)."""
    project.setup_django()
    from archive.assets.ingest import ingest
    from archive.assets.models import MediaAsset
    from archive.assets.tasks import process_asset
    from archive.items.models import EmbroideryPatternPage, ItemPerson
    from tests import factories

    _, collections = factories.site_tree()
    page = EmbroideryPatternPage(
        title="基准",
        title_en="Bench",
        identifier="MHA-BENCH-0001",
        slug="bench-iiif",
        access_level="public",
    )
    page.people.add(ItemPerson(person=factories.person(), role="artisan"))
    collections["embroidery"].add_child(instance=page)
    result = ingest(src, item=page, filename=src.name, enqueue=False)
    process_asset.call(result.asset.pk)
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    if asset.status != "ready":
        raise SystemExit(f"the pipeline failed: {asset.error}")
    tiles = asset.derivatives.get(name="tiles")
    pyramid = asset.derivatives.get(name="pyramid")
    return asset.pk, Path(tiles.file.path), Path(pyramid.file.path), pyramid.width, pyramid.height


def tile_paths(tiles_zip: Path) -> list[str]:
    with zipfile.ZipFile(tiles_zip) as zf:
        return sorted({m.group(1) for n in zf.namelist() if (m := _TILE.search(n))})


def start_ours(project: Project, port: int, log: Path) -> subprocess.Popen:
    env = project.env | {
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MHA_SSL_REDIRECT": "0",
        "MHA_CACHE_DIR": str(project.tmp / "cache"),
    }
    cmd = [
        str(PYTHON),
        "-m",
        "gunicorn",
        "archive.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def start_peer(workdir: Path, image_dir: Path, port: int) -> subprocess.Popen:
    conf = workdir / "lighttpd.conf"
    conf.write_text(
        f"""server.document-root = "{workdir}"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{workdir}/lighttpd-error.log"
server.modules = ("mod_fastcgi")
fastcgi.server = ( "/iipsrv.fcgi" => ((
  "socket" => "{workdir}/iipsrv.sock",
  "bin-path" => "{IIPSRV}",
  "max-procs" => 2,
  "check-local" => "disable",
  "bin-environment" => (
    "LOGFILE" => "{workdir}/iipsrv.log", "VERBOSITY" => "0",
    "FILESYSTEM_PREFIX" => "{image_dir}/", "JPEG_QUALITY" => "82", "MAX_CVT" => "8192"
  )
)))
""",
        encoding="utf-8",
    )
    return subprocess.Popen(
        [LIGHTTPD, "-D", "-f", str(conf)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def fetch_all(urls: list[str], clients: int = CLIENTS) -> tuple[float, list[float], int]:
    """GET every URL with ``clients`` concurrent keep-alive sessions; (wall s, latencies,
    failures). A failure is a non-200, a non-JPEG/JSON body, or an empty body."""
    import requests

    lock = threading.Lock()
    queue = list(reversed(urls))
    latencies: list[float] = []
    failures = [0]

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                url = queue.pop()
            t0 = time.perf_counter()
            r = session.get(url, timeout=60)
            dt = time.perf_counter() - t0
            ok = (
                r.status_code == 200
                and r.content
                and (r.content[:2] == b"\xff\xd8" or url.endswith("info.json"))
            )
            with lock:
                latencies.append(dt)
                if not ok:
                    failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, failures[0]


def open_viewer(info_url: str, tile_urls: list[str]) -> tuple[float, int]:
    """What a viewer does on opening: info.json, then the first viewport's tiles (2 conns)."""
    import requests

    t0 = time.perf_counter()
    r = requests.get(info_url, timeout=30)
    failures = 0 if r.status_code == 200 and r.json().get("width") else 1
    _, _, tile_failures = fetch_all(tile_urls)
    return time.perf_counter() - t0, failures + tile_failures


def first_viewport(paths: list[str], width: int, height: int) -> list[str]:
    """The tiles of every level no larger than ~1.25x a 1280x800 window (what opens first)."""
    out = []
    for p in paths:
        x, y, w, h, sw, sh = (int(v) for v in re.findall(r"\d+", p)[:6])
        sf = w / sw if sw else 1
        level_w, level_h = math.ceil(width / sf), math.ceil(height / sf)
        if level_w <= 1600 and level_h <= 1000:
            out.append(p)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller image, fewer rounds")
    parser.add_argument("--size", default="6000x4000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--opens", type=int, default=40)
    args = parser.parse_args()
    if not IIPSRV.exists() or not Path(LIGHTTPD).exists():
        raise SystemExit("needs Debian's iipimage-server and lighttpd (scripts/install.sh test)")
    width, height = (int(v) for v in ("3000x2000" if args.quick else args.size).split("x"))
    rounds = 2 if args.quick else args.rounds
    opens = 10 if args.quick else args.opens

    print(machine_note())
    src = texture_jpeg(width, height)
    project = Project.create("iiif")
    procs: list[subprocess.Popen] = []
    try:
        asset_id, tiles_zip, pyramid, w, h = make_archive(project, src)
        peer_dir = project.root / "iipsrv"
        image_dir = peer_dir / "images"
        image_dir.mkdir(parents=True)
        os.link(pyramid, image_dir / "pyramid.tif")  # the very same file for both servers
        ours_port, peer_port = free_port(), free_port()
        procs.append(start_ours(project, ours_port, project.root / "gunicorn.log"))
        procs.append(start_peer(peer_dir, image_dir, peer_port))
        ours_base = f"http://127.0.0.1:{ours_port}/iiif/3/{asset_id}"
        peer_base = f"http://127.0.0.1:{peer_port}/iipsrv.fcgi?IIIF=pyramid.tif"
        wait_http(f"{ours_base}/info.json")
        wait_http(f"{peer_base}/info.json")

        paths = tile_paths(tiles_zip)
        random.Random(42).shuffle(paths)  # noqa: S311 (a fixed order, not a secret)
        viewport = first_viewport(paths, w, h)
        print(
            f"\nimage {w}x{h}, pyramid {pyramid.stat().st_size / 1e6:.1f} MB, "
            f"{len(paths)} tiles per pass, {CLIENTS} concurrent clients, "
            f"first viewport {len(viewport)} tiles"
        )

        servers = {"ours (gunicorn, 2 workers)": ours_base, "iipsrv (lighttpd, 2 procs)": peer_base}
        rates: dict[str, list[float]] = {name: [] for name in servers}
        lat: dict[str, list[float]] = {name: [] for name in servers}
        fails: dict[str, int] = dict.fromkeys(servers, 0)
        for base in servers.values():  # warm-up: page cache, zip index, iipsrv's cache
            fetch_all([f"{base}/{p}" for p in paths])
        for _ in range(rounds):
            for name, base in servers.items():
                wall, latencies, failures = fetch_all([f"{base}/{p}" for p in paths])
                rates[name].append(len(paths) / wall)
                lat[name].extend(latencies)
                fails[name] += failures
        opens_s: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(opens):
            for name, base in servers.items():
                seconds, failures = open_viewer(
                    f"{base}/info.json", [f"{base}/{p}" for p in viewport]
                )
                opens_s[name].append(seconds)
                fails[name] += failures

        rows = []
        for name in servers:
            rows.append(
                [
                    name,
                    f"{statistics.median(rates[name]):.0f}",
                    f"{min(rates[name]):.0f}-{max(rates[name]):.0f}",
                    f"{statistics.median(lat[name]) * 1000:.1f} ms",
                    f"{p95(lat[name]) * 1000:.1f} ms",
                    f"{statistics.median(opens_s[name]) * 1000:.0f} ms",
                    f"{p95(opens_s[name]) * 1000:.0f} ms",
                    fails[name],
                ]
            )
        print_table(
            f"IIIF tiles, {rounds} timed passes each after a warm-up (median of passes)",
            [
                "server",
                "tiles/s",
                "range",
                "tile p50",
                "tile p95",
                "open p50",
                "open p95",
                "failures",
            ],
            rows,
        )
        names = list(servers)
        ratio = statistics.median(rates[names[0]]) / statistics.median(rates[names[1]])
        open_ratio = p95(opens_s[names[1]]) / p95(opens_s[names[0]])
        print(
            f"\nthroughput ratio ours/iipsrv: {ratio:.2f}x (goal >= 1.0: "
            f"{'met' if ratio >= 1.0 else 'MISSED'})"
        )
        print(
            f"first-viewport p95 (info.json + {len(viewport)} tiles): ours "
            f"{p95(opens_s[names[0]]) * 1000:.0f} ms, iipsrv "
            f"{p95(opens_s[names[1]]) * 1000:.0f} ms ({open_ratio:.2f}x)"
        )
        if any(fails.values()):
            raise SystemExit("some requests failed; the figures above are not valid")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        project.cleanup()


if __name__ == "__main__":
    main()
