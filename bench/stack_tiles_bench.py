"""IIIF tiles through the production stack, measured with wrk, beside two peers.

    .venv/bin/python bench/stack_tiles_bench.py [--size 8000x6000] [--seconds 10]

One textured image (generated once, cached) is ingested into a throwaway project; the
pipeline cuts its 512-px tiles zip and pyramid. Three servers on 127.0.0.1, same machine,
same run, each driven by ``wrk -t2 -c2`` (Debian's wrk, keep-alive) cycling through the same
shuffled tile URLs:

* **stack** - nginx with deploy/nginx/mha.conf (started by scripts/services.py, service
  ``web``) in front of gunicorn with deploy/gunicorn.conf.py, production settings,
  ``MHA_ACCEL_REDIRECT=1``: a public pre-cut tile is a plain file nginx sends
  (archive/iiif/tile_files.py), anything else goes to the app;
* **static** - a bare nginx sending the very same unpacked tile files (the physical limit);
* **iipsrv** - Debian's iipimage-server behind lighttpd (2 processes) on the same pyramid.

Two sets: the pre-cut 512-px grid the info.json advertises, and an off-grid 256-px grid (what
many viewers ask for), which the stack renders from the pyramid and caches. Prints tiles/s
and the ratios stack/static and stack/iipsrv; every figure with a count of non-2xx answers.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CACHE, PYTHON, REPO, Project, machine_note, print_table, texture_jpeg  # noqa: E402
from iiif_bench import IIPSRV, LIGHTTPD, free_port, make_archive, start_peer, wait_http  # noqa: E402

SERVICES = [str(PYTHON), str(REPO / "scripts" / "services.py")]
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""
STATIC_NGINX = """
worker_processes 2;
pid nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path tmp;
    proxy_temp_path tmp;
    fastcgi_temp_path tmp;
    uwsgi_temp_path tmp;
    scgi_temp_path tmp;
    server {
        listen 127.0.0.1:%d;
        root %s;
        keepalive_requests 100000;
    }
}
"""


def off_grid(width: int, height: int, tile: int = 256, limit: int = 400) -> list[str]:
    """Full-resolution 256-px tiles (``x,y,w,h/w,h``), not on the pre-cut 512 grid."""
    out = []
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            w, h = min(tile, width - x), min(tile, height - y)
            out.append(f"{x},{y},{w},{h}/{w},{h}/0/default.jpg")
    random.Random(7).shuffle(out)  # noqa: S311
    return out[:limit]


def wrk(base_path: str, port: int, paths: list[str], seconds: int, work: Path) -> tuple[float, int]:
    """Requests/s and non-2xx/3xx count from ``wrk -t2 -c2`` cycling through ``paths``."""
    listing = work / f"paths-{port}-{len(paths)}.txt"
    listing.write_text("".join(f"{base_path}{p}\n" for p in paths))
    script = work / f"cycle-{port}-{len(paths)}.lua"
    script.write_text(LUA % listing)
    done = subprocess.run(
        ["wrk", "-t2", "-c2", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)[1])
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    return rate, int(bad[1]) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="8000x6000")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    for need in ("wrk", "nginx"):
        if not shutil.which(need):
            raise SystemExit(f"needs Debian's {need} (scripts/install.sh test)")
    if not IIPSRV.exists() or not Path(LIGHTTPD).exists():
        raise SystemExit("needs Debian's iipimage-server and lighttpd (scripts/install.sh test)")
    width, height = (int(v) for v in args.size.split("x"))
    print(machine_note())
    src = texture_jpeg(width, height)
    project = Project.create("stack-tiles")
    # nginx runs as the `mha` user: it must reach the project's files.
    for folder in (CACHE, project.root):
        folder.chmod(0o755)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=project.root))
    work.chmod(0o755)
    procs: list[subprocess.Popen] = []
    ports = {name: free_port() for name in ("stack", "app", "static", "iipsrv")}
    env = project.env | {
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MHA_HTTPS": "0",
        "MHA_CACHE_DIR": str(project.tmp / "cache"),
        "MHA_ACCEL_REDIRECT": "1",
        "MHA_SERVICES_DIR": str(work / "services"),
        "MHA_WEB_PORT": str(ports["stack"]),
        "MHA_WEB_APP": f"127.0.0.1:{ports['app']}",
        "MHA_WEB_APP_2": f"127.0.0.1:{ports['app']}",
        "MHA_WEB_VAR_DIR": str(project.var),
    }
    try:
        asset_id, tiles_zip, pyramid, w, h = make_archive(project, src)
        peer_dir = project.root / "iipsrv"
        image_dir = peer_dir / "images"
        image_dir.mkdir(parents=True)
        os.link(pyramid, image_dir / "pyramid.tif")  # the very same file for both
        procs.append(start_peer(peer_dir, image_dir, ports["iipsrv"]))
        gunicorn = [str(PYTHON), "-m", "gunicorn", "-c", str(REPO / "deploy" / "gunicorn.conf.py")]
        procs.append(
            subprocess.Popen(
                [*gunicorn, "--bind", f"127.0.0.1:{ports['app']}", "--log-level", "warning"],
                cwd=REPO,
                env=env,
                stdout=(work / "gunicorn.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_http(f"http://127.0.0.1:{ports['app']}/iiif/3/{asset_id}/info.json", 300)
        subprocess.run([*SERVICES, "up", "web"], env=env, check=True)

        from iiif_bench import tile_paths

        grid = tile_paths(tiles_zip)
        random.Random(42).shuffle(grid)  # noqa: S311
        # Each public tile once through the stack: the app unpacks them for nginx.
        import requests

        for p in grid[:1]:
            requests.get(f"http://127.0.0.1:{ports['stack']}/iiif/3/{asset_id}/{p}", timeout=60)
        static_root = project.var / "tiles" / "public"
        (work / "static" / "tmp").mkdir(parents=True)
        (work / "static" / "nginx.conf").write_text(STATIC_NGINX % (ports["static"], static_root))
        procs.append(
            subprocess.Popen(
                [
                    "nginx",
                    "-p",
                    str(work / "static"),
                    "-c",
                    "nginx.conf",
                    "-e",
                    "stderr",
                    "-g",
                    "daemon off;",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )
        time.sleep(1)
        bases = {
            "stack": (ports["stack"], f"/iiif/3/{asset_id}/"),
            "static": (ports["static"], f"/{asset_id}/"),
            "iipsrv": (ports["iipsrv"], "/iipsrv.fcgi?IIIF=pyramid.tif/"),
        }
        offgrid = off_grid(w, h)
        print(
            f"\nimage {w}x{h}, {len(grid)} pre-cut tiles, {len(offgrid)} off-grid 256-px "
            f"tiles; wrk -t2 -c2 -d{args.seconds}s per figure, after a 3 s warm-up"
        )
        results: dict[tuple[str, str], tuple[float, int]] = {}
        for label, paths, servers in (
            ("pre-cut 512", grid, ("stack", "static", "iipsrv")),
            ("off-grid 256", offgrid, ("stack", "iipsrv")),
        ):
            for name in servers:
                port, base = bases[name]
                wrk(base, port, paths, 3, work)  # warm-up: caches, unpacking, page cache
                results[(label, name)] = wrk(base, port, paths, args.seconds, work)
        rows = [[label, name, f"{rate:.0f}", bad] for (label, name), (rate, bad) in results.items()]
        print_table(
            "IIIF tiles with wrk (2 threads, 2 connections)",
            ["tiles", "server", "tiles/s", "non-2xx"],
            rows,
        )
        stack_static = results[("pre-cut 512", "stack")][0] / results[("pre-cut 512", "static")][0]
        stack_iip = results[("pre-cut 512", "stack")][0] / results[("pre-cut 512", "iipsrv")][0]
        off_iip = results[("off-grid 256", "stack")][0] / results[("off-grid 256", "iipsrv")][0]
        print(f"\npre-cut tiles: stack / nginx static = {stack_static:.2f}x (goal >= 0.5)")
        print(f"pre-cut tiles: stack / iipsrv = {stack_iip:.2f}x")
        print(f"off-grid tiles: stack / iipsrv = {off_iip:.2f}x (goal >= 1.0)")
        if any(bad for _, bad in results.values()):
            raise SystemExit("some answers were not 2xx: the figures above are not valid")
        if not math.isfinite(stack_static):
            raise SystemExit("no figures")
    finally:
        subprocess.run([*SERVICES, "down", "web"], env=env, capture_output=True)
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
