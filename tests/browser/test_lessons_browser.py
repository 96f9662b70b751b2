"""A teacher on a phone builds a lesson from the item pages, shares it, and takes it offline
(issue 11): an audio clip chosen on the player, an image detail, the student view opened by
its link, the pack downloaded, unzipped and opened from file:// with networking off — the
detail shows and the clip plays from its start."""

from __future__ import annotations

import datetime
import re
import zipfile

import pytest
from django.test import Client
from django.utils import translation

from archive.lessons.models import Lesson
from archive.people.models import ConsentRecord
from tests import factories
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(page) -> str:
    with translation.override("zh-hans"):
        return page.url


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def test_a_teacher_builds_a_lesson_shares_it_and_opens_its_pack_offline(
    browser, live_server, site, tmp_path
):
    for item in (site["main"], site["recording"]):
        for ip in item.people.all():
            ConsentRecord.objects.create(
                person=ip.person,
                scope="education",
                granted_on=datetime.date(2024, 5, 1),
                recorded_by="fieldworker",
            )
    teacher = factories.user(groups=("Teachers",))
    context, page = signed_in(browser, live_server, teacher)

    # A clip, its start and end taken from the player's currentTime.
    page.goto(live_server.url + zh(site["recording"]))
    page.check("form[data-add-to-lesson] input[name=kind][value=clip]")
    page.evaluate(
        """async () => {
            const a = document.querySelector('audio');
            a.preload = 'auto'; a.load();
            await new Promise(
                r => a.readyState >= 1 ? r() : a.addEventListener('loadedmetadata', r));
            a.currentTime = 3;
            await new Promise(r => a.seeking ? a.addEventListener('seeked', r) : r());
        }"""
    )
    page.click("[data-now=start]")
    page.evaluate(
        """async () => {
            const a = document.querySelector('audio'); a.currentTime = 6;
            await new Promise(r => a.seeking ? a.addEventListener('seeked', r) : r());
        }"""
    )
    page.click("[data-now=end]")
    assert page.input_value("input[name=start]") == "3.0"
    assert page.input_value("input[name=end]") == "6.0"
    page.click("form[data-add-to-lesson] button[type=submit]")
    page.wait_for_url(re.compile(r".*/lessons/\d+/(#.*)?$"))
    lesson = Lesson.objects.get(owner=teacher)

    # A detail of the picture, its region entered.
    page.goto(live_server.url + zh(site["main"]))
    page.select_option("form[data-add-to-lesson] select[name=lesson]", str(lesson.pk))
    page.check("form[data-add-to-lesson] input[name=kind][value=detail]")
    for name, value in (("x", "400"), ("y", "300"), ("w", "600"), ("h", "450")):
        page.fill(f"form[data-add-to-lesson] input[name={name}]", value)
    page.click("form[data-add-to-lesson] button[type=submit]")
    page.wait_for_url(re.compile(rf".*/lessons/{lesson.pk}/(#.*)?$"))
    assert [s.kind for s in lesson.sources.all()] == ["clip", "detail"]
    assert lesson.sources.get(kind="clip").fragment == "t=3,6"

    # Shared by link: unlisted, opened by a student who is not signed in.
    page.goto(live_server.url + f"/lessons/{lesson.pk}/edit/")
    page.select_option("select[name=visibility]", "unlisted")
    page.click("form:has(select[name=visibility]) button[type=submit]")
    page.wait_for_url(f"**/lessons/{lesson.pk}/")
    student_url = page.get_attribute("a.student-link", "href")
    student = browser.new_context(viewport=PHONE, has_touch=True)
    spage = student.new_page()
    spage.goto(student_url)
    assert spage.locator("figure.detail img").evaluate("i => i.complete && i.naturalWidth") > 0
    assert spage.locator("audio source").first.get_attribute("src").endswith("#t=3,6")
    student.close()

    # The pack: its size is shown first, then it downloads.
    assert page.locator(".exports .size").inner_text().startswith("约")
    with page.expect_download() as download:
        page.click("a[href$='pack.zip']")
    zip_path = tmp_path / "lesson.zip"
    download.value.save_as(zip_path)
    context.close()
    folder = tmp_path / "usb"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(folder)

    offline = browser.new_context(viewport=PHONE, has_touch=True)
    offline.set_offline(True)
    opage = offline.new_page()
    opage.goto((folder / "index.html").as_uri())
    assert opage.locator("img").first.evaluate("i => i.complete && i.naturalWidth") == 600
    timing = opage.evaluate(
        """async () => {
            const a = document.querySelector('audio');
            a.muted = true;
            await a.play();
            await new Promise(r => setTimeout(r, 600));
            return {t: a.currentTime, d: a.duration, paused: a.paused};
        }"""
    )
    assert 0.1 < timing["t"] < 2.0, timing  # from the clip's start, not the recording's 3 s
    assert abs(timing["d"] - 3.0) < 0.2, timing
    # A transcript line seeks the clip.
    assert opage.locator("[data-seek]").count() >= 1
    offline.close()


def test_a_public_lesson_opens_offline_on_a_phone_and_leaves_it_once_taken_back(
    browser, live_server, site
):
    """The service worker keeps the student view of a public lesson of public sources (it
    says ``public``); offline it opens; once the lesson is made private the next online
    visit (a 404) deletes the kept copy, and offline it is gone."""
    from archive.lessons.models import LessonSource

    teacher = factories.user(groups=("Teachers",))
    lesson = Lesson.objects.create(
        owner=teacher, title="蝴蝶妈妈离线课", subject="meishu", grade=4, visibility="public"
    )
    LessonSource.objects.create(lesson=lesson, item=site["main"], position=0)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    url = live_server.url + lesson.student_path()
    page.goto(url)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.goto(url)  # now under the worker: the page is kept
    kept = "() => caches.open('mha-offline-v1').then(c => c.keys()).then(k => k.map(r => r.url))"
    page.wait_for_function(f"() => ({kept})().then(u => u.includes({url!r}))")
    context.set_offline(True)
    page.goto(url)
    assert "蝴蝶妈妈离线课" in page.content()
    context.set_offline(False)
    lesson.visibility = "private"
    lesson.save()
    page.goto(url)
    page.wait_for_function(f"() => ({kept})().then(u => !u.includes({url!r}))")
    context.set_offline(True)
    page.goto(url)
    assert "蝴蝶妈妈离线课" not in page.content()
    context.close()
