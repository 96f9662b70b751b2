"""Drop cached image descriptors when what decides them changes (level, liveness, files)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from archive.assets.models import Derivative, MediaAsset
from archive.items.models import ItemPage

from . import tile_files
from .image_views import descriptor_key
from .sources import forget_zip


def _forget_asset(asset_id: int | None) -> None:
    if asset_id:
        cache.delete(descriptor_key(asset_id))
        tile_files.forget(asset_id)


def _asset_changed(sender, instance, **kwargs) -> None:
    _forget_asset(instance.pk)


def _derivative_changed(sender, instance, **kwargs) -> None:
    _forget_asset(instance.asset_id)
    if instance.name == "tiles" and instance.file:
        forget_zip(instance.file.name)


def _item_changed(sender, instance, **kwargs) -> None:
    if not isinstance(instance, ItemPage) or not instance.pk:
        return
    for asset_id in MediaAsset.objects.filter(item_id=instance.pk).values_list("pk", flat=True):
        _forget_asset(asset_id)


def register() -> None:
    post_save.connect(_asset_changed, sender=MediaAsset, dispatch_uid="iiif-asset-save")
    post_delete.connect(_asset_changed, sender=MediaAsset, dispatch_uid="iiif-asset-delete")
    post_save.connect(_derivative_changed, sender=Derivative, dispatch_uid="iiif-deriv-save")
    post_delete.connect(_derivative_changed, sender=Derivative, dispatch_uid="iiif-deriv-del")
    post_save.connect(_item_changed, dispatch_uid="iiif-item-save")
    post_delete.connect(_item_changed, dispatch_uid="iiif-item-delete")
    page_published.connect(_item_changed, dispatch_uid="iiif-item-published")
    page_unpublished.connect(_item_changed, dispatch_uid="iiif-item-unpublished")
