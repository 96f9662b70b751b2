"""Consent that holds over time: a withdrawal reaches every door, on every search engine.

A public embroidery pattern shows its artisan; she withdraws her public-web consent. Every
door that showed the item (the page, its files, IIIF image/info/manifest/Dublin Core, search
and suggest, the sitemap) must then answer as for a missing item, and nothing else may
change. The multi-process sweep (two web processes, a worker, a shared cache) is in
``test_withdrawal_sweep.py``.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from archive.people.models import ConsentRecord
from search import engines, indexing
from tests import factories
from tests.iiif_support import image_item
from tests.search_support import configure

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "opensearch", "elasticsearch"])
def engine(request, settings):
    engine = configure(settings, request.param)
    yield engine
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


def doors(item, image) -> dict[str, str]:
    """Every public URL that shows the item or its picture."""
    return {
        "page": item.url,
        "thumbnail": f"/assets/{image.pk}/thumb",
        "iiif info": f"/iiif/3/{image.pk}/info.json",
        "iiif image": f"/iiif/3/{image.pk}/full/200,/0/default.jpg",
        "manifest": f"/iiif/3/item/{item.pk}/manifest",
        "dublin core": f"/iiif/3/item/{item.pk}/dc.json",
    }


def shows(client, item) -> dict[str, bool]:
    """Where the item is found by a visitor: search, suggest, sitemap."""
    found = client.get("/api/v1/search", {"q": "蝴蝶妈妈"}).json()
    suggest = client.get("/api/v1/search/suggest", {"q": "Butterfly"}).json()
    sitemap = client.get("/sitemap.xml").content.decode()
    return {
        "search": any(r["url"].endswith(item.url) for r in found["results"]),
        "suggest": any("Butterfly" in s for s in suggest["suggestions"]),
        "sitemap": item.url in sitemap,
    }


@pytest.fixture
def published(tmp_path, settings):
    settings.MHA_PAGE_CACHE_SECONDS = 300  # the page cache is on, as in production
    cache.clear()
    item, image = image_item(tmp_path)
    other = factories.recording(
        factories.site_tree()[1]["dialects"], speaker=factories.person(), title="古歌"
    )
    indexing.index_items([item.pk, other.pk])
    return item, image, other


def test_withdrawing_consent_takes_the_item_off_every_door(
    engine, published, client, django_capture_on_commit_callbacks
):
    item, image, other = published
    for name, url in doors(item, image).items():
        assert client.get(url).status_code == 200, name
    client.get(item.url)
    assert client.get(item.url)["X-Page-Cache"] == "hit"  # warm in the page cache too
    assert shows(client, item) == {"search": True, "suggest": True, "sitemap": True}

    # The curator records the withdrawal, as the admin form does.
    consent = ConsentRecord.objects.get(person__name_en="Wang Meiying", scope="public_web")
    consent.withdrawn_on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()

    for name, url in doors(item, image).items():
        assert client.get(url).status_code == 404, f"{name} still answers after withdrawal"
    assert shows(client, item) == {"search": False, "suggest": False, "sitemap": False}
    # Nothing else changed: the other item is still on its doors, the evidence is kept.
    assert client.get(other.url).status_code == 200
    assert ConsentRecord.objects.filter(pk=consent.pk, withdrawn_on__isnull=False).exists()
    item.refresh_from_db()
    assert not item.live


def test_the_consent_command_withdraws_and_lists_the_affected_items(
    published, django_capture_on_commit_callbacks
):
    item, _, other = published
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "consent",
            "withdraw",
            item.people.get().person.slug,
            "--scope",
            "public_web",
            "--json",
            stdout=out,
        )
    report = json.loads(out.getvalue())
    assert [i["id"] for i in report["affected_items"]] == [item.pk]
    assert report["withdrawn"][0]["scope"] == "public_web"
    item.refresh_from_db()
    other.refresh_from_db()
    assert not item.live and other.live


def test_the_consent_command_refuses_an_unknown_person():
    with pytest.raises(CommandError, match="no person"):
        call_command("consent", "withdraw", "nobody-here", stdout=io.StringIO())


def test_a_new_grant_is_recorded_but_publishes_nothing(published):
    item, _, _ = published
    person = item.people.get().person
    call_command("consent", "withdraw", person.slug, stdout=io.StringIO())
    out = io.StringIO()
    call_command("consent", "grant", person.slug, "--scope", "public_web", "--json", stdout=out)
    assert json.loads(out.getvalue())["granted"]["scope"] == "public_web"
    assert person.has_consent("public_web", item)
    item.refresh_from_db()
    assert not item.live  # curators decide whether it goes back up


def test_a_consent_withdrawn_today_no_longer_counts():
    person = factories.person(consent="public_web")
    record = person.consents.get()
    record.withdrawn_on = timezone.localdate()
    record.save()
    assert not person.has_consent("public_web")
    record.withdrawn_on = timezone.localdate() + timedelta(days=1)
    record.save()
    assert person.has_consent("public_web")  # withdrawn from tomorrow: still valid today


def test_a_consent_for_one_item_does_not_cover_another():
    _, collections = factories.site_tree()
    person = factories.person(consent=None)
    first = factories.recording(collections["dialects"], speaker=person, live=False)
    second = factories.recording(collections["dialects"], speaker=person, live=False)
    ConsentRecord.objects.create(
        person=person,
        scope="public_web",
        item=first,
        granted_on=timezone.localdate(),
        recorded_by="fieldworker",
    )
    assert person.has_consent("public_web", first)
    assert not person.has_consent("public_web", second)


def test_an_expired_item_is_down_at_once_and_the_worker_unpublishes_it(
    published, client, django_capture_on_commit_callbacks
):
    from archive.items.models import ItemPage
    from archive.workers.management.commands.worker import recover

    item, image, other = published
    assert client.get(item.url).status_code == 200
    ItemPage.objects.filter(pk=item.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    cache.clear()  # the page cache is cleared by the unpublish; here nothing happened yet
    for name, url in doors(item, image).items():
        assert client.get(url).status_code == 404, f"{name} still answers after expiry"
    with django_capture_on_commit_callbacks(execute=True):
        recover()  # what every worker heartbeat does
    item.refresh_from_db()
    assert not item.live and item.expired
    assert shows(client, item) == {"search": False, "suggest": False, "sitemap": False}
    assert client.get(other.url).status_code == 200


def test_a_curators_withdraw_action_takes_the_item_down(
    published, client, django_capture_on_commit_callbacks
):
    item, _, other = published
    curator = factories.user(groups=("Curators",), is_staff=True)
    consent = ConsentRecord.objects.get(person=item.people.get().person, scope="public_web")
    client.force_login(curator)
    url = f"/admin/snippets/people/consentrecord/withdraw/{consent.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"withdrawn_on": timezone.localdate().isoformat(), "reason": "asked by phone"}
        )
    assert response.status_code in (200, 302)
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate() and consent.withdrawal.reason
    item.refresh_from_db()
    other.refresh_from_db()
    assert not item.live and other.live


def test_a_withdrawal_entered_for_a_later_day_takes_effect_on_that_day(
    published, monkeypatch, django_capture_on_commit_callbacks
):
    from archive.workers.management.commands.worker import recover

    item, _, _ = published
    consent = ConsentRecord.objects.get(person=item.people.get().person, scope="public_web")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(tomorrow, reason="from tomorrow")
    item.refresh_from_db()
    assert item.live  # still consented today
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        recover()  # the worker's next beat on that day
    item.refresh_from_db()
    assert not item.live
