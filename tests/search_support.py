"""Search test support: the engines to run every search test against, and a small corpus.

``engine`` is parametrized over the database engine, OpenSearch and Elasticsearch. The real
nodes come from ``MHA_TEST_OPENSEARCH_URL`` / ``MHA_TEST_ELASTICSEARCH_URL`` (test inputs, not
settings: ``scripts/services.py env`` exports them; each test sets ``MHA_SEARCH_URL`` itself).
When ``MHA_SEARCH_TESTS_REQUIRED=1`` (set by ``scripts/test.sh``) a missing or unreachable
node FAILS the test; in a developer's plain ``pytest`` without those variables the engine's
tests are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid

import pytest

from archive.access.models import CommunityMembership
from archive.items.models import CollectionPage, EmbroideryPatternPage, TranscriptCue
from archive.people.models import Person
from archive.vocabularies.models import Dialect, Motif, Place
from search import engines, indexing
from tests import factories

ENGINE_URLS = {
    "opensearch": "MHA_TEST_OPENSEARCH_URL",
    "elasticsearch": "MHA_TEST_ELASTICSEARCH_URL",
}
REQUIRED = os.environ.get("MHA_SEARCH_TESTS_REQUIRED") == "1"
#: Engines run only when their node is named (``scripts/services.py up engines-next``):
#: Elasticsearch 9 beside 8.19, as the same ``elasticsearch`` engine.
OPT_IN = {"elasticsearch9": ("MHA_TEST_ELASTICSEARCH9_URL", "elasticsearch")}
ENGINE_URLS |= {name: var for name, (var, _) in OPT_IN.items()}


def engine_names(*names: str) -> list[str]:
    """``names`` and every opt-in engine whose node is named in the environment."""
    return [*names, *(name for name, (var, _) in OPT_IN.items() if os.environ.get(var))]


def configure(settings, name: str) -> engines.Engine:
    """Point the settings at engine ``name`` with a private index prefix."""
    if name == "database":
        settings.MHA_SEARCH_ENGINE = "database"
        settings.MHA_SEARCH_URL = ""
    else:
        url = os.environ.get(ENGINE_URLS[name], "")
        if not url:
            message = f"{ENGINE_URLS[name]} is not set (run scripts/test.sh, or export "
            message += "the URLs from scripts/services.py env)"
            if REQUIRED:
                pytest.fail(message)
            pytest.skip(message)
        settings.MHA_SEARCH_ENGINE = OPT_IN[name][1] if name in OPT_IN else name
        settings.MHA_SEARCH_URL = url
    settings.MHA_SEARCH_INDEX_PREFIX = f"mha-test-{uuid.uuid4().hex[:10]}"
    engines._cached.cache_clear()
    engine = engines.get_engine()
    if name != "database" and not engine.ping():
        pytest.fail(f"{name} is configured at {settings.MHA_SEARCH_URL} but does not answer")
    return engine


def corpus() -> dict:
    """Items at every access level, sharing words so leaks would show."""
    home, collections = factories.site_tree()
    county = Place.objects.create(
        slug="leishan", label_zh="雷山县", label_en="Leishan", kind="county"
    )
    village = Place.objects.create(
        slug="xijiang", label_zh="西江", label_en="Xijiang", kind="village", broader=county
    )
    butterfly = Motif.objects.create(
        slug="butterfly", label_zh="蝴蝶", label_en="Butterfly", label_hmn="bangx lief"
    )
    mother = Motif.objects.create(
        slug="butterfly-mother",
        label_zh="蝴蝶妈妈",
        label_en="Butterfly Mother",
        label_hmn="Mais Bangx Mais Lief",
        broader=butterfly,
    )
    tiger = Motif.objects.create(slug="tiger", label_zh="老虎", label_en="Tiger", label_hmn="xongx")
    dialect = Dialect.objects.create(slug="hmub", label_zh="黔东方言", label_en="Hmub")
    community = Person.objects.create(slug="paimo", name_zh="排莫村", kind="community")
    speaker = factories.person()

    def pattern(level: str, title: str, title_en: str, motifs, **kw) -> EmbroideryPatternPage:
        page = EmbroideryPatternPage(
            title=title,
            title_en=title_en,
            identifier=f"MHA-EMB-{level[:3].upper()}-{uuid.uuid4().hex[:6]}",
            slug=f"emb-{uuid.uuid4().hex[:8]}",
            access_level=level,
            community=community,
            place=village,
            year_from=kw.pop("year_from", 1985),
            **kw,
        )
        collections["embroidery"].add_child(instance=page)
        page.motifs.set(motifs)
        page.save()
        return page

    items = {
        "public": pattern(
            "public",
            "西江袖片：蝴蝶妈妈",
            "Xijiang sleeve: the Butterfly Mother",
            [mother],
            description_en="Split-thread embroidery of the ancestral mother.",
        ),
        "registered": pattern(
            "registered", "登记绣片 蝴蝶", "Registered panel zorbly butterfly", [butterfly]
        ),
        "community": pattern(
            "community", "社区绣片 蝴蝶", "Community panel quillet butterfly", [butterfly]
        ),
        "restricted": pattern(
            "restricted",
            "秘密老虎 蝴蝶",
            "Secret tiger vexholm butterfly",
            [tiger, butterfly],
            year_from=1850,
        ),
        "draft": pattern("public", "草稿 蝴蝶", "Draft panel draftonly butterfly", [butterfly]),
    }
    items["draft"].live = False
    items["draft"].save()
    song = factories.recording(
        collections["dialects"],
        speaker=speaker,
        title="蝴蝶古歌",
        title_en="Ancient song of the butterfly",
        dialect=dialect,
        year_from=2019,
    )
    TranscriptCue.objects.create(item=song, start=3, end=8, text_en="Listen, children.")
    TranscriptCue.objects.create(
        item=song, start=42.5, end=50, text_en="The maple heart gave birth", text_zh="枫树心里生"
    )
    items["song"] = song
    hidden_song = factories.recording(
        collections["dialects"],
        speaker=speaker,
        access="restricted",
        title="秘密歌",
        title_en="Secret song",
    )
    TranscriptCue.objects.create(item=hidden_song, start=7, end=9, text_en="whisperword maple")
    items["hidden_song"] = hidden_song
    return {"items": items, "community": community, "motifs": (butterfly, mother, tiger)}


def plain_pattern(title: str, title_en: str, **kw) -> EmbroideryPatternPage:
    """A public pattern with no motif, under the embroidery collection."""
    parent = CollectionPage.objects.get(slug="embroidery")
    page = EmbroideryPatternPage(
        title=title,
        title_en=title_en,
        identifier=f"MHA-EMB-PLN-{uuid.uuid4().hex[:6]}",
        slug=f"emb-{uuid.uuid4().hex[:8]}",
        access_level="public",
        year_from=2001,
        **kw,
    )
    parent.add_child(instance=page)
    return page


def audiences(community: Person) -> dict:
    from django.contrib.auth.models import AnonymousUser

    member = factories.user()
    CommunityMembership.objects.create(user=member, community=community)
    return {
        "anonymous": AnonymousUser(),
        "registered": factories.user(),
        "member": member,
        "curator": factories.user(groups=("Curators",)),
    }


def reindex(engine: engines.Engine) -> None:
    indexing.rebuild()
    if engine.name != "database":
        engine.refresh()
