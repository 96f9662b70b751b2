"""Typo tolerance (issue 17): a slip in a Latin or pinyin word still finds the item; the
database engine corrects it from the words the visitor could have found, and says so; no
correction ever offers a word of material the visitor may not see."""

from __future__ import annotations

import pytest

from archive.access import policy
from search import engines
from search.engines import SearchQuery
from tests import search_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    engine = support.configure(settings, "database")
    data = support.corpus()
    data["users"] = support.audiences(data["community"])
    support.reindex(engine)
    yield engine, data
    engines._cached.cache_clear()


def _search(engine, raw, user=None):
    access = policy.audience(user) if user is not None else engines.PUBLIC
    return engine.search(SearchQuery(access=access, raw=raw))


def test_a_typo_is_corrected_on_the_database_engine_and_says_what_it_searched(world):
    engine, data = world
    right = _search(engine, "butterfly")
    typo = _search(engine, "butterfy")
    assert typo.total == right.total > 0
    assert typo.corrected == "butterfly"
    assert _search(engine, "butterfly").corrected == ""  # nothing to correct


def test_a_pinyin_slip_is_corrected_too(world):
    engine, _ = world
    right = _search(engine, "hudie")
    assert right.total
    assert _search(engine, "hudei").total == right.total


def test_a_correction_never_offers_a_word_of_hidden_material(world):
    engine, data = world
    # "vexholm" is only in a restricted item: one slip must not find it, nor name it.
    for user in (None, data["users"]["registered"], data["users"]["member"]):
        found = _search(engine, "vexholn", user)
        assert found.total == 0 and "vexholm" not in found.corrected
    curator = _search(engine, "vexholn", data["users"]["curator"])
    assert curator.corrected == "vexholm"
    assert {h.id for h in curator.hits} == {data["items"]["restricted"].pk}


def test_the_search_page_says_what_it_searched_instead(world, client):
    body = client.get("/search/", {"q": "butterfy"}).content.decode()
    assert "没有找到“butterfy”" in body and "“butterfly”的结果" in body
