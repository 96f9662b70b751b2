"""Index on publish, unpublish and delete, and when a vocabulary label or a person's name
changes; a lesson when it or one of its sources changes, or an item or asset it draws on
is published, unpublished or changes who may see it. Handlers defer to after the
transaction commits. Adding an item to the index runs as a task; taking an item out
(unpublish, withdrawal, delete) and all lesson work run at once in the committing process,
so a withdrawn item leaves search even when no worker is running."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from archive.assets.models import MediaAsset
from archive.assets.signals import asset_ready
from archive.items.models import ItemPage
from archive.lessons.models import Lesson, LessonSource
from archive.marketplace import signal_handlers as marketplace_signals
from archive.people.models import Person
from archive.vocabularies.models import VOCABULARIES

from . import indexing
from .tasks import index_items_task, reindex_for_term_task


def on_commit_index(item_ids: list[int]) -> None:
    ids = sorted(set(item_ids))
    if ids:
        transaction.on_commit(lambda: index_items_task.enqueue(ids))


def on_publish(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):
        on_commit_index([instance.pk])
        on_commit_lessons_holding(items=[instance.pk])


def on_commit_lessons_holding(items=(), assets=()) -> None:
    """Lessons drawing on an item or asset whose audience may have changed are rebuilt at
    once in the committing process: their facets must never outlive what everyone may see."""
    items, assets = list(items), list(assets)
    transaction.on_commit(lambda: indexing.index_lessons_holding(items, assets))


def on_lesson_changed(sender, instance, **kwargs) -> None:
    # A lesson made private, unlisted or sent back for review leaves the index at once.
    pk = instance.pk if isinstance(instance, Lesson) else instance.lesson_id
    transaction.on_commit(lambda: indexing.index_lessons([pk]))


def on_asset_saved(sender, instance, created, **kwargs) -> None:
    if not created and LessonSource.objects.filter(asset_id=instance.pk).exists():
        on_commit_lessons_holding(assets=[instance.pk])


def on_commit_remove(pk: int) -> None:
    # index_items removes what is not live; a down engine gets a pending op to replay.
    transaction.on_commit(lambda: indexing.index_items([pk]))


def on_asset_ready(sender, asset_id: int, item_id: int | None, **kwargs) -> None:
    # A picture's colours are read once its thumbnail exists (index_items skips non-live).
    if item_id:
        on_commit_index([item_id])


def on_unpublish(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):
        on_commit_remove(instance.pk)
        on_commit_lessons_holding(items=[instance.pk])


def on_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):  # fires once per table of the page; removal is idempotent
        on_commit_remove(instance.pk)


def on_term_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return  # a new term is on no item yet
    name, pk = sender.__name__, instance.pk
    transaction.on_commit(lambda: reindex_for_term_task.enqueue(name, pk))


def on_person_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return
    ids = list(ItemPage.objects.live().filter(people__person=instance).values_list("pk", flat=True))
    on_commit_index(ids)


def connect() -> None:
    page_published.connect(on_publish, dispatch_uid="search-published")
    page_unpublished.connect(on_unpublish, dispatch_uid="search-unpublished")
    asset_ready.connect(on_asset_ready, dispatch_uid="search-asset-ready")
    post_delete.connect(on_delete, dispatch_uid="search-deleted")
    for model in VOCABULARIES.values():
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"search-term-{model.__name__}")
    post_save.connect(on_person_saved, sender=Person, dispatch_uid="search-person")
    for model in (Lesson, LessonSource):
        post_save.connect(on_lesson_changed, sender=model, dispatch_uid=f"search-{model.__name__}")
        post_delete.connect(
            on_lesson_changed, sender=model, dispatch_uid=f"search-{model.__name__}-deleted"
        )
    post_save.connect(on_asset_saved, sender=MediaAsset, dispatch_uid="search-lesson-asset")
    if indexing.index_products not in marketplace_signals.product_listeners:
        marketplace_signals.product_listeners.append(indexing.index_products)
