"""Marketplace photos through the media pipeline: the upload is checked and stored once by
checksum as an ``assets.Original`` (as every other file), and the pipeline's image
renditions (``thumb``, ``web-webp``: oriented, sRGB, metadata and GPS removed) are stored by
a background task: on a product photo, and on an artisan's or cooperative's profile."""

from __future__ import annotations

import shutil

from django.core.files import File
from django.db import transaction
from django_tasks import task

from archive.assets.files import copy_to_temp
from archive.assets.recovery import make_workdir
from archive.core import pagecache
from media_pipeline import steps
from media_pipeline.specs import IMAGE_SPECS

from .models import ArtisanProfile, Cooperative, MarketplaceParty, ProductPhoto
from .originals import store_original

__all__ = [
    "enqueue",
    "enqueue_portrait",
    "make_photo_renditions",
    "make_portrait_renditions",
    "make_renditions",
    "store_original",
]

#: The pipeline's renditions a product photo keeps, by the field that holds each.
RENDITIONS = {"thumb": "thumb", "web": "web-webp"}
#: The same, for a profile's photo.
PORTRAIT_RENDITIONS = {"photo_thumb": "thumb", "photo_web": "web-webp"}
#: A profile's model by the door that serves its photo.
PARTIES: dict[str, type[MarketplaceParty]] = {m.door: m for m in (ArtisanProfile, Cooperative)}


def _render(obj, original, fields: dict[str, str], stem: str) -> dict[str, str]:
    """Make ``original``'s renditions into ``obj``'s file ``fields``; their stored names."""
    workdir = make_workdir()
    try:
        src = copy_to_temp(original, workdir)
        specs = tuple(s for s in IMAGE_SPECS if s.name in fields.values())
        made = {m.name: m for m in steps.image_renditions(src, workdir, specs)}
        names = {}
        for field, spec in fields.items():
            with open(made[spec].path, "rb") as fh:
                getattr(obj, field).save(
                    f"{stem}/{field}{made[spec].path.suffix}", File(fh), save=False
                )
            names[field] = getattr(obj, field).name
        return names
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def make_renditions(photo: ProductPhoto) -> None:
    names = _render(photo, photo.original, RENDITIONS, str(photo.pk))
    ProductPhoto.objects.filter(pk=photo.pk).update(**names)


def render_portrait(party: MarketplaceParty) -> None:
    names = _render(party, party.photo, PORTRAIT_RENDITIONS, f"{party.door}/{party.pk}")
    # An update, not a save: no signal, no second task; pages cached without it are dropped.
    type(party).objects.filter(pk=party.pk, photo_id=party.photo_id).update(**names)
    pagecache.invalidate()


@task(queue_name="media")
def make_photo_renditions(photo_id: int) -> str:
    photo = ProductPhoto.objects.select_related("original").filter(pk=photo_id).first()
    if photo is None:
        return "gone"
    make_renditions(photo)
    return "ready"


@task(queue_name="media")
def make_portrait_renditions(door: str, pk: int) -> str:
    party = PARTIES[door].objects.select_related("photo").filter(pk=pk).first()
    if party is None or party.photo is None:
        return "gone"
    render_portrait(party)
    return "ready"


def enqueue(photo: ProductPhoto) -> None:
    pk = photo.pk
    transaction.on_commit(lambda: make_photo_renditions.enqueue(pk))


def enqueue_portrait(party: MarketplaceParty) -> None:
    door, pk = party.door, party.pk
    transaction.on_commit(lambda: make_portrait_renditions.enqueue(door, pk))
