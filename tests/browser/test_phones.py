"""The public site on a 390×844 phone in Chinese (issue 17): results first, targets an elder
can tap, a zoom that is light on a weak link. Sizes are measured in real Chromium; the
zoom's requests and bytes are printed (``-s``) as well as bounded."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests import search_support as support
from tests.iiif_support import image_item

pytestmark = pytest.mark.django_db(transaction=True)


def zh(page) -> str:
    with translation.override("zh-hans"):
        return page.url


@pytest.fixture
def searchable(settings, site):
    engine = support.configure(settings, "database")
    support.reindex(engine)
    return site


def test_the_first_search_result_is_on_the_first_screen(phone, live_server, searchable):
    phone.goto(live_server.url + "/search/?q=%E8%9D%B4%E8%9D%B6")  # 蝴蝶
    first = phone.locator("ol.hits li.hit").first.bounding_box()
    assert first["y"] + 44 < 844, first
    # The drawer opens with one tap; every facet link is a 44 px target.
    phone.get_by_text("筛选和排序").click()
    heights = phone.evaluate(
        "() => [...document.querySelectorAll('.facet a')]"
        ".map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_a_filtered_collection_keeps_its_items_on_the_first_screen(phone, live_server, site):
    phone.goto(live_server.url + zh(site["collections"]["embroidery"]) + "?motif=butterfly")
    card = phone.locator("ul.items li.item-card").first.bounding_box()
    assert card["y"] < 844, card
    summary = phone.locator("details.filters summary").bounding_box()
    assert summary["height"] >= 44
    assert phone.locator("details.filters summary").inner_text().startswith("筛选")


def test_zoom_is_light_labelled_in_chinese_and_keeps_the_picture_while_loading(
    browser, live_server, tmp_path, wagtail_root
):
    pattern, _ = image_item(tmp_path)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(live_server.url + zh(pattern))
    page.wait_for_load_state("networkidle")
    before = page.evaluate("performance.getEntriesByType('resource').length")
    page.locator("button.zoom-button").click()
    # The picture already on screen stays until the viewer is ready.
    assert page.locator("figure picture").first.is_visible()
    page.locator(".zoom-box:not(.loading) .openseadragon-canvas canvas").first.wait_for()
    page.wait_for_load_state("networkidle")
    entries = page.evaluate(
        """n => performance.getEntriesByType('resource').slice(n)
              .map(r => [r.name, r.transferSize || r.encodedBodySize])""",
        before,
    )
    total = sum(size for _, size in entries)
    print(f"\nzoom on a 390x844 DPR 3 phone: {len(entries)} requests, {total / 1024:.0f} KB")
    assert total <= 300 * 1024, entries
    buttons = page.locator(".zoom-control")
    assert buttons.count() == 3
    for i in range(3):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    titles = [buttons.nth(i).get_attribute("title") for i in range(3)]
    assert titles == ["放大", "缩小", "看全图"]
    context.close()
