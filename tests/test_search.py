"""Search as a visitor meets it, on every engine: the database engine, OpenSearch and
Elasticsearch (real nodes; see tests/search_support.py)."""

from __future__ import annotations

import json

import pytest

from archive.access import policy
from search import engines
from search.engines import SearchQuery
from tests import search_support as support

pytestmark = pytest.mark.django_db

ENGINES = support.engine_names("database", "opensearch", "elasticsearch")


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


@pytest.fixture
def world(engine):
    data = support.corpus()
    data["users"] = support.audiences(data["community"])
    support.reindex(engine)
    return data


def _search(engine, user=None, **kw):
    access = policy.audience(user) if user is not None else engines.PUBLIC
    return engine.search(SearchQuery(access=access, **kw))


def _ids(result):
    return {h.id for h in result.hits}


# --- finding things --------------------------------------------------------------------
@pytest.mark.parametrize(
    "words", ["蝴蝶", "butterfly", "bangx lief", "bang lie", "hudie", "蝴蝶妈妈"]
)
def test_butterfly_in_chinese_english_miao_and_pinyin_finds_the_motif(engine, world, words):
    public = world["items"]["public"]
    result = _search(engine, raw=words)
    assert public.pk in _ids(result)


@pytest.fixture
def prose_world(engine):
    """蝴蝶 only in a description, and only in a transcript line: pinyin must reach both."""
    data = support.corpus()
    from archive.items.models import TranscriptCue

    song = data["items"]["song"]
    TranscriptCue.objects.create(item=song, start=60, end=64, text_zh="一只花蝴蝶飞过山")
    quiet = support.plain_pattern("蓝布围腰", "Blue apron", description_zh="围腰上绣着一对蝴蝶。")
    data["items"]["described"] = quiet
    song.title = "古歌"  # now only the transcript says 蝴蝶
    song.save()
    support.reindex(engine)
    return data


def test_pinyin_finds_everything_chinese_finds_in_every_field(engine, prose_world):
    chinese = _ids(_search(engine, raw="蝴蝶"))
    assert prose_world["items"]["described"].pk in chinese
    assert prose_world["items"]["song"].pk in chinese
    for words in ("hudie", "hú dié", "húdié", "hu2die2", "hu die"):
        assert _ids(_search(engine, raw=words)) == chinese, words


def test_pinyin_matches_are_highlighted_on_the_chinese(engine, prose_world):
    result = _search(engine, raw="hudie")
    marks = {h.id: h for h in result.hits}
    described = marks[prose_world["items"]["described"].pk]
    assert "<mark>蝴蝶</mark>" in described.highlight["description_zh"]
    song = marks[prose_world["items"]["song"].pk]
    assert song.cue["start"] == pytest.approx(60)
    assert "<mark>蝴蝶</mark>" in song.cue["text"]


def test_tone_numbers_are_pinyin_but_other_digits_stay():
    from search import text

    assert [t.text for t in text.parse_query("hu2die2 mp3 MHA-0001")] == [
        "hudie",
        "mp3",
        "mha",
        "0001",
    ]


def test_the_broader_term_finds_items_with_the_narrower_one(engine, world):
    # The public item carries only "Butterfly Mother"; filtering on "butterfly" finds it.
    result = _search(engine, raw="", filters={"motif": ["butterfly"]})
    assert world["items"]["public"].pk in _ids(result)


def test_a_hit_inside_a_transcript_names_the_second_and_links_there(engine, world, client):
    song = world["items"]["song"]
    result = _search(engine, raw="maple heart")
    hit = next(h for h in result.hits if h.id == song.pk)
    assert hit.cue["start"] == pytest.approx(42.5)
    page = client.get("/en/search/", {"q": "maple heart"}).content.decode()
    assert f"{song.url}#t=42" in page or f"/en{song.url}#t=42" in page
    assert "0:42" in page


def test_autocomplete_completes_a_prefix(engine, world):
    assert any("Butterfly" in s for s in engine.suggest("butterf"))


def test_facets_count_only_the_result(engine, world):
    result = _search(engine, raw="butterfly")
    facets = dict(result.facets)
    assert dict(facets["type"]) == {"embroidery": 1, "recording": 1}
    assert dict(facets["village"]) == {"xijiang": 1}
    assert dict(facets["period"]) == {"1980s": 1, "2010s": 1}


def test_sorting_and_paging(engine, world):
    oldest = _search(engine, raw="butterfly", sort="oldest", per_page=1)
    assert oldest.total == 2
    assert oldest.hits[0].id == world["items"]["public"].pk
    second = _search(engine, raw="butterfly", sort="oldest", per_page=1, page=2)
    assert second.hits[0].id == world["items"]["song"].pk


# --- access: the same tests on every engine ----------------------------------------------
EXPECTED = {
    "anonymous": {"public"},
    "registered": {"public", "registered"},
    "member": {"public", "registered", "community"},
    "curator": {"public", "registered", "community", "restricted"},
}


@pytest.mark.parametrize("audience", list(EXPECTED))
def test_each_audience_finds_exactly_what_it_may_see(engine, world, audience):
    user = world["users"][audience]
    result = _search(engine, user=user, raw="butterfly", filters={"type": ["embroidery"]})
    levels = {k for k, page in world["items"].items() if page.pk in _ids(result)}
    assert levels == EXPECTED[audience]
    assert result.total == len(EXPECTED[audience])


@pytest.mark.parametrize("audience", ["anonymous", "registered", "member"])
def test_hidden_material_leaks_no_hit_facet_count_highlight_or_suggestion(engine, world, audience):
    user = world["users"][audience]
    access = policy.audience(user)
    everything = _search(engine, user=user, raw="")
    motifs = dict(everything.facets.get("motif", []))
    assert "tiger" not in motifs  # only on a restricted item
    assert "c19" not in dict(everything.facets.get("period", []))  # the restricted item's
    for secret in ("vexholm", "老虎", "whisperword", "xongx", "draftonly"):
        found = _search(engine, user=user, raw=secret)
        assert found.total == 0, secret
        assert found.facets == {} or all(not v for v in found.facets.values())
        assert engine.suggest(secret[:4], access) == [] or all(
            secret[:4] not in s.lower() for s in engine.suggest(secret[:4], access)
        )
    # Highlights and cues come only from visible documents.
    for hit in _search(engine, user=user, raw="maple").hits:
        assert "whisperword" not in json.dumps(hit.cue or {})
    assert not any("Tiger" in s for s in engine.suggest("tig", access))


def test_a_curator_finds_restricted_material(engine, world):
    result = _search(engine, user=world["users"]["curator"], raw="vexholm")
    assert _ids(result) == {world["items"]["restricted"].pk}
    assert "Tiger" in " ".join(engine.suggest("tig", policy.CURATORS))


def test_the_api_and_page_apply_the_same_access(engine, world, client):
    body = client.get("/api/v1/search", {"q": "zorbly"}).json()
    assert body["total"] == 0 and body["results"] == []
    client.force_login(world["users"]["registered"])
    body = client.get("/api/v1/search", {"q": "zorbly"}).json()
    assert body["total"] == 1
    client.logout()
    page = client.get("/search/", {"q": "vexholm"}).content.decode()
    # The page echoes the visitor's own word ("nothing found for vexholm"); no hit shows.
    assert "Secret tiger" not in page and 'class="hit"' not in page.split("<main")[1]


# --- the JSON contract ------------------------------------------------------------------
def test_the_api_answers_the_design_contract(engine, world, client):
    body = client.get("/api/v1/search", {"q": "butterfly"}).json()
    assert body["total"] == 2
    for result in body["results"]:
        assert {"title", "url", "type"} <= set(result)
        assert result["url"].startswith("http://testserver/")
    assert set(body["facets"]) >= {"collection", "type", "motif", "village", "period", "licence"}
    motif = {f["value"]: f for f in body["facets"]["motif"]}
    assert motif["butterfly"]["count"] == 1
    assert motif["butterfly-mother"]["label"].startswith("蝴蝶妈妈")
    narrowed = client.get("/api/v1/search", {"q": "butterfly", "type": "recording"}).json()
    assert [r["type"] for r in narrowed["results"]] == ["recording"]
    assert (
        narrowed["results"][0]["transcript"] is None
        or "start" in narrowed["results"][0]["transcript"]
    )


def test_an_anonymous_search_is_kept_until_an_unpublish_and_a_signed_in_one_never(
    engine, world, client, settings, django_capture_on_commit_callbacks
):
    """Searches repeat (popular words, facet links, "did you mean"): an anonymous visitor's
    is kept like a page, keyed by its whole query and language, and the unpublish that
    leaves pages behind leaves it behind too. A signed-in reader's is neither read nor kept."""
    from django.core.cache import cache

    settings.MHA_PAGE_CACHE_SECONDS = 60
    cache.clear()
    song = world["items"]["song"].identifier  # shown in the page's hit and the API's
    for url in ("/en/search/?q=butterfly", "/api/v1/search?q=butterfly"):
        first = client.get(url)
        assert first["X-Page-Cache"] == "miss" and song in first.content.decode()
        assert client.get(url)["X-Page-Cache"] == "hit"
        assert client.get(url + "&type=pattern")["X-Page-Cache"] == "miss"
        assert "vexholm" not in first.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        world["items"]["song"].unpublish()
    for url in ("/en/search/?q=butterfly", "/api/v1/search?q=butterfly"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert song not in response.content.decode()

    client.force_login(world["users"]["curator"])
    response = client.get("/en/search/?q=butterfly")
    assert "X-Page-Cache" not in response and "no-store" in response["Cache-Control"]
    assert "vexholm" in response.content.decode()
    client.logout()
    response = client.get("/en/search/?q=butterfly")
    assert response["X-Page-Cache"] == "hit"  # the anonymous copy, not the curator's
    assert "vexholm" not in response.content.decode()
    cache.clear()


def test_the_page_shows_facets_with_counts_and_highlights(engine, world, client):
    page = client.get("/en/search/", {"q": "butterfly"}).content.decode()
    assert 'data-facet="motif"' in page
    assert "<mark>Butterfly</mark>" in page or "<mark>butterfly</mark>" in page
    assert 'href="/en/' in page


# --- bad input --------------------------------------------------------------------------
BAD_QUERIES = {
    "empty": "",
    "ten_kilobytes": "蝴蝶 butterfly " * 800,
    "unbalanced_quotes": '"butterfly',
    "field_syntax": "access_level:restricted",
    "wildcard": "*",
    "fuzzy_operator": "butterfly~10",
    "regex": "/.*/",
    "script": '{"script": {"source": "Thread.sleep(10000)"}}',
    "query_string_syntax": "title_en:(Secret OR vexholm) AND _exists_:id",
    "lone_operators": "AND OR NOT - + && || !",
    "control_characters": "\x00\x1f\u202e",
}


@pytest.mark.parametrize("name", list(BAD_QUERIES))
def test_bad_queries_get_a_sensible_answer_and_leak_nothing(engine, world, client, name):
    for url in ("/api/v1/search", "/search/"):
        response = client.get(url, {"q": BAD_QUERIES[name]})
        assert response.status_code == 200, (url, name)
    body = client.get("/api/v1/search", {"q": BAD_QUERIES[name]}).json()
    titles = " ".join(r["title"] for r in body["results"])
    assert "Secret" not in titles and "秘密" not in titles


def test_unknown_facet_values_and_absurd_pages_answer_sensibly(engine, world, client):
    body = client.get("/api/v1/search", {"q": "butterfly", "motif": "no-such-motif"}).json()
    assert body["total"] == 0
    body = client.get("/api/v1/search", {"q": "butterfly", "page": str(10**9)}).json()
    assert body["total"] == 2 and body["page"] == 1 and len(body["results"]) == 2
    body = client.get("/api/v1/search", {"q": "butterfly", "page": "-3", "sort": "drop"}).json()
    assert body["page"] == 1 and body["total"] == 2
    assert client.get("/search/", {"q": "x", "page": "abc", "motif": "x" * 5000}).status_code == 200


# --- Elasticsearch / OpenSearch only: typo tolerance, alias swap ------------------------
@pytest.fixture(params=support.engine_names("opensearch", "elasticsearch"))
def real_engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    engine.clear()
    engines._cached.cache_clear()


def test_a_typo_in_a_latin_word_still_finds_it(real_engine):
    support.corpus()
    support.reindex(real_engine)
    assert _search(real_engine, raw="butterfy").total == 2
    assert _search(real_engine, raw="ancestarl").total == 1


def test_reindex_swaps_the_alias_to_a_new_version_and_drops_the_old(real_engine):
    from django.core.management import call_command

    data = support.corpus()
    call_command("search_reindex")
    first = real_engine._versions()
    call_command("search_reindex")
    second = real_engine._versions()
    assert len(first) == 1 and len(second) == 1 and first != second
    assert second[0].startswith(f"{real_engine.alias}-v")
    assert data["items"]["public"].pk in _ids(_search(real_engine, raw="蝴蝶"))


def test_the_suggest_api_offers_only_what_the_visitor_may_see(engine, world, client):
    url = "/api/v1/search/suggest"
    assert any("Butterfly" in s for s in client.get(url, {"q": "butterf"}).json()["suggestions"])
    assert not any("Tiger" in s for s in client.get(url, {"q": "tig"}).json()["suggestions"])
    client.force_login(world["users"]["curator"])
    assert any("Tiger" in s for s in client.get(url, {"q": "tig"}).json()["suggestions"])
    assert client.get(url, {"q": '"/*~:' * 100}).status_code == 200
