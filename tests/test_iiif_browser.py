"""A real IIIF viewer in a real browser: Mirador opens our manifest from another origin and
draws the image from our tiles; the item page's Zoom button opens OpenSeadragon on info.json.

Mirador and OpenSeadragon come from the npm registry (``scripts/install.sh test`` unpacks
them under .cache/npm and static/vendor); Chromium is Debian's."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import pyvips

from tests.iiif_support import image_item

ROOT = Path(__file__).resolve().parent.parent
MIRADOR = ROOT / ".cache/npm/mirador-3.4.3/package/dist/mirador.min.js"
OSD = ROOT / "static/vendor/openseadragon/openseadragon.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_root"),
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def viewer_site(tmp_path):
    """Another origin (a different host and port on loopback) serving the viewer page, as a
    scholar's own site or a museum's viewer would: our manifest is fetched cross-origin."""
    root = tmp_path / "viewer-site"
    root.mkdir()
    shutil.copy(MIRADOR, root / "mirador.min.js")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def drawn(png: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(png, "")[0:3]


def shows_our_image(png: bytes) -> bool:
    """The test image is red to the right and blue to the bottom: a blank or grey canvas
    has neither."""
    img = drawn(png)
    red, blue = img[0], img[2]
    strong_red = ((red > 200) & (blue < 80)).avg() / 255
    strong_blue = ((blue > 200) & (red < 80)).avg() / 255
    return strong_red > 0.01 and strong_blue > 0.01 and red.deviate() > 30


def wait_for_image(locator, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    png = b""
    while time.monotonic() < deadline:
        png = locator.screenshot()
        if shows_our_image(png):
            return png
        time.sleep(0.5)
    pytest.fail("the viewer never drew the image")
    return png


def test_mirador_opens_the_manifest_and_draws_the_image(
    browser, live_server, viewer_site, tmp_path
):
    assert MIRADOR.exists(), "run scripts/install.sh test (unpacks Mirador from npm)"
    site_root, site_url = viewer_site
    pattern, _ = image_item(tmp_path)
    manifest = f"{live_server.url}/iiif/3/item/{pattern.pk}/manifest"
    assert "localhost" in manifest  # and the viewer is on 127.0.0.1: another origin
    html = f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
    <div id="m" style="position:absolute;inset:0"></div>
    <script src="mirador.min.js"></script>
    <script>Mirador.viewer({{id: "m", workspaceControlPanel: {{enabled: false}},
      window: {{allowClose: false, sideBarOpen: false, defaultView: "single"}},
      windows: [{{manifestId: "{manifest}"}}]}});</script></body></html>"""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    (site_root / "index.html").write_text(html, encoding="utf-8")
    page.goto(f"{site_url}/index.html")
    canvas = page.locator(".openseadragon-canvas canvas").first
    canvas.wait_for(timeout=30_000)
    wait_for_image(canvas)
    # The viewer found the label, the image service and its tiles on our server.
    assert (
        page.get_by_text("蝴蝶妈妈袖片").first.is_visible()
        or page.get_by_text("Butterfly Mother sleeve panel").first.is_visible()
    )
    tile_requests = [u for u in requests if "/iiif/3/" in u and u.endswith("/default.jpg")]
    assert tile_requests, requests
    assert any(u.endswith("/info.json") for u in requests)


def test_the_zoom_button_loads_openseadragon_only_when_asked(browser, live_server, tmp_path):
    assert OSD.exists(), "run scripts/install.sh (copies OpenSeadragon from npm)"
    pattern, _ = image_item(tmp_path)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}{pattern.url}")
    assert not any("openseadragon" in u for u in requests)
    assert page.evaluate("typeof window.OpenSeadragon") == "undefined"
    button = page.locator("button.zoom-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    viewer = page.locator(".zoom-viewer .openseadragon-canvas canvas").first
    viewer.wait_for(timeout=30_000)
    wait_for_image(viewer)
    assert button.get_attribute("aria-expanded") == "true"
    assert any(u.endswith("/info.json") for u in requests)
    button.click()  # closing gives the picture back
    assert page.locator(".zoom-viewer").count() == 0
    assert page.locator("figure picture").first.is_visible()
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
