"""A term's recorded Miao pronunciation: a play button beside the term on the item page and
an audio door, for every role while the speaker's public-web consent stands; after a
withdrawal the door is 404 for everyone and the button is gone (also from the page cache)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.test import Client
from django.utils import timezone

from archive.access import policy
from archive.items.models import CollectionPage, EmbroideryPatternPage
from archive.pronunciations.models import Pronunciation
from archive.vocabularies.models import Motif, Technique
from demo.mediamaker import audio as make
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "registered", "member", "teacher", "contributor", "curator")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _upload(path):
    return File(open(path, "rb"), name=path.name)


@pytest.fixture
def world(tmp_path):
    factories.site_tree()
    butterfly = Motif.objects.create(slug="pron-butterfly", label_zh="蝴蝶", label_hmn="gangb")
    split = Technique.objects.create(slug="pron-split", label_zh="破线绣")
    speaker = factories.person(is_speaker=True)
    pattern = EmbroideryPatternPage(
        title="蝴蝶袖片",
        title_en="Butterfly sleeve",
        identifier="MHA-EMB-PRON-1",
        slug="emb-pron-1",
        access_level="public",
    )
    CollectionPage.objects.get(slug="embroidery").add_child(instance=pattern)
    pattern.motifs.set([butterfly])
    pattern.techniques.set([split])
    pattern.save_revision().publish()
    pron = Pronunciation(motif=butterfly, speaker=speaker)
    pron.upload = _upload(make.tone(tmp_path / "gangb.m4a", 1.0))
    pron.full_clean()
    pron.save()
    community = factories.person(consent=None, kind="community")
    other = factories.person(consent=None, kind="community")
    users = factories.role_users(community, other)
    return {"pattern": pattern, "pron": pron, "speaker": speaker, "users": users}


def _client(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _seen(client, world) -> tuple[bool, int]:
    page = client.get(world["pattern"].url).content.decode()
    button = re.search(r'<button type="button" class="pron-play"[^>]*>', page)
    audio = client.get(world["pron"].audio_url())
    if button:
        assert 'preload="none"' in page
        assert "Miao pronunciation" in page or "苗语读音" in page
    return bool(button), audio.status_code


def test_every_role_hears_it_until_the_consent_is_withdrawn(
    world, django_capture_on_commit_callbacks
):
    for role in ROLES:
        client = _client(world, role)
        assert _seen(client, world) == (True, 200), role
        body = client.get(world["pron"].audio_url())
        assert body["Content-Type"].startswith("audio/")
    # The anonymous page is now in the page cache; the withdrawal must leave it behind.
    consent = world["speaker"].consents.get()
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(timezone.localdate(), reason="asked to")
    for role in ROLES:
        assert _seen(_client(world, role), world) == (False, 404), role


def test_a_withdrawal_entered_in_advance_takes_effect_on_its_day(world):
    day = timezone.localdate() + datetime.timedelta(days=3)
    world["speaker"].consents.get().withdraw(day)
    assert _seen(Client(), world) == (True, 200)
    heard = Pronunciation.objects.filter(pk=world["pron"].pk)
    assert heard.filter(policy.speaker_consents_q(on=day - datetime.timedelta(days=1))).exists()
    assert not heard.filter(policy.speaker_consents_q(on=day)).exists()


def test_a_picture_is_refused_with_the_reason(world, tmp_path):
    from demo.mediamaker import images

    path = images.texture(tmp_path / "not-a-sound.jpg", 32, 32)
    pron = Pronunciation(motif=world["pron"].motif, speaker=world["speaker"])
    pron.upload = _upload(path)
    with pytest.raises(ValidationError) as err:
        pron.full_clean()
    assert "A pronunciation must be a sound recording." in str(err.value)
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all")
    pron.upload = _upload(text)
    with pytest.raises(ValidationError) as err:
        pron.full_clean()
    assert err.value.message_dict["upload"][0]


def test_the_demo_speaks_three_terms_in_miao(settings, tmp_path):
    from archive.vocabularies.loader import DATA_DIR, load_all_vocabularies, read_yaml
    from demo.loader import load_people
    from demo.pronunciations import load_pronunciations

    settings.VAR_DIR = tmp_path
    load_all_vocabularies()
    load_people(read_yaml(DATA_DIR / "demo" / "people.yaml"))
    assert load_pronunciations(progress=lambda *a: None) == 3
    assert load_pronunciations(progress=lambda *a: None) == 0  # idempotent
    heard = Pronunciation.objects.shown()
    assert {p.motif.slug for p in heard} == {"butterfly", "butterfly-mother", "dragon"}
    assert all(p.audio.kind == "audio" and p.audio.probe for p in heard)


def test_curators_add_one_in_the_admin_in_chinese(world):
    client = _client(world, "curator")
    page = client.get(
        "/admin/snippets/pronunciations/pronunciation/add/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    assert "读音" in page.content.decode()
    zh = Client().get(world["pattern"].url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "苗语读音" in zh
