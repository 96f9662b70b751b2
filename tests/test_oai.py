"""OAI-PMH 2.0 at /oai, as a harvester sees it.

Every ``oai_dc`` record is validated with lxml against the official ``oai_dc.xsd`` and
simple DC schemas, vendored in ``tests/xsd/`` (SOURCES.md names where they come from).
Every response is validated against ``OAI-PMH.xsd`` (vendored too; its wildcards skip the
metadata, which the oai_dc schema checks), and ``assert_valid`` also checks, element by
element, what the protocol asks beyond the schema: the order inside Identify, header and
record, the oai_dc container holding only the 15 DC elements, deleted headers without
metadata, the resumption token last.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from archive.oai.models import Tombstone
from tests import factories
from tests.xsd import schema

#: The official oai_dc schema (and simple DC, which it imports), vendored: tests/xsd/.
OAI_DC_SCHEMA = schema("oai_dc.xsd")
#: The protocol's own schema, for the envelope of every response.
OAI_PMH_SCHEMA = schema("OAI-PMH.xsd")

pytestmark = pytest.mark.django_db

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DC_ELEMENTS = {
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
}
VERB_ELEMENTS = {
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "GetRecord",
    "ListIdentifiers",
    "ListRecords",
}
ERROR_CODES = {
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
}


def _tags(el) -> list[str]:
    return [c.tag for c in el]


def _assert_header(header) -> None:
    tags = _tags(header)
    assert tags[:2] == [f"{OAI}identifier", f"{OAI}datestamp"], tags
    assert all(t == f"{OAI}setSpec" for t in tags[2:]), tags
    assert header.find(f"{OAI}identifier").text.startswith("oai:")
    assert UTC.match(header.find(f"{OAI}datestamp").text)
    assert header.get("status") in (None, "deleted")


def _assert_record(record) -> None:
    tags = _tags(record)
    _assert_header(record[0])
    if record[0].get("status") == "deleted":
        assert tags == [f"{OAI}header"], "a deleted record carries no metadata"
        return
    assert tags == [f"{OAI}header", f"{OAI}metadata"], tags
    (dc,) = list(record[1])
    if dc.tag == "{https://miao-heritage.archive/ns/mha-qdc/1.0/}qdc":
        return  # the richer format: validated against its own schema in test_oai_facets
    assert dc.tag == f"{OAI_DC}dc"
    OAI_DC_SCHEMA.assertValid(etree.fromstring(ET.tostring(dc)))
    assert dc.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    for element in dc:
        assert element.tag.startswith(DC) and element.tag[len(DC) :] in DC_ELEMENTS, element.tag
        assert len(element) == 0 and (element.text or "").strip()


def assert_valid(root) -> None:
    """What OAI-PMH.xsd and oai_dc.xsd require of a response."""
    assert root.tag == f"{OAI}OAI-PMH"
    tags = _tags(root)
    assert tags[:2] == [f"{OAI}responseDate", f"{OAI}request"], tags
    assert UTC.match(root[0].text)
    assert root[1].text.startswith("http")
    rest = root[2:]
    if rest[0].tag == f"{OAI}error":
        assert all(e.tag == f"{OAI}error" and e.get("code") in ERROR_CODES for e in rest)
        return
    assert len(rest) == 1 and rest[0].tag[len(OAI) :] in VERB_ELEMENTS, tags
    body = rest[0]
    verb = body.tag[len(OAI) :]
    children = list(body)
    if children and children[-1].tag == f"{OAI}resumptionToken":
        token = children.pop()
        assert set(token.attrib) <= {"expirationDate", "completeListSize", "cursor"}
        if "expirationDate" in token.attrib:
            assert UTC.match(token.get("expirationDate"))
    if verb == "Identify":
        expected = [
            "repositoryName",
            "baseURL",
            "protocolVersion",
            "adminEmail",
            "earliestDatestamp",
            "deletedRecord",
            "granularity",
        ]
        assert [t[len(OAI) :] for t in _tags(body)] == expected
        assert body.find(f"{OAI}deletedRecord").text in ("no", "persistent", "transient")
    elif verb == "ListMetadataFormats":
        for fmt in children:
            assert [t[len(OAI) :] for t in _tags(fmt)] == [
                "metadataPrefix",
                "schema",
                "metadataNamespace",
            ]
    elif verb == "ListSets":
        for entry in children:
            assert [t[len(OAI) :] for t in _tags(entry)][:2] == ["setSpec", "setName"]
            assert re.match(
                r"^([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*$", entry[0].text
            )
    elif verb == "ListIdentifiers":
        assert children and all(c.tag == f"{OAI}header" for c in children)
        for header in children:
            _assert_header(header)
    else:  # GetRecord, ListRecords
        assert children and all(c.tag == f"{OAI}record" for c in children)
        for record in children:
            _assert_record(record)


def oai(client, method: str = "get", **params):
    response = getattr(client, method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    document = etree.fromstring(response.content, etree.XMLParser(no_network=True))
    assert OAI_PMH_SCHEMA.validate(document), OAI_PMH_SCHEMA.error_log.last_error
    root = ET.fromstring(response.content)  # noqa: S314 (our own response, in a test)
    assert_valid(root)
    return root


def error_code(root) -> str | None:
    error = root.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def oai_id(item) -> str:
    return f"oai:miao-heritage.archive:{item.identifier}"


@pytest.fixture
def tree():
    _, collections = factories.site_tree()
    return collections


@pytest.fixture
def public(tree):
    return publish(factories.recording(tree["dialects"], speaker=factories.person()))


def headers(root) -> dict[str, ET.Element]:
    found = root.iter(f"{OAI}header")
    return {h.find(f"{OAI}identifier").text: h for h in found}


# --- the six verbs ---------------------------------------------------------------------


def test_identify_promises_persistent_deletions_at_second_granularity(client, public):
    body = oai(client, verb="Identify").find(f"{OAI}Identify")
    assert body.find(f"{OAI}protocolVersion").text == "2.0"
    assert body.find(f"{OAI}deletedRecord").text == "persistent"
    assert body.find(f"{OAI}granularity").text == "YYYY-MM-DDThh:mm:ssZ"
    assert body.find(f"{OAI}baseURL").text == "http://testserver/oai"


def test_oai_dc_and_the_richer_format_are_offered(client, public):
    root = oai(client, verb="ListMetadataFormats")
    assert [p.text for p in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "mha_qdc"]
    root = oai(client, verb="ListMetadataFormats", identifier=oai_id(public))
    assert [p.text for p in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "mha_qdc"]


def test_sets_are_the_founding_collections(client, tree):
    root = oai(client, verb="ListSets")
    assert [s.text for s in root.iter(f"{OAI}setSpec")] == ["embroidery", "dialects", "folk-music"]


def test_a_public_item_is_a_dublin_core_record(client, public):
    root = oai(client, verb="GetRecord", identifier=oai_id(public), metadataPrefix="oai_dc")
    dc = root.find(f".//{OAI_DC}dc")
    titles = [t.text for t in dc.iter(f"{DC}title")]
    assert public.title in titles and public.title_en in titles
    identifiers = [t.text for t in dc.iter(f"{DC}identifier")]
    assert public.identifier in identifiers
    assert any(i.startswith("http://testserver/") for i in identifiers)
    assert root.find(f".//{OAI}setSpec").text == "dialects"
    stamp = root.find(f".//{OAI}datestamp").text
    assert stamp == public.last_published_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_list_records_and_identifiers_hold_public_items_only(client, tree, public):
    speaker = factories.person()
    hidden = [
        factories.recording(tree["dialects"], speaker=speaker, access=level)
        for level in ("registered", "community", "restricted")
    ]
    draft = factories.recording(tree["dialects"], speaker=speaker, live=False)
    for verb in ("ListRecords", "ListIdentifiers"):
        found = headers(oai(client, verb=verb, metadataPrefix="oai_dc"))
        assert set(found) == {oai_id(public)}
        for item in [*hidden, draft]:
            assert oai_id(item) not in found
    for item in [*hidden, draft]:
        root = oai(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
        assert error_code(root) == "idDoesNotExist"


def test_a_set_narrows_the_list(client, tree, public):
    assert (
        error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="embroidery"))
        == "noRecordsMatch"
    )
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="dialects")
    assert set(headers(root)) == {oai_id(public)}


def test_post_requests_are_answered_like_get(client, public):
    root = oai(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert set(headers(root)) == {oai_id(public)}


# --- resumption ------------------------------------------------------------------------


def harvest(client, verb="ListIdentifiers", **args) -> tuple[list[str], list[ET.Element]]:
    root = oai(client, verb=verb, metadataPrefix="oai_dc", **args)
    seen, tokens = [], []
    while True:
        seen += list(headers(root))
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            if token is not None:
                tokens.append(token)
            return seen, tokens
        tokens.append(token)
        root = oai(client, verb=verb, resumptionToken=token.text)


def test_a_harvest_resumes_through_every_record_once(client, tree, settings):
    settings.MHA_OAI_PAGE_SIZE = 2
    speaker = factories.person()
    items = [publish(factories.recording(tree["dialects"], speaker=speaker)) for _ in range(5)]
    for verb in ("ListIdentifiers", "ListRecords"):
        seen, tokens = harvest(client, verb)
        assert seen == [oai_id(i) for i in items]
        assert [t.get("cursor") for t in tokens] == ["0", "2", "4"]
        assert tokens[0].get("completeListSize") == "5"
        assert tokens[-1].text is None, "the last batch ends with an empty token"


def test_a_token_survives_a_restart_because_it_holds_its_own_state(client, tree, settings):
    settings.MHA_OAI_PAGE_SIZE = 1
    speaker = factories.person()
    items = [publish(factories.recording(tree["dialects"], speaker=speaker)) for _ in range(2)]
    token = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").find(
        f".//{OAI}resumptionToken"
    )
    from django.core.cache import cache

    cache.clear()  # nothing of the list lives in the server: a new process answers the same
    root = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert list(headers(root)) == [oai_id(items[1])]


def test_an_expired_token_is_refused_cleanly(client, tree, settings):
    settings.MHA_OAI_PAGE_SIZE = 1
    speaker = factories.person()
    for _ in range(2):
        publish(factories.recording(tree["dialects"], speaker=speaker))
    token = oai(client, verb="ListRecords", metadataPrefix="oai_dc").find(
        f".//{OAI}resumptionToken"
    )
    settings.MHA_OAI_TOKEN_SECONDS = -1
    root = oai(client, verb="ListRecords", resumptionToken=token.text)
    assert error_code(root) == "badResumptionToken"
    # Said in the site's language: Chinese by default (English where no catalogue is built).
    message = root.find(f"{OAI}error").text
    assert "已过期" in message or "expired" in message


def test_a_forged_or_borrowed_token_is_refused(client, tree, settings):
    settings.MHA_OAI_PAGE_SIZE = 1
    speaker = factories.person()
    for _ in range(2):
        publish(factories.recording(tree["dialects"], speaker=speaker))
    token = oai(client, verb="ListRecords", metadataPrefix="oai_dc").find(
        f".//{OAI}resumptionToken"
    )
    for verb, value in (
        ("ListRecords", token.text[:-3] + "xyz"),
        ("ListIdentifiers", token.text),  # a ListRecords token sent to another verb
        ("ListSets", token.text),
    ):
        assert error_code(oai(client, verb=verb, resumptionToken=value)) == "badResumptionToken"


# --- deletion ---------------------------------------------------------------------------


def test_a_withdrawn_consent_turns_the_record_into_a_deleted_one(client, tree):
    speaker = factories.person()
    item = publish(factories.recording(tree["dialects"], speaker=speaker))
    before = timezone.now().replace(microsecond=0)
    call_command("consent", "withdraw", speaker.slug, "--scope", "public_web")
    root = oai(
        client,
        verb="ListRecords",
        metadataPrefix="oai_dc",
        **{"from": before.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    header = headers(root)[oai_id(item)]
    assert header.get("status") == "deleted"
    tomb = Tombstone.objects.get(item_id=item.pk)
    assert header.find(f"{OAI}datestamp").text == tomb.datestamp.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    record = oai(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert record.find(f".//{OAI}header").get("status") == "deleted"
    assert record.find(f".//{OAI}metadata") is None


def test_narrowing_below_public_and_unpublishing_leave_deleted_records(client, tree):
    speaker = factories.person()
    narrowed = publish(factories.recording(tree["dialects"], speaker=speaker))
    unpublished = publish(factories.recording(tree["dialects"], speaker=speaker))
    narrowed.access_level = "registered"
    publish(narrowed)
    unpublished.unpublish()
    found = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert found[oai_id(narrowed)].get("status") == "deleted"
    assert found[oai_id(unpublished)].get("status") == "deleted"
    reasons = dict(Tombstone.objects.values_list("item_id", "reason"))
    assert reasons == {narrowed.pk: "narrowed", unpublished.pk: "unpublished"}


def test_an_expired_item_is_deleted_at_once_with_its_expiry_as_datestamp(client, public):
    expired_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
    type(public).objects.filter(pk=public.pk).update(expire_at=expired_at)
    header = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))[oai_id(public)]
    assert header.get("status") == "deleted"
    assert header.find(f"{OAI}datestamp").text == expired_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_item_that_was_never_public_leaves_no_tombstone(client, tree):
    item = factories.recording(tree["dialects"], speaker=factories.person(), access="restricted")
    publish(item)
    item.unpublish()
    assert not Tombstone.objects.exists()
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == (
        "noRecordsMatch"
    )


def test_a_record_that_comes_back_is_live_again(client, tree):
    speaker = factories.person()
    item = publish(factories.recording(tree["dialects"], speaker=speaker))
    item.unpublish()
    assert Tombstone.objects.filter(item_id=item.pk).exists()
    publish(item)
    assert not Tombstone.objects.exists()
    header = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))[oai_id(item)]
    assert header.get("status") is None


# --- from / until ------------------------------------------------------------------------


def test_from_and_until_select_by_the_second(client, tree):
    speaker = factories.person()
    old = publish(factories.recording(tree["dialects"], speaker=speaker))
    new = publish(factories.recording(tree["dialects"], speaker=speaker))
    stamp = datetime.datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=datetime.UTC)
    type(old).objects.filter(pk=old.pk).update(last_published_at=stamp)

    def listed(**window):
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
        return set(headers(root)) if error_code(root) is None else error_code(root)

    assert listed(**{"from": "2024-03-01T10:00:00Z", "until": "2024-03-01T10:00:00Z"}) == {
        oai_id(old)
    }
    assert listed(until="2024-03-01T09:59:59Z") == "noRecordsMatch"
    assert listed(**{"from": "2024-03-01T10:00:01Z"}) == {oai_id(new)}
    assert listed(**{"from": "2024-03-01", "until": "2024-03-01"}) == {oai_id(old)}
    assert listed(until="2024-03-01T10:00:00Z") == {oai_id(old)}


# --- every error ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "dialects"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-06-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-06-02",
                "until": "2024-06-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "mods",
                "identifier": "oai:miao-heritage.archive:MHA-X",
            },
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": "oai:miao-heritage.archive:MHA-NONE",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "pottery"},
            "noRecordsMatch",
        ),
    ],
)
def test_each_mistake_gets_the_error_the_spec_names(client, public, params, code):
    root = oai(client, **params)
    assert error_code(root) == code
    request = root.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}, "after badVerb/badArgument the request echoes no arguments"
    else:
        assert request.get("verb") == params["verb"]
