"""Page weight and load time per page type on a phone over an emulated slow 3G link.

    .venv/bin/python bench/phones_bench.py [--runs 3] [--dpr 3] [--screenshots DIR]

Builds a throwaway demo archive (``load_demo`` with its media, database search), serves it
with gunicorn, and opens each kind of page in Debian's Chromium (Playwright) as a 390×844
phone in Chinese, with the network throttled through the DevTools protocol to the issue's
slow 3G: 400 kbit/s down and up, 400 ms round trip. For each page type it prints the median
of ``--runs`` cold visits (a fresh browser context, nothing cached):

* **KB**: bytes on the wire (``Network.loadingFinished``'s encoded length: headers and
  compressed bodies) until the network is idle, before the visitor touches anything;
* **visible s**: when the title, the first paragraph and the first picture (if any) are all
  painted (the largest-contentful-paint entry, or the first picture's ``complete``);
* **load s**: the load event;
* **repeat KB / offline**: a second visit in the same context (the service worker's cache),
  and a third with the network cut off: does the page still open?

The zoom row taps 放大 on the item page and counts what the viewer fetches until its first
sharp view. The peer, side by side, is the same page in the site's own low-bandwidth mode
(pictures only when tapped): the floor a page with text and no picture reaches on this link.
Targets (issue 17): item page visible ≤ 3 s and ≤ 150 KB; zoom ≤ 5 s and ≤ 300 KB; repeat
visit ≤ 5 KB and opens offline.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CACHE, REPO, Project, machine_note, print_table  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}

VISIBLE_JS = """() => new Promise(resolve => {
  let lcp = 0;
  new PerformanceObserver(l => { for (const e of l.getEntries()) lcp = e.startTime; })
    .observe({type: 'largest-contentful-paint', buffered: true});
  const img = document.querySelector('main figure img, main img');
  // A picture on the first screen counts even while site.js has not yet handed it its
  // address (cards are fetched when on screen): wait for it to be fetched and decoded.
  const onScreen = img && img.getBoundingClientRect().top < innerHeight;
  const done = () => {
    const pic = img && img.currentSrc ? performance.getEntriesByName(img.currentSrc)[0] : null;
    resolve(Math.max(lcp, pic ? pic.responseEnd : 0));
  };
  if (!onScreen) { setTimeout(done, 50); return; }
  const t = setInterval(() => {
    if (img.currentSrc && img.complete) { clearInterval(t); setTimeout(done, 50); }
  }, 50);
})"""


def demo_project() -> Project:
    """The demo archive with its media, built once (``load_demo`` takes minutes) and kept
    under ``CACHE/phones-demo``; delete that folder to build it again."""
    root = CACHE / "phones-demo"
    if not (root / "var" / "archive.sqlite3").exists():
        print("building the demo archive once (load_demo with media) ...", flush=True)
        fresh = Project.create("phones")
        fresh.manage("load_demo")
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.move(fresh.var, root / "var")
        fresh.cleanup()
    return Project(root)


class CountingProxy:
    """A TCP relay in front of gunicorn that counts the bytes the server sends: what the
    page fetches and what its service worker fetches alike (DevTools sees the page's own
    requests only), headers included."""

    def __init__(self, upstream: int):
        self.upstream = upstream
        self.sent = 0
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self.lock:
            self.sent = 0

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while data := src.recv(65536):
                if count:
                    with self.lock:
                        self.sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(project: Project, port: int) -> subprocess.Popen:
    cmd = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "archive.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=project.env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
            return proc
        except OSError as exc:
            if getattr(exc, "code", None):
                return proc  # answered
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer")


def pages(project: Project) -> dict[str, str]:
    """URL paths of one page of each type, asked of the throwaway project's database."""
    code = (
        "from archive.items.models import EmbroideryPatternPage, RecordingPage, MusicPiecePage\n"
        "from django.utils import translation\n"
        "translation.activate('zh-hans')\n"
        "def first(m):\n"
        "    return m.objects.live().filter(access_level='public').order_by('pk').first()\n"
        "e = first(EmbroideryPatternPage)\n"
        "print('embroidery item', e.url)\n"
        "print('collection', e.get_parent().url)\n"
        "print('recording item', first(RecordingPage).url)\n"
        "m = first(MusicPiecePage)\n"
        "print('music item', m.url if m else '')\n"
    )
    out = project.manage("shell", "-c", code).stdout
    found = dict(line.rsplit(" ", 1) for line in out.strip().splitlines() if line.strip())
    return {
        "home": "/",
        "collection": found["collection"],
        "search 蝴蝶": "/search/?q=%E8%9D%B4%E8%9D%B6",
        "embroidery item": found["embroidery item"],
        "recording item": found["recording item"],
        **({"music item": found["music item"]} if found.get("music item") else {}),
    }


class Meter:
    """Counts bytes on the wire through one page's DevTools session."""

    def __init__(self, page, proxy: CountingProxy):
        self.page = page
        self.proxy = proxy
        self.log: list[tuple[str, int]] = []
        page.on("requestfinished", self._finished)
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.requests = 0
        self.cdp.on("Network.loadingFinished", self._done)

    def _done(self, ev) -> None:
        self.requests += 1

    def _finished(self, request) -> None:
        with contextlib.suppress(Exception):  # a request the page abandoned has no sizes
            sizes = request.sizes()
            self.log.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    @property
    def bytes(self) -> int:
        return self.proxy.sent

    def reset(self) -> None:
        self.proxy.reset()
        self.requests = 0
        self.log = []

    def offline(self, on: bool) -> None:
        self.page.context.set_offline(on)


def visit(page, meter: Meter, url: str) -> dict:
    meter.reset()
    t0 = time.perf_counter()
    page.goto(url, wait_until="load", timeout=120_000)
    load = time.perf_counter() - t0
    visible = page.evaluate(VISIBLE_JS) / 1000
    with contextlib.suppress(Exception):  # a page that never idles is reported as it is
        page.wait_for_load_state("networkidle", timeout=60_000)
    page.wait_for_timeout(300)
    return {"kb": meter.bytes / 1024, "requests": meter.requests, "visible": visible, "load": load}


def repeat_and_offline(page, meter: Meter, url: str) -> tuple[float, bool]:
    # The service worker (if any) installs on the first visit; it controls the next one.
    with contextlib.suppress(Exception):
        page.evaluate(
            "() => navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => 1) : 0"
        )
    page.wait_for_timeout(1500)
    meter.reset()
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_timeout(500)
    repeat = meter.bytes / 1024
    meter.offline(True)
    try:
        response = page.goto(url, wait_until="load", timeout=20_000)
        ok = bool(response and response.ok) and page.locator("h1").count() > 0
    except Exception:  # noqa: BLE001 (offline and nothing kept: the browser's error page)
        ok = False
    meter.offline(False)
    return repeat, ok


def zoom(browser, proxy, base: str, path: str, dpr: float) -> dict:
    # No service worker here: the DevTools throttle does not reach a worker's own fetches.
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=dpr,
        has_touch=True,
        locale="zh-CN",
        service_workers="block",
    )
    page = context.new_page()
    meter = Meter(page, proxy)
    page.goto(base + path, wait_until="load", timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=60_000)
    button = page.locator("button.zoom-button")
    if not button.count():
        context.close()
        return {}
    meter.reset()
    t0 = time.perf_counter()
    button.first.click()
    page.locator(".zoom-box:not(.loading) .openseadragon-canvas canvas").first.wait_for(
        timeout=120_000
    )
    page.wait_for_load_state("networkidle", timeout=120_000)
    out = {"kb": meter.bytes / 1024, "requests": meter.requests, "s": time.perf_counter() - t0}
    context.close()
    return out


def screenshot(browser, base: str, path: str, name: str, dpr: float, folder: Path) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=dpr, locale="zh-CN")
    page = context.new_page()
    page.goto(base + path, wait_until="networkidle", timeout=120_000)
    page.screenshot(path=str(folder / f"{name.replace(' ', '-')}.png"))
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--dpr", type=float, default=3.0, help="device pixel ratio (3: a 390 px phone)"
    )
    parser.add_argument("--only", help="measure only the page types whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="list each request's size")
    parser.add_argument(
        "--screenshots", type=Path, help="keep a phone screenshot of each page here"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(machine_note())
    project = demo_project()
    project.manage("migrate", "--no-input", "-v", "0")
    project.manage("search_reindex")
    paths = pages(project)
    port = free_port()
    server = serve(project, port)
    proxy = CountingProxy(port)
    base = f"http://127.0.0.1:{proxy.port}"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            # Warm the server's page cache and the derivatives' file cache: what is measured
            # is the link, not the first render.
            for path in paths.values():
                urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310
            for name, path in paths.items():
                if args.only and args.only not in name:
                    continue
                for mode in ("", "low-bandwidth"):
                    if mode and "item" not in name:
                        continue
                    cold, repeats, offline = [], [], []
                    for _ in range(args.runs):
                        context = browser.new_context(
                            viewport=PHONE,
                            device_scale_factor=args.dpr,
                            has_touch=True,
                            locale="zh-CN",
                        )
                        if mode:
                            context.add_cookies([{"name": "mha_lowbw", "value": "1", "url": base}])
                        page = context.new_page()
                        meter = Meter(page, proxy)
                        cold.append(visit(page, meter, base + path))
                        if args.verbose:
                            for url, size in meter.log:
                                print(f"      {size / 1024:6.1f} KB  {url.replace(base, '')}")
                        again, ok = repeat_and_offline(page, meter, base + path)
                        repeats.append(again)
                        offline.append(ok)
                        context.close()
                    med = {k: statistics.median(r[k] for r in cold) for k in cold[0]}
                    rows.append(
                        [
                            name + (f" ({mode})" if mode else ""),
                            f"{med['kb']:.0f}",
                            f"{med['requests']:.0f}",
                            f"{med['visible']:.1f}",
                            f"{med['load']:.1f}",
                            f"{statistics.median(repeats):.1f}",
                            "yes" if all(offline) else ("some" if any(offline) else "no"),
                        ]
                    )
                    print("  ", rows[-1], flush=True)
            z = zoom(browser, proxy, base, paths["embroidery item"], args.dpr)
            if z:
                rows.append(
                    [
                        "zoom (tap 放大 on the embroidery item)",
                        f"{z['kb']:.0f}",
                        f"{z['requests']}",
                        f"{z['s']:.1f}",
                        "",
                        "",
                        "",
                    ]
                )
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                for name, path in paths.items():
                    screenshot(browser, base, path, name, args.dpr, args.screenshots)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print_table(
        f"Slow 3G (400 kbit/s, 400 ms RTT), 390x844 phone at DPR {args.dpr:g}, zh-CN; "
        f"median of {args.runs} cold visits",
        ["page", "KB", "requests", "visible s", "load s", "repeat KB", "offline"],
        rows,
    )
    print(
        "\ntargets: item page visible <= 3 s and <= 150 KB; zoom <= 5 s and <= 300 KB; "
        "repeat visit <= 5 KB and opens offline"
    )


if __name__ == "__main__":
    main()
