"""A lesson's IIIF manifest in a real IIIF viewer: Mirador on another origin opens a public
lesson's manifest (a whole-item canvas, then a detail) and draws the picture from our
tiles; once the picture's item is taken down, the manifest holds nothing a viewer could
open and Mirador draws nothing.

Mirador 3.4.3 does not draw a detail canvas (its bundle knows no ``SpecificResource`` body
nor ``ImageApiSelector``: the standard way a region of an image service is painted), so the
test opens the lesson on its whole-item canvas; the detail canvas is checked by the IIIF
validator in tests/test_lessons.py."""

from __future__ import annotations

import pytest

from archive.lessons.models import Lesson, LessonSource
from tests import factories
from tests.iiif_support import image_item
from tests.test_iiif_browser import (  # noqa: F401 (fixtures)
    MIRADOR,
    browser,
    shows_our_image,
    viewer_site,
    wait_for_image,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_root"),
]


def _mirador(manifest: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
    <div id="m" style="position:absolute;inset:0"></div>
    <script src="mirador.min.js"></script>
    <script>Mirador.viewer({{id: "m", workspaceControlPanel: {{enabled: false}},
      window: {{allowClose: false, sideBarOpen: false, defaultView: "single"}},
      windows: [{{manifestId: "{manifest}"}}]}});</script></body></html>"""


def test_mirador_opens_a_lesson_manifest_and_draws_its_picture(
    browser,  # noqa: F811
    live_server,
    viewer_site,  # noqa: F811
    tmp_path,
    client,
):
    assert MIRADOR.exists(), "run scripts/install.sh test (unpacks Mirador from npm)"
    site_root, site_url = viewer_site
    pattern, image = image_item(tmp_path)
    teacher = factories.user(groups=("Teachers",))
    lesson = Lesson.objects.create(
        owner=teacher, title="蝴蝶妈妈一课", subject="meishu", grade=4, visibility="public"
    )
    LessonSource.objects.create(lesson=lesson, item=pattern, kind="item", position=0)
    LessonSource.objects.create(
        lesson=lesson,
        item=pattern,
        asset=image,
        kind="detail",
        x=20,
        y=20,
        w=400,
        h=300,
        position=1,
    )
    manifest = f"{live_server.url}/lessons/{lesson.pk}/manifest"
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    (site_root / "index.html").write_text(_mirador(manifest), encoding="utf-8")
    page.goto(f"{site_url}/index.html")
    canvas = page.locator(".openseadragon-canvas canvas").first
    canvas.wait_for(timeout=30_000)
    wait_for_image(canvas)
    assert page.get_by_text("蝴蝶妈妈一课").first.is_visible()
    assert any(u.endswith("/info.json") for u in requests)
    assert any("/iiif/3/" in u and u.endswith("/default.jpg") for u in requests)

    # The item is taken down: the lesson's manifest has nothing left to open.
    pattern.unpublish()
    assert client.get(f"/lessons/{lesson.pk}/manifest").status_code == 404
    again = browser.new_page(viewport={"width": 1100, "height": 800})
    again.goto(f"{site_url}/index.html")
    again.wait_for_timeout(4000)
    canvases = again.locator(".openseadragon-canvas canvas")
    assert canvases.count() == 0 or not shows_our_image(canvases.first.screenshot())
