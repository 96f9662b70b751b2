"""A visitor on a phone: browsing, playing a recording, following its transcript, switching
language, the weight of a page, and an accessibility check of each kind of page."""

from __future__ import annotations

import pytest
from django.utils import translation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The most an item page may transfer before the visitor asks for media.
BUDGET = 250 * 1024


def url_of(page) -> str:
    with translation.override("zh-hans"):
        return page.url


def shot(page, screenshot_dir, name):
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)


def test_browse_from_home_to_a_collection_to_an_item(phone, live_server, site, screenshot_dir):
    phone.goto(live_server.url + "/en/")
    shot(phone, screenshot_dir, "home")
    phone.get_by_role("link", name="embroidery").first.click()
    phone.wait_for_url("**/en/embroidery/")
    assert phone.locator("h1").inner_text() == "embroidery"
    shot(phone, screenshot_dir, "collection")
    phone.get_by_role("link", name="Butterfly Mother sleeve panel").click()
    phone.wait_for_url("**/en/embroidery/mha-emb-9001/")
    assert phone.locator("h1").inner_text() == "Butterfly Mother sleeve panel"
    assert "by Wang Meiying" in phone.locator(".sentence").inner_text()
    shot(phone, screenshot_dir, "item")


def test_a_filter_narrows_the_collection(phone, live_server, site):
    phone.goto(live_server.url + "/en/embroidery/")
    phone.locator("summary").click()
    phone.get_by_label("Motif").select_option("dragon")
    phone.get_by_role("button", name="Show items").click()
    phone.wait_for_url("**/en/embroidery/?motif=dragon**")
    cards = phone.locator(".items .item-title").all_inner_texts()
    assert cards == ["Dragon collar"]


def test_switching_language_keeps_the_page(phone, live_server, site):
    phone.goto(live_server.url + url_of(site["main"]))
    assert phone.locator("html").get_attribute("lang") == "zh-Hans"
    assert phone.locator("h1").inner_text() == "蝴蝶妈妈袖片"
    phone.locator("nav.lang").get_by_role("link", name="English").click()
    phone.wait_for_url("**/en/embroidery/mha-emb-9001/")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Butterfly Mother sleeve panel"


def test_a_transcript_line_seeks_the_recording_and_is_highlighted(phone, live_server, site):
    phone.goto(live_server.url + "/en" + url_of(site["recording"]))
    audio = phone.locator("audio")
    assert audio.evaluate("a => a.currentTime") == 0
    phone.locator(".transcript li", has_text="To the fields").click()
    phone.wait_for_function("() => document.querySelector('audio').currentTime >= 5.9")
    assert phone.locator(".transcript li.now").inner_text().count("To the fields") == 1
    assert phone.evaluate("location.hash") == "#t=6"
    # The waveform was drawn from the peaks derivative.
    phone.wait_for_selector(".wave canvas")
    assert phone.locator(".wave").is_visible()


def test_a_time_in_the_address_starts_the_recording_there(phone, live_server, site):
    phone.goto(live_server.url + "/en" + url_of(site["recording"]) + "#t=7")
    phone.wait_for_function("() => document.querySelector('audio').currentTime >= 6.9")
    phone.wait_for_selector(".transcript li.now")
    assert "To the fields" in phone.locator(".transcript li.now").inner_text()


def test_the_translation_toggles_between_miao_chinese_and_english(phone, live_server, site):
    phone.goto(live_server.url + "/en" + url_of(site["recording"]))
    line = phone.locator(".transcript li").nth(1)
    assert (
        line.locator("[data-lang=zh]").is_visible() and line.locator("[data-lang=en]").is_visible()
    )
    phone.get_by_role("button", name="中文").click()
    assert line.locator("[data-lang=zh]").is_visible()
    assert not line.locator("[data-lang=en]").is_visible()
    assert not line.locator("[data-lang=hmn]").is_visible()
    phone.get_by_role("button", name="Miao language").click()  # 苗语 in Chinese
    assert line.locator("[data-lang=hmn]").is_visible()
    assert not line.locator("[data-lang=zh]").is_visible()


def test_without_javascript_the_recording_and_full_transcript_are_there(browser, live_server, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/en" + url_of(site["recording"]))
    assert page.locator("audio[controls]").count() == 1
    for text in ("We sing", "我们唱歌", "Dail hxak"):
        assert page.get_by_text(text).is_visible()
    page.goto(live_server.url + "/en/")
    assert page.locator(".village-list li").count() >= 1
    context.close()


def _transferred(page) -> tuple[int, list[str]]:
    return page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const res = performance.getEntriesByType('resource');
          const total = nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0);
          return [total, res.map(r => r.name)];
        }"""
    )


@pytest.mark.parametrize("dpr", [1, 3])
@pytest.mark.parametrize("which", ["main", "recording"])
def test_an_item_page_weighs_at_most_250_kb_before_media_is_asked_for(
    browser, live_server, site, which, dpr
):
    # A dense phone screen (DPR 3) picks the 1200w picture for the first image.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=dpr)
    phone = context.new_page()
    seen: list[int] = []
    phone.on("response", lambda r: seen.append(len(r.body()) if r.ok and r.status != 206 else 0))
    phone.goto(live_server.url + "/en" + url_of(site[which]))
    phone.wait_for_load_state("networkidle")
    phone.mouse.wheel(0, 5000)  # below-the-fold pictures load too
    phone.wait_for_load_state("networkidle")
    total, names = _transferred(phone)
    context.close()
    assert total <= BUDGET, (total, names)
    assert sum(seen) <= BUDGET, sum(seen)
    assert not [n for n in names if n.endswith(("/opus", "/aac", "/mp4-480", "/mp4-240"))]


def test_low_bandwidth_mode_shows_pictures_only_when_tapped(phone, live_server, site):
    phone.goto(live_server.url + "/en" + url_of(site["main"]))
    assert phone.locator(".media img").count() == 1
    phone.get_by_role("link", name="Turn on low-bandwidth mode").click()
    phone.wait_for_url("**/en/embroidery/mha-emb-9001/")
    assert phone.locator("img").count() == 0
    phone.get_by_role("link", name="Show picture").click()
    img = phone.locator(".media img")
    assert img.count() == 1 and img.get_attribute("src").endswith("/thumb")


@pytest.mark.parametrize("where", ["home", "collection", "main", "recording"])
def test_no_serious_accessibility_violations(phone, live_server, site, axe, where):
    urls = {
        "home": "/",
        "collection": url_of(site["collections"]["embroidery"]),
        "main": url_of(site["main"]),
        "recording": url_of(site["recording"]),
    }
    for prefix in ("", "/en"):
        phone.goto(live_server.url + prefix + urls[where])
        phone.wait_for_load_state("networkidle")
        violations = axe(phone)
        assert not violations, [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
        ]


def test_tap_targets_are_at_least_44_pixels(phone, live_server, site):
    phone.goto(live_server.url + "/en" + url_of(site["recording"]))
    small = phone.evaluate(
        """() => [...document.querySelectorAll(
              'main a, main button, header a, header button, header input, main select, footer a')]
            .filter(e => e.offsetParent !== null && !e.closest('p, dd, li.village, .cite'))
            .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert not small, small
