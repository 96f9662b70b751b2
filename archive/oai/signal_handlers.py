"""Tombstones written when an item leaves public view, removed when it comes back.

An item *is a record* while it is live and public. Every path that changes that ends in a
save of the page row (publish, unpublish, a withdrawal's unpublish, the scheduled expiry,
a publish that narrows ``access_level``) or in its deletion; the handlers compare the row
before and after, so a draft saved with a narrower level changes nothing until it is
published. Wagtail's ``page_unpublished`` is connected too, for unpublish paths that do
not save through the model.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import timezone
from wagtail.signals import page_unpublished

from archive.access import policy
from archive.items.models import ItemPage

from .models import Tombstone


def _is_record(pk: int | None) -> bool:
    """Whether the stored row is a public record (live and public; expiry is decided when
    asked, see ``records``)."""
    if pk is None:
        return False
    return ItemPage.objects.filter(policy.published_for_everyone_q(), pk=pk).exists()


def _bury(item: ItemPage, reason: str) -> None:
    expired = policy.is_expired(item)
    parent = item.get_parent()
    Tombstone.objects.update_or_create(
        item_id=item.pk,
        defaults={
            "identifier": item.identifier,
            "set_spec": parent.slug if parent else "",
            "datestamp": item.expire_at if expired else timezone.now(),
            "reason": Tombstone.Reason.EXPIRED if expired else reason,
        },
    )


def _before_save(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):
        instance._oai_was_record = _is_record(instance.pk)


def _after_save(sender, instance, **kwargs) -> None:
    if not isinstance(instance, ItemPage):
        return
    if _is_record(instance.pk):
        Tombstone.objects.filter(item_id=instance.pk).delete()
        return
    if getattr(instance, "_oai_was_record", False):
        row = ItemPage.objects.get(pk=instance.pk)
        reason = Tombstone.Reason.NARROWED if row.live else Tombstone.Reason.UNPUBLISHED
        _bury(row, reason)


def _unpublished(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage) and policy.shown_to_everyone(
        instance.access_level, instance.community_id
    ):
        _bury(instance, Tombstone.Reason.UNPUBLISHED)


def _before_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage) and _is_record(instance.pk):
        _bury(instance, Tombstone.Reason.DELETED)


def connect_signals() -> None:
    pre_save.connect(_before_save, dispatch_uid="oai-before-save")
    post_save.connect(_after_save, dispatch_uid="oai-after-save")
    pre_delete.connect(_before_delete, dispatch_uid="oai-before-delete")
    page_unpublished.connect(_unpublished, dispatch_uid="oai-unpublished")
