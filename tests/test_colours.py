"""Browse embroidery by colour (issue 17): named colours read from each pattern's picture by
libvips, a ``colour`` facet on every engine, counted only over what the visitor may see."""

from __future__ import annotations

import pytest
import pyvips

from archive.access import policy
from media_pipeline.colours import dominant_colours
from search import engines
from search.engines import SearchQuery
from tests import search_support as support
from tests import site_data

pytestmark = pytest.mark.django_db

SILK_RED = [178, 34, 40]
INDIGO = [30, 42, 92]
SILK_YELLOW = [236, 190, 40]
LEAF_GREEN = [40, 140, 60]


def picture(path, ground, motif=None):
    image = pyvips.Image.black(400, 300).new_from_image(ground).copy(interpretation="srgb")
    if motif is not None:
        patch = pyvips.Image.black(160, 120).new_from_image(motif).copy(interpretation="srgb")
        image = image.insert(patch, 120, 90)
    image.cast("uchar").jpegsave(str(path), Q=92)
    return path


def test_a_red_cloth_is_red_and_a_yellow_motif_on_indigo_is_both(tmp_path):
    assert dominant_colours(picture(tmp_path / "red.jpg", SILK_RED)) == ["red"]
    both = dominant_colours(picture(tmp_path / "two.jpg", INDIGO, SILK_YELLOW))
    assert both == ["indigo", "yellow"]


def test_ingest_keeps_each_pictures_palette_with_its_original(item, ingest, tmp_path):
    """The curators' half (issue 16): the palette is read once, at ingest, and stored as data."""
    path = picture(tmp_path / "two.jpg", INDIGO, SILK_YELLOW)
    result = ingest(path, item=item, filename=path.name, enqueue=False)
    assert result.asset.original.probe["colours"] == ["indigo", "yellow"]
    # A picture that libvips cannot read for colours still ingests (no palette): never lost.
    from media_pipeline.colours import palette

    assert palette(tmp_path / "missing.jpg") == []


@pytest.fixture(params=["database", "opensearch", "elasticsearch"])
def world(request, settings, tmp_path):
    engine = support.configure(settings, request.param)
    data = site_data.build(tmp_path, media=False)
    site_data.attach(data["main"], picture(tmp_path / "main.jpg", SILK_RED))
    site_data.attach(data["hidden"]["restricted"], picture(tmp_path / "secret.jpg", LEAF_GREEN))
    support.reindex(engine)
    yield engine, data
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


def test_the_colour_facet_counts_only_what_the_visitor_may_see(world):
    engine, data = world
    anonymous = engine.search(SearchQuery(raw="", access=engines.PUBLIC))
    colours = dict(anonymous.facets.get("colour", []))
    assert colours.get("red") == 1 and "green" not in colours
    red = engine.search(SearchQuery(raw="", filters={"colour": ["red"]}, access=engines.PUBLIC))
    assert [h.id for h in red.hits] == [data["main"].pk]
    green = engine.search(SearchQuery(filters={"colour": ["green"]}, access=engines.PUBLIC))
    assert green.total == 0
    curator = engine.search(SearchQuery(filters={"colour": ["green"]}, access=policy.CURATORS))
    assert [h.id for h in curator.hits] == [data["hidden"]["restricted"].pk]


def test_the_search_page_offers_colours_in_chinese(world, client):
    body = client.get("/search/", {"q": "", "collection": "embroidery"}).content.decode()
    assert "颜色" in body and "红" in body
    assert "colour=red" in body


def test_the_home_page_offers_embroidery_by_colour_with_words(world, client):
    body = client.get("/").content.decode()
    section = body.split('class="by-colour"')[1].split("</section>")[0]
    assert "按颜色看刺绣" in section
    assert "colour=red" in section and "红" in section
    assert "colour=green" not in section  # only on a restricted pattern


def test_a_pattern_is_browsable_by_colour_as_soon_as_its_picture_is_ready(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    engine = support.configure(settings, "database")
    data = site_data.build(tmp_path, media=False)
    support.reindex(engine)
    with django_capture_on_commit_callbacks(execute=True):
        site_data.attach(data["main"], picture(tmp_path / "late.jpg", INDIGO, SILK_YELLOW))
    found = engine.search(SearchQuery(filters={"colour": ["yellow"]}, access=engines.PUBLIC))
    assert [h.id for h in found.hits] == [data["main"].pk]
    engines._cached.cache_clear()
