"""The demo archive: people, consents, items and made media from ``collections/demo``.

Idempotent: people are matched by slug, items by identifier; an item that exists is left
as it is, so running the demo twice neither duplicates nor overwrites curators' edits.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction

from archive.items.models import (
    CollectionPage,
    EmbroideryPatternPage,
    ItemPage,
    ItemPerson,
    MusicPiecePage,
    RecordingPage,
    TranscriptCue,
)
from archive.people.models import ConsentRecord, Person
from archive.portal.setup import load_founding_collections
from archive.vocabularies import models as vocab
from archive.vocabularies.loader import DATA_DIR, DataError, load_all_vocabularies, read_yaml

from . import mediamaker as media
from .lessons import load_demo_lessons
from .marketplace import load_marketplace
from .pronunciations import load_pronunciations

log = logging.getLogger(__name__)
PAGE_TYPES = {
    "embroidery": EmbroideryPatternPage,
    "recording": RecordingPage,
    "music": MusicPiecePage,
}
COMMON = [
    "title_en",
    "title_hmn",
    "description_zh",
    "description_en",
    "description_hmn",
    "date_text_zh",
    "date_text_en",
    "year_from",
    "year_to",
    "source",
    "rights_holder",
    "attribution_zh",
    "attribution_en",
]
KIND_FIELDS = {
    "embroidery": [
        "placement_zh",
        "placement_en",
        "colours_zh",
        "colours_en",
        "width_cm",
        "height_cm",
        "meaning_zh",
        "meaning_en",
        "story_zh",
        "story_en",
    ],
    "recording": ["topic_zh", "topic_en"],
    "music": ["lyrics_zh", "lyrics_en"],
}


def _date(value) -> datetime.date | None:
    if value in (None, "", "null"):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@transaction.atomic
def load_people(entries: list[dict]) -> int:
    roles = {"artisan": "is_artisan", "performer": "is_performer", "speaker": "is_speaker"}
    for entry in entries:
        village = vocab.Place.objects.filter(slug=entry.get("village")).first()
        person, _ = Person.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "kind": entry.get("kind", Person.Kind.INDIVIDUAL),
                "name_zh": entry["name_zh"],
                "name_en": entry.get("name_en", ""),
                "name_hmn": entry.get("name_hmn", ""),
                "village": village,
                "birth_year": entry.get("birth_year"),
                "bio_zh": entry.get("bio_zh", ""),
                "bio_en": entry.get("bio_en", ""),
                **{field: role in entry.get("roles", []) for role, field in roles.items()},
            },
        )
        ConsentRecord.objects.filter(person=person, item__isnull=True).delete()
        for n, c in enumerate(entry.get("consents") or []):
            ConsentRecord.objects.create(
                person=person,
                scope=c["scope"],
                granted_on=_date(c["granted"]),
                withdrawn_on=_date(c.get("withdrawn")),
                recorded_by=c.get("recorded_by") or "fieldworker",
                note=c.get("note_en", ""),
                sort_order=n,
            )
    return len(entries)


def _terms(model, slugs) -> list:
    slugs = [slugs] if isinstance(slugs, str) else list(slugs or [])
    found = list(model.objects.filter(slug__in=slugs))
    missing = set(slugs) - {t.slug for t in found}
    if missing:
        raise DataError(f"unknown {model._meta.verbose_name} slugs: {sorted(missing)}")
    return found


def _term(model, slug):
    return _terms(model, [slug])[0] if slug else None


def build_item(entry: dict, collection: CollectionPage) -> ItemPage:
    kind = entry["type"]
    page = PAGE_TYPES[kind](
        title=entry["title_zh"],
        identifier=entry["identifier"],
        slug=entry["identifier"].lower(),
        access_level=entry.get("access", "public"),
        licence=entry.get("licence", "cc-by-nc-4.0"),
        tk_labels=list(entry.get("tk_labels") or []),
        place=_term(vocab.Place, entry.get("place")),
    )
    for field in COMMON + KIND_FIELDS[kind]:
        if entry.get(field) not in (None, ""):
            setattr(page, field, entry[field])
    community = entry.get("community")
    if community:
        page.community = Person.objects.get(slug=community)
    for n, credit in enumerate(entry.get("people") or []):
        page.people.add(
            ItemPerson(
                person=Person.objects.get(slug=credit["person"]), role=credit["role"], sort_order=n
            )
        )
    for n, cue in enumerate(entry.get("transcript") or []):
        page.cues.add(
            TranscriptCue(
                start=cue["start"],
                end=cue["end"],
                text_hmn=cue.get("hmn", ""),
                text_zh=cue.get("zh", ""),
                text_en=cue.get("en", ""),
                sort_order=n,
            )
        )
    if kind == "embroidery":
        page.motifs = _terms(vocab.Motif, entry.get("motifs"))
        page.techniques = _terms(vocab.Technique, entry.get("techniques"))
        page.materials = _terms(vocab.Material, entry.get("materials"))
        page.garment = _term(vocab.Garment, entry.get("garment"))
    elif kind == "recording":
        page.dialect = _term(vocab.Dialect, entry.get("dialect"))
    else:
        page.genre = _term(vocab.Genre, entry.get("genre"))
        page.instruments = _terms(vocab.Instrument, entry.get("instruments"))
        page.festival = _term(vocab.Festival, entry.get("festival"))
    page.tags.add(*(entry.get("tags") or []))
    collection.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_items(entries: list[dict], progress: Callable[[str], None]) -> list[tuple[ItemPage, dict]]:
    """Create the items not yet in the archive; return every (item, entry) pair."""
    collections = {c.slug: c for c in CollectionPage.objects.all()}
    out = []
    for entry in entries:
        page = ItemPage.objects.filter(identifier=entry["identifier"]).first()
        if page is None:
            with transaction.atomic():
                page = build_item(entry, collections[entry["collection"]])
            progress(f"item {entry['identifier']} {entry['title_zh']}")
        out.append((page, entry))
    return out


def make_media(page: ItemPage, entry: dict, cache: Path, progress: Callable[[str], None]) -> None:
    """Make the item's demo media (cached on disk) and ingest it like any upload."""
    from archive.assets.ingest import ingest
    from archive.assets.tasks import process_asset

    if page.assets.exists():
        return
    made: dict[str, Path] = {}
    for n, spec in enumerate(entry.get("media") or []):
        kind = spec["kind"]
        stem = f"{entry['identifier']}-{n}"
        seed = int(spec.get("seed", n))
        if kind == "pattern":
            path = cache / f"{stem}.jpg"
            motif = spec.get("motif", "other")
            if motif not in media.MOTIFS:  # a narrower term draws as its broader shape
                motif = motif.split("-")[0] if motif.split("-")[0] in media.MOTIFS else "other"
            palette = spec.get("palette") or ["#c0392b", "#f1c40f"]
            make = partial(media.pattern, motif=motif, palette=palette, seed=seed)
        elif kind == "speech":
            path = cache / f"{stem}.wav"
            make = partial(media.speech, text=spec["text"], voice=spec.get("voice", "cmn"))
        elif kind == "music":
            path = cache / f"{stem}.flac"
            make = partial(
                media.music,
                style=spec.get("style", "lusheng"),
                seconds=float(spec.get("seconds", 12)),
                seed=seed,
            )
        elif kind == "video":
            path = cache / f"{stem}.mp4"
            still = cache / f"{stem}-still.jpg"
            make = partial(
                _pan_over_drum,
                still=still,
                n=n,
                audio=made.get("music"),
                seconds=float(spec.get("seconds", 6)),
            )
        else:
            raise DataError(f"{entry['identifier']}: unknown media kind {kind!r}")
        if not path.exists():
            make(path)
        made[kind] = path
        result = ingest(path, item=page, filename=path.name, enqueue=False)
        process_asset.call(result.asset.pk)
        progress(
            f"  media {path.name}: {result.asset.__class__.objects.get(pk=result.asset.pk).status}"
        )


def _pan_over_drum(path: Path, *, still: Path, n: int, audio: Path | None, seconds: float) -> Path:
    """A performance video: a slow pan over a bronze-drum pattern, with the item's music."""
    palette = ["#c0392b", "#f1c40f", "#ecf0f1"]
    media.pattern(still, motif="drum", palette=palette, seed=n, size=(1280, 720))
    return media.pan_video(path, image=still, audio=audio, seconds=seconds)


def load_demo(progress: Callable[[str], None] = print, with_media: bool = True) -> dict:
    if with_media:
        media.require_tools()  # name every missing tool now, not halfway through the items
    load_all_vocabularies()
    load_founding_collections()
    people = load_people(read_yaml(DATA_DIR / "demo" / "people.yaml"))
    entries = read_yaml(DATA_DIR / "demo" / "items.yaml")
    before = ItemPage.objects.count()
    items = load_items(entries, progress)
    if with_media:
        cache = Path(settings.VAR_DIR) / "demo-media"
        cache.mkdir(parents=True, exist_ok=True)
        for page, entry in items:
            make_media(page, entry, cache, progress)
    created = ItemPage.objects.count() - before
    lessons = load_demo_lessons()  # after the media: clips and details need them
    # The artisan marketplace (demo/marketplace.py): its own data file and loader.
    market = load_marketplace(with_media=with_media, progress=progress)
    # Terms' Miao pronunciations (demo/pronunciations.py), spoken by a consenting speaker.
    spoken = load_pronunciations(with_media=with_media, progress=progress)
    return {
        "people": people,
        "items_created": created,
        "items_total": len(entries),
        "lessons_created": lessons,
        "marketplace": market,
        "pronunciations_created": spoken,
    }
