"""A small public site with real media, shared by the page tests and the browser tests.

An embroidery pattern with an image, a dialect recording with audio and a timed transcript,
and items at every access level that must never show to an anonymous visitor.
"""

from __future__ import annotations

from pathlib import Path

from archive.assets.ingest import ingest
from archive.assets.tasks import process_asset
from archive.items.models import EmbroideryPatternPage, ItemPerson, TranscriptCue
from archive.vocabularies.loader import load_all_vocabularies
from archive.vocabularies.models import Dialect, Motif, Place, Technique
from demo import mediamaker as make
from tests import factories


def attach(item, path: Path, **kw):
    result = ingest(path, item=item, filename=path.name, enqueue=False, **kw)
    process_asset.call(result.asset.pk)
    result.asset.refresh_from_db()
    assert result.asset.status == "ready", result.asset.error
    return result.asset


def pattern(
    parent,
    *,
    identifier,
    access="public",
    live=True,
    motif="butterfly",
    place=None,
    artisan=None,
    **kw,
) -> EmbroideryPatternPage:
    page = EmbroideryPatternPage(
        title=kw.pop("title", f"绣片 {identifier}"),
        title_en=kw.pop("title_en", f"Sleeve panel {identifier}"),
        identifier=identifier,
        slug=identifier.lower(),
        access_level=access,
        live=live,
        place=place,
        **kw,
    )
    if artisan is not None:
        page.people.add(ItemPerson(person=artisan, role="artisan"))
    page.motifs = [Motif.objects.get(slug=motif)]
    parent.add_child(instance=page)
    return page


def build(tmp_path: Path, media: bool = True) -> dict:
    load_all_vocabularies()
    home, collections = factories.site_tree()
    for c in collections.values():
        c.save_revision().publish()
    village = Place.objects.filter(kind="village", latitude__isnull=False).order_by("slug").first()
    other_village = (
        Place.objects.filter(kind="village", latitude__isnull=False).order_by("-slug").first()
    )
    artisan = factories.person(name_zh="王美英", name_en="Wang Meiying")
    emb = collections["embroidery"]
    main = pattern(
        emb,
        identifier="MHA-EMB-9001",
        title="蝴蝶妈妈袖片",
        title_en="Butterfly Mother sleeve panel",
        description_zh="破线绣的蝴蝶妈妈纹样。",
        description_en="A Butterfly Mother motif in split-thread embroidery.",
        place=village,
        artisan=artisan,
        date_text_zh="1980年代",
        date_text_en="the 1980s",
        year_from=1980,
        year_to=1989,
    )
    main.techniques = [Technique.objects.get(slug="split-thread")]
    main.save()
    related = pattern(
        emb,
        identifier="MHA-EMB-9002",
        title_en="Butterfly apron",
        place=other_village,
        year_from=2005,
    )
    hidden = {
        level: pattern(
            emb,
            identifier=f"MHA-EMB-93{n}",
            access=level,
            title_en=f"Hidden {level} butterfly",
            place=village,
        )
        for n, level in enumerate(("registered", "community", "restricted"))
    }
    hidden["draft"] = pattern(
        emb, identifier="MHA-EMB-9399", live=False, title_en="Hidden draft butterfly"
    )
    other = pattern(
        emb,
        identifier="MHA-EMB-9003",
        motif="dragon",
        title_en="Dragon collar",
        place=other_village,
        year_from=1930,
    )
    speaker = factories.person(name_zh="杨老人", name_en="Old Yang")
    rec = factories.recording(
        collections["dialects"],
        speaker=speaker,
        title="讲古",
        title_en="Telling the old days",
        identifier="MHA-DIA-9001",
        dialect=Dialect.objects.order_by("slug").first(),
        place=village,
    )
    for n, (zh, en, hmn) in enumerate(
        [
            ("你好", "Hello", "Nongx hxat"),
            ("我们唱歌", "We sing", "Dail hxak"),
            ("去田里", "To the fields", "Mongl lix"),
            ("回家了", "Home again", "Lol zaid"),
        ]
    ):
        TranscriptCue.objects.create(
            item=rec, start=n * 3, end=n * 3 + 3, text_zh=zh, text_en=en, text_hmn=hmn, sort_order=n
        )
    data = {
        "home": home,
        "collections": collections,
        "main": main,
        "related": related,
        "other": other,
        "hidden": hidden,
        "recording": rec,
        "village": village,
    }
    if media:
        data["image"] = attach(main, make.card(tmp_path / "sleeve.jpg", 1600, 1200))
        attach(related, make.card(tmp_path / "apron.jpg", 800, 600))
        data["audio"] = attach(rec, make.tone(tmp_path / "talk.wav", 12, frequency=330))
    return data
