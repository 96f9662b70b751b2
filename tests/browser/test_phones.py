"""The public site on a 390×844 phone in Chinese (issue 17): results first, targets an elder
can tap, a zoom that is light on a weak link. Sizes are measured in real Chromium; the
zoom's requests and bytes are printed (``-s``) as well as bounded."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from tests import search_support as support
from tests.iiif_support import image_item

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]


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


def test_collection_cards_fetch_a_card_sized_picture_at_any_pixel_density(
    browser, live_server, site
):
    """A card is about 170 CSS px wide, a home cover 120: a DPR-3 phone is given the Image
    API's 260 px cut (a third of the stored 400 px thumbnail's bytes), not the thumbnail."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server.url + zh(site["collections"]["embroidery"]))
    first = page.locator("ul.items li.item-card img").first
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('ul.items li.item-card img');"
        " return i && i.currentSrc && i.complete && i.naturalWidth > 0; }"
    )
    src = first.evaluate("i => i.currentSrc")
    assert "/full/260,/0/default.webp" in src, src
    assert page.request.get(src).status == 200
    # The home page's collection covers (120 CSS px on a phone) take the same cut.
    page.goto(live_server.url + zh(site["home"]))
    cover = page.locator(".collection-card img").first
    page.wait_for_function(
        "() => { const i = document.querySelector('.collection-card img');"
        " return i && i.currentSrc && i.complete; }"
    )
    assert "/full/260,/0/default.webp" in cover.evaluate("i => i.currentSrc")
    context.close()


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


# --- offline repeat visits, large type, read-aloud ------------------------------------------
def _sw_ready(page) -> None:
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => !!navigator.serviceWorker.controller || true")


def test_a_visited_item_opens_offline_and_leaves_the_phone_once_withdrawn(
    browser, live_server, site
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    url = live_server.url + zh(site["main"])
    page.goto(url)
    _sw_ready(page)
    page.goto(url)  # now under the worker: the page is kept
    kept = "() => caches.open('mha-offline-v1').then(c => c.keys()).then(k => k.map(r => r.url))"
    page.wait_for_function(f"() => ({kept})().then(u => u.includes({url!r}))")
    context.set_offline(True)
    page.goto(url)
    assert page.locator("h1").first.inner_text() == "蝴蝶妈妈袖片"
    context.set_offline(False)
    # Unpublished (as a withdrawal does): the next online visit deletes the kept copy.
    site["main"].unpublish()
    page.goto(url)
    page.wait_for_function(f"() => ({kept})().then(u => !u.includes({url!r}))")
    context.set_offline(True)
    page.goto(url)
    assert "蝴蝶妈妈袖片" not in page.content()
    context.close()


def test_large_type_is_a_switch_that_is_remembered_without_a_cookie(phone, live_server, site):
    phone.goto(live_server.url + zh(site["main"]))
    before = phone.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    button = phone.get_by_role("button", name="大字")
    box = button.bounding_box()
    assert box["height"] >= 44
    button.click()
    phone.reload()
    assert "large" in phone.evaluate("() => document.documentElement.className")
    after = phone.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.2, (before, after)
    assert phone.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
    assert phone.context.cookies() == [] or all(
        "large" not in c["name"] for c in phone.context.cookies()
    )


def test_read_aloud_uses_the_phones_own_voice_in_chinese(phone, live_server, site):
    phone.add_init_script(
        """window.__spoken = [];
        if (window.speechSynthesis) {
          window.speechSynthesis.speak = u => window.__spoken.push({lang: u.lang, text: u.text});
        }"""
    )
    phone.goto(live_server.url + zh(site["main"]))
    button = phone.get_by_role("button", name="朗读")
    button.click()
    spoken = phone.evaluate("() => window.__spoken")
    assert spoken and spoken[0]["lang"] == "zh-CN"
    assert "蝴蝶妈妈袖片" in spoken[0]["text"] and "破线绣" in spoken[0]["text"]
    assert button.get_attribute("aria-pressed") == "true"


def _longest_demo_pattern() -> dict:
    """The demo pattern with the most text (description, meaning, story): what must fit."""
    rows = yaml.safe_load((REPO / "collections" / "demo" / "items.yaml").read_text("utf-8"))
    rows = rows["items"] if isinstance(rows, dict) else rows
    texts = ("description_zh", "meaning_zh", "story_zh")
    return max(
        (r for r in rows if r.get("collection") == "embroidery"),
        key=lambda r: sum(len(r.get(k) or "") for k in texts),
    )


@pytest.mark.parametrize("large_type", [False, True], ids=["normal", "大字"])
def test_a_pattern_prints_on_one_a4_page_with_picture_description_and_citation(
    browser, live_server, site, tmp_path, large_type
):
    main = site["main"]
    demo = _longest_demo_pattern()
    for field in ("description_zh", "meaning_zh", "story_zh", "placement_zh", "colours_zh"):
        setattr(main, field, demo[field])
    main.width_cm, main.height_cm = demo["width_cm"], demo["height_cm"]
    main.save_revision().publish()
    context = browser.new_context()
    page = context.new_page()
    if large_type:
        page.add_init_script("localStorage.setItem('mha-large', '1')")
    page.goto(live_server.url + zh(main))
    page.emulate_media(media="print")
    for hidden in (".site-header", "form.search", ".site-footer", ".related", ".reader-tools"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ("h1", ".media img", ".prose", ".cite"):
        assert page.locator(shown).first.is_visible(), shown
    assert demo["story_zh"][:12] in page.locator(".prose").inner_text()
    pdf = tmp_path / "item.pdf"
    page.pdf(path=str(pdf), format="A4")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    print(f"\na pattern printed on A4 (大字 {large_type}): {pages} page(s)")
    assert pages == 1, pages
    assert "MHA-EMB-9001" in text and "引用" in text  # the citation made it onto the page
    context.close()
