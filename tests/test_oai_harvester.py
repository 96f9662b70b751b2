"""An unmodified third-party harvester (Sickle, from the registry) harvests the archive over
HTTP: the whole list through resumption tokens, then incrementally after an edit and after
a withdrawal, which arrives as a deleted record."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from archive.items.consent import take_down_without_consent
from tests import factories


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def archive(wagtail_root, settings):
    settings.MHA_OAI_PAGE_SIZE = 2  # five records: three responses, two tokens
    _, collections = factories.site_tree()
    items = []
    for n in range(5):
        speaker = factories.person()
        items.append(
            publish(
                factories.recording(
                    collections["dialects"], speaker=speaker, identifier=f"MHA-HARVEST-{n}"
                )
            )
        )
    factories.recording(collections["dialects"], access="restricted", identifier="MHA-HIDDEN")
    return items


def local(identifier: str) -> str:
    return identifier.rsplit(":", 1)[1]


def utc_second(ts: datetime.datetime) -> str:
    return ts.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sickle_harvests_everything_then_only_what_changed(live_server, archive):
    harvester = Sickle(f"{live_server.url}/oai", max_retries=0)
    assert harvester.Identify().deletedRecord == "persistent"

    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    assert sorted(local(r.header.identifier) for r in records) == [
        f"MHA-HARVEST-{n}" for n in range(5)
    ]
    assert all(not r.deleted and r.metadata["identifier"] for r in records)
    rich = list(harvester.ListRecords(metadataPrefix="mha_qdc"))
    assert len(rich) == 5

    since = utc_second(timezone.now() + datetime.timedelta(seconds=1))
    time.sleep(2)  # the next changes fall in a later second than the first harvest
    with pytest.raises(NoRecordsMatch):
        list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": since}))

    edited, withdrawn = archive[0], archive[1]
    edited.title_en = "Edited after the first harvest"
    publish(edited)
    speaker = withdrawn.people.first().person
    consent = speaker.consents.first()
    consent.withdraw(on=consent.granted_on)
    take_down_without_consent(speaker)

    changes = {
        local(r.header.identifier): r
        for r in harvester.ListRecords(metadataPrefix="oai_dc", **{"from": since})
    }
    assert set(changes) == {edited.identifier, withdrawn.identifier}
    assert "Edited after the first harvest" in changes[edited.identifier].metadata["title"]
    assert changes[withdrawn.identifier].deleted
    assert not changes[edited.identifier].deleted
