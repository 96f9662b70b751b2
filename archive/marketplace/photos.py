"""Product photos through the media pipeline: the upload is checked and stored once by
checksum as an ``assets.Original`` (as every other file), and the pipeline's image
renditions (``thumb``, ``web-webp``: oriented, sRGB, metadata and GPS removed) are stored on
the photo by a background task."""

from __future__ import annotations

import shutil

from django.core.files import File
from django.db import transaction
from django_tasks import task

from archive.assets.files import copy_to_temp
from archive.assets.recovery import make_workdir
from media_pipeline import steps
from media_pipeline.specs import IMAGE_SPECS

from .models import ProductPhoto
from .originals import store_original

__all__ = ["enqueue", "make_photo_renditions", "make_renditions", "store_original"]

#: The pipeline's renditions a product photo keeps, by the field that holds each.
RENDITIONS = {"thumb": "thumb", "web": "web-webp"}


def make_renditions(photo: ProductPhoto) -> None:
    workdir = make_workdir()
    try:
        src = copy_to_temp(photo.original, workdir)
        specs = tuple(s for s in IMAGE_SPECS if s.name in RENDITIONS.values())
        made = {m.name: m for m in steps.image_renditions(src, workdir, specs)}
        for field, name in RENDITIONS.items():
            with open(made[name].path, "rb") as fh:
                getattr(photo, field).save(
                    f"{photo.pk}/{field}{made[name].path.suffix}", File(fh), save=False
                )
        ProductPhoto.objects.filter(pk=photo.pk).update(thumb=photo.thumb.name, web=photo.web.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@task(queue_name="media")
def make_photo_renditions(photo_id: int) -> str:
    photo = ProductPhoto.objects.select_related("original").filter(pk=photo_id).first()
    if photo is None:
        return "gone"
    make_renditions(photo)
    return "ready"


def enqueue(photo: ProductPhoto) -> None:
    pk = photo.pk
    transaction.on_commit(lambda: make_photo_renditions.enqueue(pk))
