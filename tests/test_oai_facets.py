"""OAI-PMH beyond oai_dc: the richer ``mha_qdc`` format (validated with lxml against its
schema, served as a static file) and the sets aggregators select by: per collection and
per vocabulary facet (``motif:butterfly``, ``technique:…``, ``village:…``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from archive.vocabularies.models import Motif, Place, Technique
from tests import factories
from tests.test_oai import OAI, error_code, headers, oai, oai_id, publish

pytestmark = pytest.mark.django_db

MHA = "{https://miao-heritage.archive/ns/mha-qdc/1.0/}"
DCTERMS = "{http://purl.org/dc/terms/}"
EDM = "{http://www.europeana.eu/schemas/edm/}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(settings.BASE_DIR) / "static/oai/mha_qdc.xsd")))


@pytest.fixture
def tree():
    _, collections = factories.site_tree()
    return collections


@pytest.fixture
def pattern(tree):
    from archive.items.models import EmbroideryPatternPage, ItemPerson

    county = Place.objects.create(slug="leishan-x", label_zh="雷山县", kind="county")
    village = Place.objects.create(
        slug="paimo-x", label_zh="排莫", label_en="Paimo", kind="village", broader=county
    )
    butterfly = Motif.objects.create(
        slug="butterfly-x", label_zh="蝴蝶", label_en="Butterfly", label_hmn="Bangx"
    )
    fish = Motif.objects.create(slug="fish-x", label_zh="鱼", label_en="Fish")
    split = Technique.objects.create(slug="split-x", label_zh="破线绣", label_en="Split thread")
    page = EmbroideryPatternPage(
        title="蝴蝶妈妈",
        title_en="Butterfly Mother",
        identifier="MHA-EMB-X001",
        slug="bm-x",
        access_level="public",
        place=village,
        tk_labels=["tk-attribution", "tk-non-commercial"],
        description_zh="破线绣。",
        description_en="Split-thread embroidery.",
    )
    page.people.add(ItemPerson(person=factories.person(), role="artisan"))
    tree["embroidery"].add_child(instance=page)
    page.motifs.set([butterfly, fish])
    page.techniques.set([split])
    page.save()
    return publish(page)


def qdc(root):
    (record,) = root.iter(f"{OAI}record")
    (container,) = list(record.find(f"{OAI}metadata"))
    return container


def test_the_richer_record_validates_against_its_schema(client, pattern):
    root = oai(client, verb="GetRecord", identifier=oai_id(pattern), metadataPrefix="mha_qdc")
    container = qdc(root)
    SCHEMA.assertValid(etree.fromstring(ET.tostring(container)))
    assert container.tag == f"{MHA}qdc"
    titles = {e.get(LANG): e.text for e in container.iter(f"{DCTERMS}title")}
    assert titles == {"zh": "蝴蝶妈妈", "en": "Butterfly Mother"}
    subjects = {(e.get(LANG), e.text) for e in container.iter(f"{DCTERMS}subject")}
    assert {
        ("zh", "蝴蝶"),
        ("en", "Butterfly"),
        ("hmn", "Bangx"),
        ("en", "Split thread"),
    } <= subjects
    assert {e.text for e in container.iter(f"{DCTERMS}spatial")} == {"排莫", "Paimo"}
    assert container.find(f"{DCTERMS}license").text.startswith("http://creativecommons.org/")
    assert container.find(f"{EDM}isShownAt").text.startswith("http://testserver/")
    manifest = container.find(f"{MHA}iiifManifest").text
    assert (
        manifest == f"http://testserver/iiif/3/item/{pattern.pk}/manifest" or "manifest" in manifest
    )
    labels = {e.get("code"): e.text for e in container.iter(f"{MHA}tkLabel")}
    assert set(labels) == {"tk-attribution", "tk-non-commercial"}


def test_the_schema_of_the_richer_format_is_served_where_the_formats_list_says(client, pattern):
    root = oai(client, verb="ListMetadataFormats")
    schemas = {
        f.find(f"{OAI}metadataPrefix").text: f.find(f"{OAI}schema").text
        for f in root.iter(f"{OAI}metadataFormat")
    }
    assert schemas["mha_qdc"].endswith("/static/oai/mha_qdc.xsd")
    assert schemas["oai_dc"] == "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def test_the_schema_refuses_what_the_format_does_not_allow():
    bad = etree.fromstring(
        b'<mha:qdc xmlns:mha="https://miao-heritage.archive/ns/mha-qdc/1.0/">'
        b"<mha:tkLabel>no code</mha:tkLabel></mha:qdc>"
    )
    assert not SCHEMA.validate(bad)
    stray = etree.fromstring(
        b'<mha:qdc xmlns:mha="https://miao-heritage.archive/ns/mha-qdc/1.0/"><title/></mha:qdc>'
    )
    assert not SCHEMA.validate(stray)


def test_every_richer_record_of_a_harvest_validates(client, pattern, tree):
    publish(factories.recording(tree["dialects"], speaker=factories.person()))
    root = oai(client, verb="ListRecords", metadataPrefix="mha_qdc")
    records = list(root.iter(f"{OAI}record"))
    assert len(records) == 2
    for record in records:
        (container,) = list(record.find(f"{OAI}metadata"))
        SCHEMA.assertValid(etree.fromstring(ET.tostring(container)))


def test_sets_per_facet_are_listed_with_their_parents(client, pattern):
    root = oai(client, verb="ListSets")
    specs = [s.text for s in root.iter(f"{OAI}setSpec")]
    assert specs[:3] == ["embroidery", "dialects", "folk-music"]
    assert {"motif", "motif:butterfly-x", "motif:fish-x", "technique", "technique:split-x"} <= set(
        specs
    )
    assert "village:paimo-x" in specs and "village:leishan-x" not in specs
    assert specs.index("motif") < specs.index("motif:butterfly-x")


def test_a_record_header_names_every_set_it_is_in(client, pattern):
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    header = headers(root)[oai_id(pattern)]
    assert [s.text for s in header.iter(f"{OAI}setSpec")] == [
        "embroidery",
        "motif:butterfly-x",
        "motif:fish-x",
        "technique:split-x",
        "village:paimo-x",
    ]


def test_a_facet_set_narrows_the_harvest(client, pattern, tree):
    other = publish(factories.recording(tree["dialects"], speaker=factories.person()))
    for spec in ("motif:butterfly-x", "motif", "village:paimo-x", "technique:split-x"):
        got = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec))
        assert list(got) == [oai_id(pattern)], spec
    assert oai_id(other) in headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="motif:dragon-x")
    assert error_code(root) == "noRecordsMatch"
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="village:leishan-x")
    assert error_code(root) == "noRecordsMatch"


def test_a_withdrawn_item_is_deleted_in_its_facet_sets_too(client, pattern):
    pattern.unpublish()
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="motif:butterfly-x")
    header = headers(root)[oai_id(pattern)]
    assert header.get("status") == "deleted"


def test_a_restricted_item_makes_no_facet_set(client, tree):
    from archive.items.models import EmbroideryPatternPage

    secret = Motif.objects.create(slug="secret-x", label_zh="秘")
    page = EmbroideryPatternPage(
        title="秘", identifier="MHA-EMB-X002", slug="s-x", access_level="restricted"
    )
    tree["embroidery"].add_child(instance=page)
    page.motifs.set([secret])
    page.save()
    publish(page)
    specs = [s.text for s in oai(client, verb="ListSets").iter(f"{OAI}setSpec")]
    assert "motif:secret-x" not in specs
