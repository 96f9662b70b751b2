"""Real headless Chromium (Debian's) on a phone viewport, against pytest-django's live_server.

Playwright drives /usr/bin/chromium; a browser download is never attempted. axe-core is read
from .cache/ where scripts/install.sh puts it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import site_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe-4.11.0.min.js"


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one test module.

    Playwright's sync API runs an event loop in this thread, and Django then refuses ORM
    calls; the ones the fixtures make between browser steps are synchronous and safe, so
    DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser runs and removed with it (it must not
    leak into other tests: ``check --deploy`` rightly refuses it).
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/install.sh test installs Debian's chromium")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def site(wagtail_root, tmp_path, settings):
    settings.ALLOWED_HOSTS = ["*"]
    return site_data.build(tmp_path, media=True)


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install.sh test (it fetches axe-core)")

    def check(page) -> list[dict]:
        # Evaluated by the test tool, not added as a <script>: the site's Content-Security-
        # Policy (rightly) refuses inline scripts, and it stays on for what axe examines.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return check


@pytest.fixture
def screenshot_dir() -> Path | None:
    """Set MHA_SCREENSHOTS=/some/dir to keep phone screenshots of the pages tested."""
    folder = os.environ.get("MHA_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path
