"""The caption chooser under a recording's player: a visitor picks the Northern Qiandong
Miao track (uploaded as SRT) and the line being sung is written out under the player."""

from __future__ import annotations

import pytest
from django.utils import translation

from archive.captions.conversion import to_webvtt
from archive.captions.models import CaptionTrack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SRT = "1\n00:00:06,000 --> 00:00:08,500\nMongx mongl lix\n"


def test_the_chosen_track_writes_out_the_line_being_sung(phone, live_server, site):
    recording = site["recording"]
    CaptionTrack.objects.create(
        item=recording, language="hea", variety="排莫 Paimo", vtt=to_webvtt(SRT.encode())
    )
    CaptionTrack.objects.create(
        item=recording,
        language="en",
        vtt=to_webvtt(SRT.replace("Mongx mongl lix", "Go to the fields").encode()),
    )
    with translation.override("zh-hans"):
        path = recording.url
    phone.goto(live_server.url + "/en" + path + "#t=7")
    chooser = phone.locator("[data-captions] select")
    chooser.wait_for()
    options = chooser.locator("option").all_inner_texts()
    assert options == ["Off", "Northern Qiandong Miao (hea) · 排莫 Paimo", "English"]
    chooser.select_option(label="Northern Qiandong Miao (hea) · 排莫 Paimo")
    phone.evaluate("() => { const a = document.querySelector('audio'); a.currentTime = 7.2; }")
    line = phone.locator(".caption-line")
    phone.wait_for_function(
        "() => document.querySelector('.caption-line').textContent.includes('Mongx')"
    )
    assert line.get_attribute("lang") == "hea"
    chooser.select_option(label="English")
    phone.evaluate("() => { const a = document.querySelector('audio'); a.currentTime = 7.4; }")
    phone.wait_for_function(
        "() => document.querySelector('.caption-line').textContent.includes('Go to the fields')"
    )
    chooser.select_option(label="Off")
    assert line.inner_text() == ""
