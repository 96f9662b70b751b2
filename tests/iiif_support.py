"""A small media archive for the IIIF tests: one image, one audio and one video item, made
by the real pipeline (ingest + process_asset, which also cuts the IIIF tiles zip and the
pyramid) from files demo.mediamaker makes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.test import override_settings

from archive.assets.ingest import ingest
from archive.assets.models import MediaAsset
from archive.assets.tasks import process_asset
from archive.items.models import (
    EmbroideryPatternPage,
    ItemPerson,
    MusicPiecePage,
    TranscriptCue,
)
from demo import mediamaker as make
from tests import factories


def add_media(item, path: Path, *, access_level: str | None = None, **kw) -> MediaAsset:
    result = ingest(
        path, item=item, filename=path.name, access_level=access_level, enqueue=False, **kw
    )
    process_asset.call(result.asset.pk)
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    assert asset.status == "ready", asset.error
    if asset.kind == "image":  # the pipeline's IIIF derivatives, which the server reads
        assert {"tiles", "pyramid"} <= set(asset.derivatives.values_list("name", flat=True))
    return asset


def image_item(tmp_path: Path, collections=None):
    """A public embroidery pattern with one ready image (tiles and pyramid made)."""
    if collections is None:
        _, collections = factories.site_tree()
    artisan = factories.person(name_zh="王美英", name_en="Wang Meiying")
    pattern = EmbroideryPatternPage(
        title="蝴蝶妈妈袖片",
        title_en="Butterfly Mother sleeve panel",
        title_hmn="Mais Bangx Mais Liax",
        identifier="MHA-EMB-T001",
        slug="iiif-pattern",
        description_zh="破线绣的蝴蝶妈妈纹样。",
        description_en="A Butterfly Mother motif in split-thread embroidery.",
        access_level="public",
        attribution_en="Courtesy of Wang Meiying",
        attribution_zh="王美英提供",
    )
    pattern.people.add(ItemPerson(person=artisan, role="artisan"))
    collections["embroidery"].add_child(instance=pattern)
    image = add_media(pattern, make.card(tmp_path / "sleeve.jpg", 1500, 1100), caption_en="Sleeve")
    return pattern, image


def media_archive(tmp_path: Path) -> dict:
    """Three public items, each with a consenting person, and their ready media."""
    _, collections = factories.site_tree()
    pattern, image = image_item(tmp_path, collections)
    speaker = factories.person(name_zh="杨老", name_en="Grandfather Yang")
    recording = factories.recording(
        collections["dialects"],
        speaker=speaker,
        title="古歌",
        title_en="Ancient song",
        identifier="MHA-DIA-T001",
    )
    for n, (hmn, zh, en) in enumerate(
        [("Hxak Lul", "古歌 <一>", "The ancient song & more"), ("Ghet Lok", "老人", "")]
    ):
        TranscriptCue.objects.create(
            item=recording,
            start=Decimal(n),
            end=Decimal(n) + Decimal("0.9"),
            sort_order=n,
            text_hmn=hmn,
            text_zh=zh,
            text_en=en,
        )
    performer = factories.person(name_zh="芦笙队", name_en="Lusheng troupe")
    music = MusicPiecePage(
        title="芦笙舞",
        title_en="Lusheng dance",
        identifier="MHA-MUS-T001",
        slug="iiif-lusheng",
        access_level="public",
    )
    music.people.add(ItemPerson(person=performer, role="performer"))
    collections["folk-music"].add_child(instance=music)

    audio = add_media(recording, make.tone(tmp_path / "song.wav", 3, frequency=330))
    video = add_media(music, make.card_video(tmp_path / "dance.mp4", 2))
    return {
        "collections": collections,
        "pattern": pattern,
        "recording": recording,
        "music": music,
        "image": image,
        "audio": audio,
        "video": video,
    }


@contextmanager
def made_once(django_db_blocker, media_root: Path) -> Iterator[None]:
    """For a module-scoped fixture: what is made inside is made once for the module, in
    ``media_root``, and rolled back after the module's last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


def media_archive_with_a_restricted_image(media_root: Path, src: Path) -> dict:
    """``media_archive`` plus a restricted picture on the public pattern."""
    data = media_archive(src)
    data["restricted_image"] = add_media(
        data["pattern"], make.card(media_root / "secret.jpg", 600, 400), access_level="restricted"
    )
    return data
