"""One source for each fact: the founding-collections registry and the ``period`` vocabulary
that collection pages and search share."""

import re

import pytest
import yaml
from django.conf import settings

from archive.core.i18n import content_languages
from archive.items import periods, registry
from archive.items.models import (
    CollectionPage,
    EmbroideryPatternPage,
    MusicPiecePage,
    RecordingPage,
)
from search import indexing
from tests import site_data


def test_the_registry_agrees_with_the_founding_data_and_the_models():
    founding = yaml.safe_load((settings.BASE_DIR / "collections" / "founding.yaml").read_text())
    assert {e["slug"]: e["item_type"] for e in founding} == {
        c.slug: c.item_type for c in registry.COLLECTIONS
    }
    assert registry.SLUGS == ("embroidery", "dialects", "folk-music")  # a contract
    assert [c.page_class for c in registry.COLLECTIONS] == [
        EmbroideryPatternPage,
        RecordingPage,
        MusicPiecePage,
    ]
    assert CollectionPage.subpage_types == [c.model for c in registry.COLLECTIONS]
    for c in registry.COLLECTIONS:
        for f in c.filters:
            getattr(c.page_class, f.field)  # every filter names a real field


def test_uploads_become_the_collections_kind_or_follow_their_media():
    assert registry.item_class_for("dialects", "image") is RecordingPage
    assert registry.item_class_for("weddings", "image") is EmbroideryPatternPage
    assert registry.item_class_for("weddings", "audio") is RecordingPage
    assert registry.item_class_for("weddings", "video") is MusicPiecePage
    with pytest.raises(KeyError):
        registry.item_class_for("weddings", "pdf")


def test_types_and_labels_come_from_one_place():
    assert registry.type_of(EmbroideryPatternPage) == "embroidery"
    assert registry.type_of("recordingpage") == "recording"
    assert registry.type_of(CollectionPage) == "item"
    assert registry.type_label("music") == "Music piece or performance"


def test_content_languages_come_from_settings():
    assert content_languages() == ("zh", "en", "hmn")


@pytest.mark.parametrize(
    ("years", "keys"),
    [
        ((1980, 1989), ["1980s"]),
        ((1975, 1984), ["1970s", "1980s"]),
        ((1998, None), ["1990s"]),
        ((1850, 1905), ["c19", "1900s"]),
        ((None, None), []),
    ],
)
def test_an_item_belongs_to_every_period_its_years_touch(years, keys):
    assert periods.period_keys(*years) == keys


@pytest.mark.parametrize("junk", ["1985s", "yesterday", "c20", "c0", "", "1980-1999"])
def test_what_is_not_a_period_is_refused(junk):
    assert periods.bounds(junk) is None
    assert periods.period_q(junk) is None


@pytest.mark.django_db
def test_a_period_filter_means_the_same_on_a_collection_page_and_in_search(client, tmp_path):
    site = site_data.build(tmp_path, media=False)
    indexing.rebuild()
    emb = site["collections"]["embroidery"]
    page = client.get(emb.url).content.decode()
    select = re.search(r'<select id="f-period".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'<option value="([^"]+)"', select))
    facets = client.get("/api/v1/search", {"collection": "embroidery"}).json()["facets"]
    assert offered == {f["value"] for f in facets["period"]}
    assert {"1980s", "1930s"} <= offered
    for period in ("1980s", "1930s"):
        listed = client.get(emb.url, {"period": period}).content.decode()
        found = client.get("/api/v1/search", {"collection": "embroidery", "period": period})
        titles = [r["title"] for r in found.json()["results"]]
        assert titles, period
        for title in titles:
            assert title in listed, (period, title)
